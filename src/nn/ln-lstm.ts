// The recurrence of the layer-normalized LSTM (Ba, Kiros & Hinton 2016) in plain JavaScript, forward and
// backward, as one tfjs op.
//
// Layer norm sits inside the step (on h·W_h and on c), so the fused BlockLSTM kernel cannot run it, and in
// tfjs ops a step is ~40 kernels forward and ~80 backward: one gradient step of recurrent PPO (two 64-unit
// LSTMs over 32 steps × 8 sequences) was 13205 kernels, 192 ms, 14× the plain LSTM (bench/README.md).
// The arithmetic is small (64 × 256 multiply-adds per step and sequence), so the dispatch cost is all
// there is: here the loop over time runs on typed arrays in one call, and the gradient in another. Only
// h·W_h (and, backward, da·W_hᵀ) goes to a native matMul per step, all sequences at once: in JavaScript
// it cost ~3× more than the round trip. The input term LN(x·W_x) + b does not depend on the state; it
// stays in tfjs ops (all steps in one matMul) and arrives here as zx.
//
// Per step, for each sequence k (state reset where starts[t·B + k] is 1):
//   a = h·W_h,  â = (a − μ(a))/√(σ²(a) + ε)            (over the 4·units pre-activations)
//   z = zx_t + â·γ_h + β_h,  i, f, o = σ(z_i, z_f, z_o),  g = tanh(z_g)
//   (summed: â normalizes zx_t + a, the whole pre-activation, and z = â·γ_h + β_h)
//   c' = f·c + i·g,  ĉ = (c' − μ(c'))/√(σ²(c') + ε),  h' = o·tanh(ĉ·γ_c + β_c)
// Arithmetic in float64; inputs and outputs float32.
import type { Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import { tf } from '../backend.ts';

const EPS = 1e-5;

interface Weights {
  gh: Float32Array; // [4U]
  bh: Float32Array;
  gc: Float32Array; // [U]
  bc: Float32Array;
}

/** h [B, U] ↦ h·W_h [B, 4U] (forward), or da [B, 4U] ↦ da·W_hᵀ [B, U] (backward): one native matMul each. */
type Product = (m: Float32Array<ArrayBufferLike>) => Float32Array<ArrayBufferLike>;

/** What the backward pass reads, per step and sequence (row r = t·B + k). */
interface Saved {
  hPrev: Float32Array; // [T·B, U], after the reset
  cPrev: Float64Array;
  aHat: Float64Array; // [T·B, 4U]
  aInv: Float64Array; // [T·B]: 1/√(σ²(a) + ε)
  gates: Float64Array; // [T·B, 4U]: i, f, g, o after their nonlinearities
  cHat: Float64Array; // [T·B, U]
  cInv: Float64Array;
  tanhC: Float64Array; // [T·B, U]: tanh(ĉ·γ_c + β_c)
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

function forwardJs(zx: Float32Array, w: Weights, recurrent: Product, h0: Float32Array, c0: Float32Array, starts: Uint8Array | null, T: number, B: number, U: number, save: boolean, summed: boolean) {
  const G = 4 * U;
  const hs = new Float32Array(T * B * U);
  const h = Float32Array.from(h0);
  const c = Float64Array.from(c0);
  const s: Saved | null = save
    ? {
        hPrev: new Float32Array(T * B * U),
        cPrev: new Float64Array(T * B * U),
        aHat: new Float64Array(T * B * G),
        aInv: new Float64Array(T * B),
        gates: new Float64Array(T * B * G),
        cHat: new Float64Array(T * B * U),
        cInv: new Float64Array(T * B),
        tanhC: new Float64Array(T * B * U),
      }
    : null;
  const gate = new Float64Array(G);
  const cNew = new Float64Array(U);
  const { gh, bh, gc, bc } = w;
  for (let t = 0; t < T; t++) {
    if (starts !== null) {
      for (let k = 0; k < B; k++) {
        if (!starts[t * B + k]) continue;
        h.fill(0, k * U, (k + 1) * U);
        c.fill(0, k * U, (k + 1) * U);
      }
    }
    if (s !== null) {
      s.hPrev.set(h, t * B * U);
      s.cPrev.set(c, t * B * U);
    }
    const a = recurrent(h);
    for (let k = 0; k < B; k++) {
      const r = t * B + k;
      const hk = k * U;
      const zRow = r * G;
      const aRow = k * G;
      // the normalized vector: a = h·W_h, or (summed) zx + a
      const add = summed ? 1 : 0;
      let mean = 0;
      for (let j = 0; j < G; j++) mean += a[aRow + j]! + add * zx[zRow + j]!;
      mean /= G;
      let variance = 0;
      for (let j = 0; j < G; j++) variance += (a[aRow + j]! + add * zx[zRow + j]! - mean) ** 2;
      const aInv = 1 / Math.sqrt(variance / G + EPS);
      for (let j = 0; j < G; j++) {
        const ah = (a[aRow + j]! + add * zx[zRow + j]! - mean) * aInv;
        if (s !== null) s.aHat[zRow + j] = ah;
        const z = (1 - add) * zx[zRow + j]! + ah * gh[j]! + bh[j]!;
        gate[j] = j >= 2 * U && j < 3 * U ? Math.tanh(z) : sigmoid(z);
      }
      let cMean = 0;
      for (let u = 0; u < U; u++) {
        const v = gate[U + u]! * c[hk + u]! + gate[u]! * gate[2 * U + u]!;
        cNew[u] = v;
        cMean += v;
      }
      cMean /= U;
      let cVar = 0;
      for (let u = 0; u < U; u++) cVar += (cNew[u]! - cMean) ** 2;
      const cInv = 1 / Math.sqrt(cVar / U + EPS);
      for (let u = 0; u < U; u++) {
        const ch = (cNew[u]! - cMean) * cInv;
        const tc = Math.tanh(ch * gc[u]! + bc[u]!);
        const hv = gate[3 * U + u]! * tc;
        c[hk + u] = cNew[u]!;
        h[hk + u] = hv;
        hs[r * U + u] = hv;
        if (s !== null) {
          s.cHat[r * U + u] = ch;
          s.tanhC[r * U + u] = tc;
        }
      }
      if (s !== null) {
        s.aInv[r] = aInv;
        s.cInv[r] = cInv;
        s.gates.set(gate, zRow);
      }
    }
  }
  return { hs, h, c: Float32Array.from(c), saved: s };
}

/**
 * Gradients of Σ dy ⊙ hs with respect to zx, γ_h, β_h, γ_c, β_c, h0 and c0, and da [T·B, 4U], the
 * gradient of every step's h·W_h (W_h's gradient is hPrevᵀ·da: one matMul, by the caller).
 */
function backwardJs(dy: Float32Array, w: Weights, transposed: Product, s: Saved, starts: Uint8Array | null, T: number, B: number, U: number, summed: boolean) {
  const G = 4 * U;
  const dzx = new Float32Array(T * B * G);
  const daAll = new Float32Array(T * B * G);
  const dgh = new Float64Array(G);
  const dbh = new Float64Array(G);
  const dgc = new Float64Array(U);
  const dbc = new Float64Array(U);
  let dhNext: Float32Array<ArrayBufferLike> = new Float32Array(B * U); // gradient reaching the state carried into step t + 1
  const dcNext = new Float64Array(B * U);
  const dch = new Float64Array(U);
  const dz = new Float64Array(G);
  const { gh, gc } = w;
  for (let t = T - 1; t >= 0; t--) {
    for (let k = 0; k < B; k++) {
      const r = t * B + k;
      const hk = k * U;
      const gRow = r * G;
      const uRow = r * U;
      // h' = o·tanh(ĉ·γ_c + β_c)
      let m1 = 0;
      let m2 = 0;
      for (let u = 0; u < U; u++) {
        const dh = dy[uRow + u]! + dhNext[hk + u]!;
        const tc = s.tanhC[uRow + u]!;
        const o = s.gates[gRow + 3 * U + u]!;
        dz[3 * U + u] = dh * tc * o * (1 - o);
        const dcn = dh * o * (1 - tc * tc);
        const ch = s.cHat[uRow + u]!;
        dgc[u]! += dcn * ch;
        dbc[u]! += dcn;
        const d = dcn * gc[u]!;
        dch[u] = d;
        m1 += d;
        m2 += d * ch;
      }
      m1 /= U;
      m2 /= U;
      const cInv = s.cInv[r]!;
      // c' = f·c + i·g, through the layer norm of c'
      for (let u = 0; u < U; u++) {
        const dc = dcNext[hk + u]! + cInv * (dch[u]! - m1 - s.cHat[uRow + u]! * m2);
        const i = s.gates[gRow + u]!;
        const f = s.gates[gRow + U + u]!;
        const g = s.gates[gRow + 2 * U + u]!;
        dz[u] = dc * g * i * (1 - i);
        dz[U + u] = dc * s.cPrev[uRow + u]! * f * (1 - f);
        dz[2 * U + u] = dc * i * (1 - g * g);
        dcNext[hk + u] = dc * f;
      }
      // z = zx + â·γ_h + β_h, â the layer norm of a = h·W_h (summed: z = â·γ_h + β_h, â that of zx + a)
      m1 = 0;
      m2 = 0;
      for (let j = 0; j < G; j++) {
        const d = dz[j]!;
        const ah = s.aHat[gRow + j]!;
        dgh[j]! += d * ah;
        dbh[j]! += d;
        const dah = d * gh[j]!;
        m1 += dah;
        m2 += dah * ah;
      }
      m1 /= G;
      m2 /= G;
      const aInv = s.aInv[r]!;
      for (let j = 0; j < G; j++) {
        const da = aInv * (dz[j]! * gh[j]! - m1 - s.aHat[gRow + j]! * m2);
        daAll[gRow + j] = da;
        dzx[gRow + j] = summed ? da : dz[j]!;
      }
    }
    // The state carried into step t: through h·W_h, then multiplied by 0 where an episode started at t.
    dhNext = transposed(daAll.subarray(t * B * G, (t + 1) * B * G));
    if (starts !== null) {
      for (let k = 0; k < B; k++) {
        if (!starts[t * B + k]) continue;
        dhNext.fill(0, k * U, (k + 1) * U);
        dcNext.fill(0, k * U, (k + 1) * U);
      }
    }
  }
  return { dzx, daAll, dgh: Float32Array.from(dgh), dbh: Float32Array.from(dbh), dgc: Float32Array.from(dgc), dbc: Float32Array.from(dbc), dh0: dhNext, dc0: Float32Array.from(dcNext) };
}

const read = (t: Tensor) => t.dataSync() as Float32Array;

/** m [rows, inner] times W_h (or its transpose) as a native matMul, read back. */
function product(wh: Tensor2D, rows: number, transposeB: boolean): Product {
  const inner = transposeB ? wh.shape[1] : wh.shape[0];
  return (m) =>
    tf.tidy(() => {
      // A copy: the caller may reuse m's buffer, and tensor2d may keep the array it is given.
      const out = tf.matMul(tf.tensor2d(m.slice(), [rows, inner]), wh, false, transposeB);
      return out.dataSync() as Float32Array;
    });
}

/**
 * Runs the layer-normalized recurrence over zx [T, B, 4U] (the input term plus bias: normalized already,
 * or with `summed` normalized here together with h·W_h) from
 * (h0, c0) [B, U], resetting sequence k's state before step t where starts[t·B + k] is 1. The output
 * [T, B, U] is differentiable (to zx, W_h, the layer-norm gains and biases, h0 and c0) when a gradient
 * tape is recording; the final state is not.
 */
export function lnLstmSequence(
  zx: Tensor3D,
  wh: Tensor2D,
  gh: Tensor1D,
  bh: Tensor1D,
  gc: Tensor1D,
  bc: Tensor1D,
  h0: Tensor2D,
  c0: Tensor2D,
  starts: Uint8Array | null,
  summed = false,
): { output: Tensor3D; h: Tensor2D; c: Tensor2D } {
  const [T, B, G] = zx.shape;
  const U = G / 4;
  const last = { h: new Float32Array(0), c: new Float32Array(0) };
  // The four layer-norm vectors in one read-back (this runs at every acting step).
  const weightsOf = (ghT: Tensor, bhT: Tensor, gcT: Tensor, bcT: Tensor): Weights => {
    const v = tf.tidy(() => read(tf.concat([ghT, bhT, gcT, bcT])));
    return { gh: v.subarray(0, G), bh: v.subarray(G, 2 * G), gc: v.subarray(2 * G, 2 * G + U), bc: v.subarray(2 * G + U) };
  };
  let output: Tensor3D;
  if (!tf.engine().isTapeOn()) {
    const r = forwardJs(read(zx), weightsOf(gh, bh, gc, bc), product(wh, B, false), read(h0), read(c0), starts, T, B, U, false, summed);
    Object.assign(last, { h: r.h, c: r.c });
    output = tf.tensor3d(r.hs, [T, B, U]);
  } else {
    const op = tf.customGrad(((zxT: Tensor3D, whT: Tensor2D, ghT: Tensor1D, bhT: Tensor1D, gcT: Tensor1D, bcT: Tensor1D, h0T: Tensor2D, c0T: Tensor2D) => {
      const w = weightsOf(ghT, bhT, gcT, bcT);
      const r = forwardJs(read(zxT), w, product(whT, B, false), read(h0T), read(c0T), starts, T, B, U, true, summed);
      Object.assign(last, { h: r.h, c: r.c });
      // W_h as values for the backward pass (the caller's tensor may be disposed by then; a kept clone
      // would leak whenever no gradient is asked for).
      const whValues = read(whT);
      return {
        value: tf.tensor3d(r.hs, [T, B, U]),
        gradFunc: (dy: Tensor) => {
          const whB = tf.tensor2d(whValues, [U, G]);
          const g = backwardJs(read(dy), w, product(whB, B, true), r.saved!, starts, T, B, U, summed);
          whB.dispose();
          const dWh = tf.matMul(tf.tensor2d(r.saved!.hPrev, [T * B, U]), tf.tensor2d(g.daAll, [T * B, G]), true, false);
          return [tf.tensor3d(g.dzx, [T, B, G]), dWh, tf.tensor1d(g.dgh), tf.tensor1d(g.dbh), tf.tensor1d(g.dgc), tf.tensor1d(g.dbc), tf.tensor2d(g.dh0, [B, U]), tf.tensor2d(g.dc0, [B, U])];
        },
      };
    }) as never) as unknown as (...xs: Tensor[]) => Tensor3D;
    output = op(zx, wh, gh, bh, gc, bc, h0, c0);
  }
  return { output, h: tf.tensor2d(last.h, [B, U]), c: tf.tensor2d(last.c, [B, U]) };
}
