// A whole LSTM sequence as one native kernel, forward and backward.
//
// On the native backend an op costs its dispatch (10-50 µs) whatever its size, and an LSTM unrolled in
// tfjs ops costs about a dozen ops per time step forward and twice that backward: one forward and backward
// pass of 64 units over 32 steps × 8 sequences is 2161 kernels, 24.5 ms (scripts/lstm-kernels.ts).
// libtensorflow ships TensorFlow's fused LSTM kernels, BlockLSTMV2 (every step of a sequence in one call)
// and BlockLSTMGradV2 (its backward pass), which tfjs-node does not expose; this file registers them as
// tfjs kernels ('WnrlBlockLSTM', 'WnrlBlockLSTMGrad') so the engine tracks their tensors like any other
// op. The same pass: 20 kernels, 2.2 ms (8.2 ms when two episodes start in each sequence, 17 segments).
//
// Gate layout (BlockLSTMV2's IFCO): the columns of w [in + units, 4·units] and b [4·units] are
//   [ input gate i | forget gate f | cell candidate g | output gate o ],
// rows of w are [x; h]. Per step: z = [x_t, h]·w + b, c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c').
//
// Episode starts: an RL batch holds sequences in which a new episode begins mid-way, where the state
// must be multiplied by 0 (1 − episodeStart) before the step. The fused kernel has no such mask, so
// lstmSequence() cuts the time axis at every step where some sequence starts and runs one kernel per
// segment, masking the carried state between segments (forward) and its gradient (backward). A batch
// with no starts is one kernel.
import type { Tensor, Tensor1D, Tensor2D, Tensor3D, TensorInfo } from '@tensorflow/tfjs-node';
import { backendInfo, tf } from '../backend.ts';

interface Binding {
  TF_ATTR_FLOAT: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_TYPE: number;
  TF_FLOAT: number;
  TF_INT64: number;
  createTensor(shape: number[], dtype: number, values: Int32Array): number;
  executeOp(name: string, attrs: unknown[], inputs: number[], numOutputs: number): unknown[];
}
interface NativeBackend {
  binding: Binding;
  getInputTensorIds(tensors: TensorInfo[]): number[];
  createOutputTensor(metadata: unknown): Tensor;
}

const KERNEL = 'WnrlBlockLSTM';
const GRAD_KERNEL = 'WnrlBlockLSTMGrad';

let registered: boolean | null = null;

/** Whether the fused kernels are available (the native backend); the cpu backend uses the tfjs-ops LSTM. */
export function hasFusedLstm(): boolean {
  if (registered !== null) return registered;
  registered = false;
  if (backendInfo().backend !== 'tensorflow') return false;
  const backend = tf.backend() as unknown as NativeBackend;
  const { binding } = backend;
  // seq_len_max is an int64 scalar, which tfjs has no dtype for: one native handle per length, kept.
  const lengths = new Map<number, number>();
  const seqLen = (T: number) => {
    let id = lengths.get(T);
    if (id === undefined) {
      id = binding.createTensor([], binding.TF_INT64, new Int32Array([T, 0]));
      lengths.set(T, id);
    }
    return id;
  };
  // Peephole weights are inputs even when unused: zeros of the right width, cached per width.
  const zerosByUnits = new Map<number, Tensor1D>();
  const zeros = (units: number) => {
    let z = zerosByUnits.get(units);
    if (z === undefined) {
      z = tf.keep(tf.zeros([units]) as Tensor1D);
      zerosByUnits.set(units, z);
    }
    return z;
  };
  const run = (name: string, attrs: unknown[], inputs: TensorInfo[], numOutputs: number, T: number) => {
    const ids = [seqLen(T), ...backend.getInputTensorIds(inputs)];
    return binding.executeOp(name, attrs, ids, numOutputs).map((m) => backend.createOutputTensor(m));
  };
  const typeAttr = { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT };
  const noPeephole = { name: 'use_peephole', type: binding.TF_ATTR_BOOL, value: false };
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'tensorflow',
    // inputs: x [T, B, in], cs_prev [B, U], h_prev [B, U], w [in + U, 4U], b [4U]
    // outputs: i, cs, f, o, ci, co, h, each [T, B, U]
    kernelFunc: ({ inputs }) => {
      const { x, cs, h, w, b } = inputs as Record<string, TensorInfo>;
      const z = zeros(cs!.shape[1]!);
      const attrs = [{ name: 'cell_clip', type: binding.TF_ATTR_FLOAT, value: 0 }, noPeephole, typeAttr];
      return run('BlockLSTMV2', attrs, [x!, cs!, h!, w!, z, z, z, b!], 7, x!.shape[0]!) as TensorInfo[];
    },
  });
  tf.registerKernel({
    kernelName: GRAD_KERNEL,
    backendName: 'tensorflow',
    // inputs: the forward's inputs and outputs, then d cs [T, B, U] and d h [T, B, U]
    // outputs: dx, d cs_prev, d h_prev, dw, (three peephole gradients), db
    kernelFunc: ({ inputs }) => {
      const r = inputs as Record<string, TensorInfo>;
      const z = zeros(r['cs']!.shape[1]!);
      const list = [r['x']!, r['cs']!, r['h']!, r['w']!, z, z, z, r['b']!, r['i']!, r['csSeq']!, r['f']!, r['o']!, r['ci']!, r['co']!, r['hSeq']!, r['dcs']!, r['dh']!];
      return run('BlockLSTMGradV2', [noPeephole, typeAttr], list, 8, r['x']!.shape[0]!) as TensorInfo[];
    },
  });
  registered = true;
  return true;
}

