// Loads TensorFlow.js once for the whole process and reports which backend runs.
//
// wnrl runs on the native TensorFlow backend (@tensorflow/tfjs-node). It never falls back silently to the
// pure-JS `cpu` backend (10-50x slower for RL-sized networks): that backend runs only when asked for with
// WNRL_BACKEND=cpu. Everything in wnrl imports `tf` from here, so this file decides.
import type * as TfNode from '@tensorflow/tfjs-node';
import { createRequire } from 'node:module';
import { BackendError } from './errors.ts';
import { setupCommand } from './package-root.ts';
import { blockAsyncSignals } from './signal-mask.ts';

// TensorFlow prints CPU-feature INFO lines when the library loads; keep warnings and errors only.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
// oneDNN's kernels cost more per op than TensorFlow's own on the tiny matrices of RL networks (per-op
// overhead dominates; see bench/README.md), and its load-time notice ignores TF_CPP_MIN_LOG_LEVEL.
// Off unless the user sets TF_ENABLE_ONEDNN_OPTS=1 themselves.
process.env.TF_ENABLE_ONEDNN_OPTS ??= '0';

/** 'tensorflow' (the native tfjs-node addon, wnrl's backend) or 'cpu' (pure JavaScript, only when asked for). */
export type BackendName = 'tensorflow' | 'cpu';
/** The active backend and the versions behind it. */
export interface BackendInfo {
  /** The tfjs backend in use: `tensorflow` (native, libtensorflow) or `cpu` (pure JS, opt-in only). */
  readonly backend: BackendName;
  readonly tfjsVersion: string;
  /** libtensorflow's version when native, otherwise null. */
  readonly tensorflowVersion: string | null;
  /** Why this backend: the default, or the environment variable that asked for another one. */
  readonly reason: string;
}

const require = createRequire(import.meta.url);

function requested(): BackendName {
  const value = (process.env.WNRL_BACKEND ?? 'tensorflow').toLowerCase();
  if (value === 'tensorflow' || value === 'native' || value === '') return 'tensorflow';
  if (value === 'cpu') return 'cpu';
  throw new BackendError(`WNRL_BACKEND: unknown backend; got '${value}', expected 'tensorflow' or 'cpu'`);
}

function load(): { tf: typeof TfNode; info: BackendInfo } {
  const want = requested();
  if (want === 'cpu') {
    const tfjs = require('@tensorflow/tfjs') as typeof TfNode;
    tfjs.setBackend('cpu').catch(() => undefined);
    return {
      tf: tfjs,
      info: { backend: 'cpu', tfjsVersion: tfjs.version.tfjs, tensorflowVersion: null, reason: 'WNRL_BACKEND=cpu' },
    };
  }
  // before libtensorflow starts its thread pools (they inherit the mask): see signal-mask.ts
  if ((process.env.WNRL_SIGNAL_MASK ?? '1') !== '0') {
    const mask = blockAsyncSignals();
    if (!mask.blocked && process.platform === 'linux') {
      process.emitWarning(`signals could not be kept off TensorFlow's threads (${mask.reason}): a signal during training (Ctrl-C, a child exiting) may corrupt the heap (oneDNN issue #4845)`, 'WnrlWarning');
    }
  }
  let tfn: typeof TfNode;
  try {
    tfn = require('@tensorflow/tfjs-node') as typeof TfNode;
  } catch (cause) {
    const first = String((cause as Error).message ?? cause).split('\n')[0];
    throw new BackendError(
      `backend: the native TensorFlow backend (@tensorflow/tfjs-node) failed to load; got "${first}". ` +
        `Run \`${setupCommand()}\` to provision it, or set WNRL_BACKEND=cpu to run on the slow pure-JS backend.`,
      { cause },
    );
  }
  if (tfn.getBackend() !== 'tensorflow') {
    throw new BackendError(`backend: tfjs-node loaded but the active backend is '${tfn.getBackend()}', expected 'tensorflow'`);
  }
  const versions = tfn.version as Record<string, string | undefined>;
  const binding = (tfn.backend() as unknown as { binding?: { TF_Version?: unknown } }).binding;
  return {
    tf: tfn,
    info: {
      backend: 'tensorflow',
      tfjsVersion: versions['tfjs'] ?? versions['tfjs-core'] ?? 'unknown',
      tensorflowVersion: typeof binding?.TF_Version === 'string' ? binding.TF_Version : null,
      reason: 'default (native)',
    },
  };
}

