// The LSTM equations of src/nn/lstm.ts in plain JavaScript on float64, for the tests: a reference the
// tfjs implementations are compared with, and the function finite differences are taken of.
export type Norm = 'none' | 'weight' | 'weight-meanonly' | 'batch' | 'layer';

/** Parameters as flat float64 arrays, named as Lstm's variables (wx or vx/gx, wh or vh/gh, b, ...). */
export type Params = Record<string, Float64Array>;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** W = g·V/‖V‖ per column of V [rows, cols]. */
function weightNorm(v: Float64Array, g: Float64Array, rows: number, cols: number): Float64Array {
  const w = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    let n = 0;
    for (let r = 0; r < rows; r++) n += v[r * cols + j]! ** 2;
    n = Math.sqrt(n);
    for (let r = 0; r < rows; r++) w[r * cols + j] = (g[j]! * v[r * cols + j]!) / n;
  }
  return w;
}

function layerNorm(z: Float64Array, gamma: Float64Array, beta: Float64Array, eps = 1e-5): Float64Array {
  const n = z.length;
  const mean = z.reduce((a, b) => a + b, 0) / n;
  const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return z.map((v, j) => ((v - mean) / Math.sqrt(variance + eps)) * gamma[j]! + beta[j]!);
}

/**
 * Runs x [T][B][I] (time-major, flat) from zero state (or h0/c0), with training-mode batch statistics
 * over all T·B rows; returns h [T·B·U] (time-major).
 */
export function lstmJs(p: Params, norm: Norm, x: Float64Array, T: number, B: number, I: number, U: number, starts: Uint8Array | null, h0?: Float64Array, c0?: Float64Array): Float64Array {
  const G = 4 * U;
  const wx = p['vx'] ? weightNorm(p['vx'], p['gx']!, I, G) : p['wx']!;
  const wh = p['vh'] ? weightNorm(p['vh'], p['gh']!, U, G) : p['wh']!;
  // input term for every row
  const zx = new Float64Array(T * B * G);
  for (let r = 0; r < T * B; r++) for (let j = 0; j < G; j++) {
    let s = 0;
    for (let k = 0; k < I; k++) s += x[r * I + k]! * wx[k * G + j]!;
    zx[r * G + j] = s;
  }
  if (norm === 'batch' || norm === 'weight-meanonly') {
    for (let j = 0; j < G; j++) {
      let mean = 0;
      for (let r = 0; r < T * B; r++) mean += zx[r * G + j]!;
      mean /= T * B;
      let variance = 0;
      for (let r = 0; r < T * B; r++) variance += (zx[r * G + j]! - mean) ** 2;
      variance /= T * B;
      const scale = norm === 'batch' ? p['gamma']![j]! / Math.sqrt(variance + 1e-5) : 1;
      for (let r = 0; r < T * B; r++) zx[r * G + j] = (zx[r * G + j]! - mean) * scale;
    }
  }
  // 'layer' without lnx parameters: the summed form, one layer norm of x·W_x + h·W_h + b per step
  const summed = norm === 'layer' && !p['lnxGamma'];
  if (norm === 'layer' && !summed) for (let r = 0; r < T * B; r++) zx.set(layerNorm(zx.subarray(r * G, (r + 1) * G), p['lnxGamma']!, p['lnxBeta']!), r * G);
  const h = h0 ? Float64Array.from(h0) : new Float64Array(B * U);
  const c = c0 ? Float64Array.from(c0) : new Float64Array(B * U);
  const out = new Float64Array(T * B * U);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < B; k++) {
      if (starts?.[t * B + k]) {
        h.fill(0, k * U, (k + 1) * U);
        c.fill(0, k * U, (k + 1) * U);
      }
    }
    const hNew = new Float64Array(B * U);
    for (let k = 0; k < B; k++) {
      let zh: Float64Array = new Float64Array(G);
      for (let j = 0; j < G; j++) {
        let s = 0;
        for (let m = 0; m < U; m++) s += h[k * U + m]! * wh[m * G + j]!;
        zh[j] = s;
      }
      if (summed) {
        for (let j = 0; j < G; j++) zh[j] = zh[j]! + zx[(t * B + k) * G + j]! + p['b']![j]!;
        zh = layerNorm(zh, p['lnhGamma']!, p['lnhBeta']!);
      } else if (norm === 'layer') zh = layerNorm(zh, p['lnhGamma']!, p['lnhBeta']!);
      const z = (j: number) => (summed ? zh[j]! : zx[(t * B + k) * G + j]! + zh[j]! + p['b']![j]!);
      const cNew = new Float64Array(U);
      for (let m = 0; m < U; m++) {
        const i = sigmoid(z(m));
        const f = sigmoid(z(U + m));
        const g = Math.tanh(z(2 * U + m));
        cNew[m] = f * c[k * U + m]! + i * g;
      }
      const cOut = norm === 'layer' ? layerNorm(cNew, p['lncGamma']!, p['lncBeta']!) : cNew;
      for (let m = 0; m < U; m++) {
        const o = sigmoid(z(3 * U + m));
        hNew[k * U + m] = o * Math.tanh(cOut[m]!);
        c[k * U + m] = cNew[m]!;
      }
    }
    h.set(hNew);
    out.set(hNew, t * B * U);
  }
  return out;
}