interface SegmentOutputs {
  x: Tensor3D;
  cs: Tensor2D;
  h: Tensor2D;
  outs: Tensor3D[]; // i, cs, f, o, ci, co, h
}

/** Time indices where some sequence starts an episode (starts: [T × B], row t*B + k), 0 excluded. */
function boundaries(starts: Uint8Array | null, T: number, B: number): number[] {
  const cuts: number[] = [];
  if (starts === null) return cuts;
  for (let t = 1; t < T; t++) {
    for (let k = 0; k < B; k++) {
      if (starts[t * B + k]) {
        cuts.push(t);
        break;
      }
    }
  }
  return cuts;
}

/** (1 − start) per sequence at step t as a [B, 1] column, or null when no sequence starts there. */
export function keepMask(starts: Uint8Array | null, t: number, B: number): Tensor2D | null {
  if (starts === null) return null;
  const m = new Float32Array(B);
  let any = false;
  for (let k = 0; k < B; k++) {
    m[k] = starts[t * B + k] ? 0 : 1;
    if (starts[t * B + k]) any = true;
  }
  return any ? tf.tensor2d(m, [B, 1]) : null;
}

/** seq[T − 1] as [B, U] (one gather: a slice would need a reshape after it). */
function lastStep(seq: Tensor3D): Tensor2D {
  const [T, B, U] = seq.shape;
  return (T === 1 ? tf.reshape(seq, [B, U]) : tf.gather(seq, T - 1, 0)) as Tensor2D;
}

/** Segment edges [0, cuts..., T] and lengths for a batch of T × B steps. */
function segmentsOf(starts: Uint8Array | null, T: number, B: number): { edges: number[]; lengths: number[] } {
  const edges = [0, ...boundaries(starts, T, B), T];
  return { edges, lengths: edges.slice(1).map((e, s) => e - edges[s]!) };
}

function runSegments(x: Tensor3D, h0: Tensor2D, c0: Tensor2D, w: Tensor2D, b: Tensor1D, starts: Uint8Array | null): SegmentOutputs[] {
  const [T, B] = x.shape;
  const { edges, lengths } = segmentsOf(starts, T, B);
  // Every segment's inputs in one split (a slice per segment costs a kernel each).
  const xsAll = lengths.length === 1 ? [x] : (tf.split(x, lengths, 0) as Tensor3D[]);
  const segments: SegmentOutputs[] = [];
  let h = h0;
  let c = c0;
  for (let s = 0; s + 1 < edges.length; s++) {
    const t0 = edges[s]!;
    const mask = keepMask(starts, t0, B);
    if (mask !== null) {
      h = tf.mul(h, mask);
      c = tf.mul(c, mask);
    }
    const xs = xsAll[s]!;
    const outs = tf.engine().runKernel(KERNEL, { x: xs, cs: c, h, w, b }, {}) as Tensor3D[];
    segments.push({ x: xs, cs: c, h, outs });
    h = lastStep(outs[6]!);
    c = lastStep(outs[1]!);
  }
  return segments;
}

/**
 * Runs the fused LSTM over x [T, B, in] from (h0, c0) [B, U], resetting the state of sequence k before
 * step t where starts[t*B + k] is 1. Returns every step's output [T, B, U] and the final state. No
 * gradient: for acting and evaluation (lstmSequence is the differentiable version).
 */
export function lstmRun(x: Tensor3D, h0: Tensor2D, c0: Tensor2D, w: Tensor2D, b: Tensor1D, starts: Uint8Array | null): { output: Tensor3D; h: Tensor2D; c: Tensor2D } {
  const segments = runSegments(x, h0, c0, w, b, starts);
  const last = segments[segments.length - 1]!;
  const output = segments.length === 1 ? last.outs[6]! : (tf.concat(segments.map((s) => s.outs[6]!), 0) as Tensor3D);
  return { output, h: lastStep(last.outs[6]!), c: lastStep(last.outs[1]!) };
}