/** Replaces tfjs-node's kernel `name` by `wrap(original)` (which may hand calls back to the original). */
function wrapKernel(tfn: typeof TfNode, name: string, wrap: (original: TfNode.KernelConfig) => TfNode.KernelFunc): boolean {
  const original = tfn.getKernel(name, 'tensorflow');
  if (original === undefined) return false;
  tfn.unregisterKernel(name, 'tensorflow');
  tfn.registerKernel({ ...original, kernelFunc: wrap(original) });
  return true;
}

/**
 * tfjs-core casts float32 to float32 in many gradients (every tensor saved for the backward pass is a
 * clone whose gradient is a Cast, and Multiply's, Square's, Minimum's gradients cast too); tfjs-node runs
 * each as a native op (~25 µs here). A cast to the same dtype is the identity: share the data, as
 * tfjs-node's own Identity kernel does. Other casts go to tfjs-node's kernel unchanged.
 */
function shortCircuitSameDtypeCast(tfn: typeof TfNode): void {
  wrapKernel(tfn, 'Cast', (original) => (args) => {
    const x = args.inputs['x']!;
    if (x.dtype === (args.attrs as { dtype?: string }).dtype) {
      (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    }
    return original.kernelFunc(args);
  });
}

/**
 * Matrix products large enough to be compute-bound run through oneDNN's kernel; the rest through
 * TensorFlow's Eigen kernel, as tfjs-node does.
 *
 * This libtensorflow (the tensorflow-cpu wheel) compiles its Eigen kernels for AVX without FMA, while its
 * oneDNN kernels pick the CPU's instructions at run time (AVX-512 here). With oneDNN's graph options off
 * (TF_ENABLE_ONEDNN_OPTS=0, above: they cost more per op on small tensors), its matmul is still there as
 * the op `_MklMatMul` / `_MklBatchMatMulV2` under the kernel label `MklNameChangeOp`, and runs as an eager
 * op like any other. Measured (bench/README.md): a 64×256×256 product ~1.7x faster; below about a million
 * multiply-adds the two cost the same (2-D) or oneDNN's batched kernel costs ~90 µs more (it sets up a
 * primitive per call), hence the thresholds. Same arithmetic, other rounding (float32 sums in another
 * order); deterministic for a given shape. WNRL_ONEDNN_MATMUL=0 keeps every product on Eigen; a
 * libtensorflow without the op (probed once) does the same.
 */
export const ONEDNN_MIN_MACS = { matMul: 1 << 20, batchMatMul: 1 << 22 } as const;

interface Info {
  dataId: object;
  shape: number[];
  dtype: string;
}

/**
 * One float32 product a·b (transposes optional) through a named native kernel, outside tfjs's dispatch:
 * 'eigen' is tfjs-node's own (BatchMatMulV2, any rank), 'onednn' oneDNN's (_MklMatMul for 2-D,
 * _MklBatchMatMulV2 otherwise).
 */
function nativeProduct(tfn: typeof TfNode, impl: 'eigen' | 'onednn', a: Info, b: Info, transposeA: boolean, transposeB: boolean): Info {
  const backend = tfn.backend() as unknown as {
    binding: { TF_ATTR_TYPE: number; TF_ATTR_BOOL: number; TF_ATTR_STRING: number; TF_FLOAT: number };
    executeSingleOutput(name: string, attrs: unknown[], inputs: Info[]): Info;
  };
  const { binding } = backend;
  const attrs: unknown[] = [{ name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT }];
  const flags = (x: string, y: string) => attrs.push({ name: x, type: binding.TF_ATTR_BOOL, value: transposeA }, { name: y, type: binding.TF_ATTR_BOOL, value: transposeB });
  if (impl === 'eigen') {
    flags('adj_x', 'adj_y');
    return backend.executeSingleOutput('BatchMatMulV2', attrs, [a, b]);
  }
  const twoD = a.shape.length === 2;
  if (twoD) flags('transpose_a', 'transpose_b');
  else flags('adj_x', 'adj_y');
  attrs.push({ name: '_kernel', type: binding.TF_ATTR_STRING, value: 'MklNameChangeOp' });
  return backend.executeSingleOutput(twoD ? '_MklMatMul' : '_MklBatchMatMulV2', attrs, [a, b]);
}

/**
 * a·b through one native kernel chosen by name, whatever the thresholds say (for tests and bench/matmul.ts,
 * which compare the two). Native backend only; no gradient.
 */
export function matMulKernel(impl: 'eigen' | 'onednn', a: TfNode.Tensor, b: TfNode.Tensor, transposeA = false, transposeB = false): TfNode.Tensor {
  if (loaded.info.backend !== 'tensorflow') throw new BackendError(`matMulKernel: needs the native backend; got '${loaded.info.backend}'`);
  const out = nativeProduct(loaded.tf, impl, a as unknown as Info, b as unknown as Info, transposeA, transposeB);
  return loaded.tf.engine().makeTensorFromTensorInfo(out as never) as TfNode.Tensor;
}

function oneDnnMatMul(tfn: typeof TfNode): boolean {
  if ((process.env.WNRL_ONEDNN_MATMUL ?? '1') === '0') return false;
  try {
    // the probe: both oneDNN ops exist in this libtensorflow and compute a product
    const a = tfn.tensor2d([1, 2, 3, 4], [2, 2]) as unknown as Info;
    const b = tfn.tensor3d([1, 2, 3, 4], [1, 2, 2]) as unknown as Info;
    for (const [x, y] of [[a, a], [b, b]] as const) (tfn.engine().makeTensorFromTensorInfo(nativeProduct(tfn, 'onednn', x, y, false, false) as never) as TfNode.Tensor).dispose();
    tfn.dispose([a, b] as unknown as TfNode.Tensor[]);
  } catch {
    return false;
  }
  return wrapKernel(tfn, 'BatchMatMul', (original) => (args) => {
    const a = args.inputs['a'] as unknown as Info;
    const b = args.inputs['b'] as unknown as Info;
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (a.dtype === 'float32' && b.dtype === 'float32' && a.shape.length === b.shape.length) {
      const r = a.shape.length;
      const m = a.shape[transposeA ? r - 1 : r - 2]!;
      const k = a.shape[transposeA ? r - 2 : r - 1]!;
      const n = b.shape[transposeB ? r - 2 : r - 1]!;
      const batch = a.shape.slice(0, -2);
      const same = batch.every((d, i) => d === b.shape[i]);
      const macs = batch.reduce((x, d) => x * d, 1) * m * k * n;
      if ((r === 2 && macs >= ONEDNN_MIN_MACS.matMul) || (r === 3 && same && macs >= ONEDNN_MIN_MACS.batchMatMul)) return nativeProduct(tfn, 'onednn', a, b, transposeA, transposeB) as never;
    }
    return original.kernelFunc(args);
  });
}

const loaded = load();
if (loaded.info.backend === 'tensorflow') shortCircuitSameDtypeCast(loaded.tf);
/** Whether large matrix products run through oneDNN's kernel (see oneDnnMatMul). */
export const oneDnnMatMulActive = loaded.info.backend === 'tensorflow' && oneDnnMatMul(loaded.tf);

/** The TensorFlow.js namespace every wnrl module uses (tfjs-node's, which adds `tf.node`). */
export const tf: typeof TfNode = loaded.tf;

/** The active backend and versions (also written into every run's summary.json). */
export function backendInfo(): BackendInfo {
  return loaded.info;
}

/**
 * A flat float32 vector held by TensorFlow as a resource variable, for the native training kernels that
 * update their variables in place (ResourceApplyAdam). tfjs has no resource variables: the handle is a
 * tfjs tensor of dtype 'string' (how tfjs-node carries DT_RESOURCE) that only native ops read. The
 * variable is anonymous (TensorFlow's reserved shared name), so it lives as long as its handle.
 */
export class NativeVector {
  /** The handle (DT_RESOURCE), kept outside any tidy scope until dispose(). */
  private readonly handle: TfNode.Tensor;

  constructor(readonly size: number) {
    this.handle = loaded.tf.keep(nativeOp('VarHandleOp', [dtypeAttr('dtype'), { name: 'shape', type: 'shape', value: [size] }, { name: 'container', type: 'string', value: '' }, { name: 'shared_name', type: 'string', value: ANONYMOUS_RESOURCE }], [], 1)[0]!);
  }

  /** Sets the values ([size] float32). */
  assign(value: TfNode.Tensor): void {
    if (value.size !== this.size) throw new Error(`NativeVector.assign: ${value.size} values for a vector of ${this.size}`);
    nativeOp('AssignVariableOp', [dtypeAttr('dtype')], [this.handle, value], 0);
  }

  /** The values as a [size] tensor (TensorFlow may share the variable's buffer until its next update, which then copies). */
  read(): TfNode.Tensor1D {
    return nativeOp('ReadVariableOp', [dtypeAttr('dtype')], [this.handle], 1)[0] as TfNode.Tensor1D;
  }

  /**
   * TensorFlow's fused Adam step on this vector with moments m and v, in place (one kernel; Eigen threads
   * it): m ← m + (g − m)(1 − β1), v ← v + (g² − v)(1 − β2), p ← p − lr·√(1 − β2ᵗ)/(1 − β1ᵗ) · m/(√v + ε),
   * with β1ᵗ, β2ᵗ as given (`beta1Power`, `beta2Power`).
   */
  applyAdam(m: NativeVector, v: NativeVector, s: { beta1Power: number; beta2Power: number; learningRate: number; beta1: number; beta2: number; epsilon: number }, grad: TfNode.Tensor): void {
    const tfn = loaded.tf;
    tfn.tidy(() => {
      const scalars = [s.beta1Power, s.beta2Power, s.learningRate, s.beta1, s.beta2, s.epsilon].map((x) => tfn.scalar(x));
      nativeOp('ResourceApplyAdam', [dtypeAttr('T'), { name: 'use_locking', type: 'bool', value: false }, { name: 'use_nesterov', type: 'bool', value: false }], [this.handle, m.handle, v.handle, ...scalars, grad], 0);
    });
  }

  dispose(): void {
    this.handle.dispose();
  }
}

/** TensorFlow's shared name for an anonymous resource: owned by its handle, not registered in a container. */
const ANONYMOUS_RESOURCE = 'cd2c89b7-88b7-44c8-ad83-06c2a9158347';

type NativeAttr = { name: string; type: 'dtype'; value: 'float32' } | { name: string; type: 'bool'; value: boolean } | { name: string; type: 'string'; value: string } | { name: string; type: 'shape'; value: number[] };

function dtypeAttr(name: string): NativeAttr {
  return { name, type: 'dtype', value: 'float32' };
}

let nativeOps = 0;

/** How many ops ran through nativeOp (outside tfjs's kernel dispatch, which benchmarks count separately). */
export function nativeOpCount(): number {
  return nativeOps;
}

/** Runs the TensorFlow op `name` through tfjs-node's binding (no gradient); its outputs, tracked like any op's. */
function nativeOp(name: string, attrs: NativeAttr[], inputs: TfNode.Tensor[], numOutputs: number): TfNode.Tensor[] {
  if (loaded.info.backend !== 'tensorflow') throw new BackendError(`${name}: needs the native backend; got '${loaded.info.backend}'`);
  const backend = loaded.tf.backend() as unknown as {
    binding: Record<string, number>;
    executeMultipleOutputs(name: string, attrs: unknown[], inputs: TfNode.Tensor[], numOutputs: number): TfNode.Tensor[];
  };
  const b = backend.binding;
  const kinds = { dtype: b['TF_ATTR_TYPE'], bool: b['TF_ATTR_BOOL'], string: b['TF_ATTR_STRING'], shape: b['TF_ATTR_SHAPE'] };
  const native = attrs.map((a) => ({ name: a.name, type: kinds[a.type], value: a.type === 'dtype' ? b['TF_FLOAT'] : a.value }));
  nativeOps++;
  return backend.executeMultipleOutputs(name, native, inputs, numOutputs);
}

/**
 * Whether the native training kernels run here (the native backend, and this libtensorflow has
 * ResourceApplyAdam on anonymous resource variables): probed once with a one-element step.
 */
export const nativeAdamActive: boolean = (() => {
  if (loaded.info.backend !== 'tensorflow' || (process.env.WNRL_NATIVE_ADAM ?? '1') === '0') return false;
  try {
    const [p, m, v] = [new NativeVector(1), new NativeVector(1), new NativeVector(1)];
    const ok = loaded.tf.tidy(() => {
      for (const x of [p, m, v]) x.assign(loaded.tf.zeros([1]));
      p.applyAdam(m, v, { beta1Power: 0.9, beta2Power: 0.999, learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, loaded.tf.ones([1]));
      return Math.abs((p.read().dataSync()[0] ?? 0) + 0.1) < 1e-4;
    });
    for (const x of [p, m, v]) x.dispose();
    return ok;
  } catch {
    return false;
  }
})();

/** TensorFlow's one-kernel gradient of an activation, from its output y and the incoming dy. */
const ACTIVATION_GRAD_OPS = {
  relu: (y: TfNode.Tensor, dy: TfNode.Tensor) => ['ReluGrad', [dy, y]], // dy ⊙ (y > 0): y > 0 exactly where the input was
  tanh: (y: TfNode.Tensor, dy: TfNode.Tensor) => ['TanhGrad', [y, dy]], // dy ⊙ (1 − y²)
  sigmoid: (y: TfNode.Tensor, dy: TfNode.Tensor) => ['SigmoidGrad', [y, dy]], // dy ⊙ y ⊙ (1 − y)
  elu: (y: TfNode.Tensor, dy: TfNode.Tensor) => ['EluGrad', [dy, y]], // dy where y > 0, dy ⊙ (y + 1) elsewhere
} as const satisfies Record<string, (y: TfNode.Tensor, dy: TfNode.Tensor) => readonly [string, TfNode.Tensor[]]>;

/**
 * dy ⊙ φ'(z) from the output y = φ(z) of a float32 activation as one native kernel (TensorFlow's ReluGrad,
 * TanhGrad, SigmoidGrad, EluGrad), or null off the native backend. The same arithmetic as the tfjs ops
 * it replaces (three per layer for ReLU and tanh, one of them a slow broadcast comparison for ReLU).
 */
export function activationGradKernel(activation: keyof typeof ACTIVATION_GRAD_OPS, y: TfNode.Tensor, dy: TfNode.Tensor): TfNode.Tensor | null {
  if (loaded.info.backend !== 'tensorflow' || y.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const [name, inputs] = ACTIVATION_GRAD_OPS[activation](y, dy);
  return nativeOp(name, [dtypeAttr('T')], [...inputs], 1)[0]!;
}

/** Σx²/2 of a float32 tensor in one native kernel (TensorFlow's L2Loss; no gradient). */
export function halfSquaredNorm(x: TfNode.Tensor): TfNode.Scalar {
  return nativeOp('L2Loss', [dtypeAttr('T')], [x], 1)[0] as TfNode.Scalar;
}
