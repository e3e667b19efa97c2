// Loads TensorFlow.js once for the whole process and reports which backend runs.
//
// wnrl runs on the native TensorFlow backend (@tensorflow/tfjs-node). It never falls back silently to the
// pure-JS `cpu` backend (10-50x slower for RL-sized networks): that backend runs only when asked for with
// WNRL_BACKEND=cpu. Everything in wnrl imports `tf` from here, so this file decides.
import type * as TfNode from '@tensorflow/tfjs-node';
import { createRequire } from 'node:module';
import { BackendError } from './errors.ts';
import { setupCommand } from './package-root.ts';

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

/**
 * tfjs-core casts float32 to float32 in many gradients (every tensor saved for the backward pass is a
 * clone whose gradient is a Cast, and Multiply's, Square's, Minimum's gradients cast too); tfjs-node runs
 * each as a native op (~25 µs here). A cast to the same dtype is the identity: share the data, as
 * tfjs-node's own Identity kernel does. Other casts go to tfjs-node's kernel unchanged.
 */
function shortCircuitSameDtypeCast(tfn: typeof TfNode): void {
  const original = tfn.getKernel('Cast', 'tensorflow');
  if (original === undefined) return;
  tfn.unregisterKernel('Cast', 'tensorflow');
  tfn.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const x = args.inputs['x']!;
      if (x.dtype === (args.attrs as { dtype?: string }).dtype) {
        (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
        return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
      }
      return original.kernelFunc(args);
    },
  });
}

const loaded = load();
if (loaded.info.backend === 'tensorflow') shortCircuitSameDtypeCast(loaded.tf);

/** The TensorFlow.js namespace every wnrl module uses (tfjs-node's, which adds `tf.node`). */
export const tf: typeof TfNode = loaded.tf;

/** The active backend and versions (also written into every run's summary.json). */
export function backendInfo(): BackendInfo {
  return loaded.info;
}