/**
 * The differentiable version of lstmRun's output (gradients to x, h0, c0, w and b through
 * BlockLSTMGradV2, segment by segment in reverse, the carried state's gradient masked at each start).
 */
export function lstmSequence(x: Tensor3D, h0: Tensor2D, c0: Tensor2D, w: Tensor2D, b: Tensor1D, starts: Uint8Array | null): Tensor3D {
  const [T, B] = x.shape;
  const U = h0.shape[1];
  let segments: SegmentOutputs[] = [];
  const op = tf.customGrad(((xx: Tensor3D, hh: Tensor2D, cc: Tensor2D, ww: Tensor2D, bb: Tensor1D) => {
    segments = runSegments(xx, hh, cc, ww, bb, starts);
    const value = segments.length === 1 ? segments[0]!.outs[6]! : tf.concat(segments.map((s) => s.outs[6]!), 0);
    // What the backward pass reads. The engine disposes everything the loss function created once the
    // forward pass is over, so: tensors this op made are kept as they are, the inputs and the output (the
    // caller's and the engine's) as clones; all released when the gradient has run. (customGrad's save()
    // would clone every one of them: an Identity kernel each, ~10 per segment.)
    const foreign = new Set<Tensor>([xx, hh, cc, ww, bb, value]);
    const clones = new Map<Tensor, Tensor>();
    const hold = (t: Tensor): Tensor => {
      if (!foreign.has(t)) return tf.keep(t);
      let c = clones.get(t);
      if (c === undefined) {
        c = tf.keep(tf.clone(t));
        clones.set(t, c);
      }
      return c;
    };
    const saved = [ww, bb, ...segments.flatMap((s) => [s.x, s.cs, s.h, ...s.outs])].map(hold);
    const release = [...new Set(saved)];
    return {
      value,
      gradFunc: (dy: Tensor) => {
        const [ws, bs] = saved as [Tensor2D, Tensor1D];
        const { edges, lengths } = segmentsOf(starts, T, B);
        const dys = lengths.length === 1 ? [dy] : tf.split(dy, lengths, 0);
        const dxs: Tensor[] = [];
        const dws: Tensor[] = [];
        const dbs: Tensor[] = [];
        let dhNext: Tensor2D | null = null; // gradient reaching this segment's last h (and c) from the next
        let dcNext: Tensor2D | null = null;
        for (let s = segments.length - 1; s >= 0; s--) {
          const base = 2 + s * 10;
          const [xs, cs, hs, i, csSeq, f, o, ci, co, hSeq] = saved.slice(base, base + 10) as Tensor3D[];
          const t0 = edges[s]!;
          const len = lengths[s]!;
          let dh = dys[s]!;
          let dcs: Tensor = tf.zeros([len, B, U]);
          if (dhNext !== null) {
            // The next segment's initial state is this one's last step: its gradient joins there.
            const pad: [number, number][] = [[len - 1, 0], [0, 0], [0, 0]];
            dh = tf.add(dh, tf.pad(tf.reshape(dhNext, [1, B, U]), pad));
            dcs = tf.pad(tf.reshape(dcNext!, [1, B, U]), pad);
          }
          const g = tf.engine().runKernel(GRAD_KERNEL, { x: xs!, cs: cs!, h: hs!, w: ws, b: bs, i: i!, csSeq: csSeq!, f: f!, o: o!, ci: ci!, co: co!, hSeq: hSeq!, dcs, dh }, {}) as Tensor[];
          dxs.unshift(g[0]!);
          dws.push(g[3]!);
          dbs.push(g[7]!);
          const mask = keepMask(starts, t0, B);
          dhNext = (mask === null ? g[2]! : tf.mul(g[2]!, mask)) as Tensor2D;
          dcNext = (mask === null ? g[1]! : tf.mul(g[1]!, mask)) as Tensor2D;
        }
        const dx = dxs.length === 1 ? dxs[0]! : tf.concat(dxs, 0);
        tf.dispose(release);
        const sum = (ts: Tensor[]) => (ts.length === 1 ? ts[0]! : tf.addN(ts));
        return [dx, dhNext!, dcNext!, sum(dws), sum(dbs)];
      },
    };
  }) as never) as unknown as (x: Tensor3D, h0: Tensor2D, c0: Tensor2D, w: Tensor2D, b: Tensor1D) => Tensor3D;
  return op(x, h0, c0, w, b);
}
