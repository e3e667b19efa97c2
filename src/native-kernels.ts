// Faster replacements for tfjs-node kernels whose cost is JavaScript bookkeeping, not TensorFlow's work.
//
// Reshape: tfjs-node 4.22 builds a fresh int32 shape tensor through the tfjs engine on every call
// (tensor creation, scope tracking, upload to a native handle, disposal), which made a reshape cost
// 2-3x an elementwise add (measured 31-49 µs against 16-22 µs; 8 µs with this kernel). tfjs itself
// reshapes all the time (every fused matMul reshapes to 3-D and back, gradients of broadcasts reshape),
// so an RL update of a small MLP ran ~100 reshapes. This kernel keeps one native shape handle per
// distinct shape (outside the tfjs engine, so `tf.memory()` is unchanged) and runs TensorFlow's Reshape
// op directly on it. The result is TensorFlow's own Reshape output, identical to the original kernel's.
//
// It relies on tfjs-node's binding (`executeOp`, `createTensor`, `deleteTensor`) and backend helpers
// (`getInputTensorIds`, `createOutputTensor`, `getDTypeInteger`), present in the pinned 4.22.0; if any is
// missing the original kernel stays. WNRL_NATIVE_KERNELS=0 keeps the originals too (for comparisons).
import type * as TfNode from '@tensorflow/tfjs-node';

interface Binding {
  TF_ATTR_TYPE: number;
  TF_INT32: number;
  executeOp(name: string, attrs: unknown[], inputs: number[], numOutputs: number): unknown[];
  createTensor(shape: number[], dtype: number, values: Int32Array): number;
  deleteTensor(id: number): void;
}
interface NodeBackend {
  binding: Binding;
  getInputTensorIds(tensors: unknown[]): number[];
  createOutputTensor(metadata: unknown): unknown;
  getDTypeInteger(dtype: string): number;
}

/** Distinct shapes kept as native handles; beyond this the oldest is freed (shapes in RL loops are few). */
const MAX_SHAPES = 512;

function isNodeBackend(b: unknown): b is NodeBackend {
  const nb = b as Partial<NodeBackend> | null;
  const binding = nb?.binding as Partial<Binding> | undefined;
  return (
    typeof nb?.getInputTensorIds === 'function' &&
    typeof nb.createOutputTensor === 'function' &&
    typeof nb.getDTypeInteger === 'function' &&
    typeof binding?.executeOp === 'function' &&
    typeof binding.createTensor === 'function' &&
    typeof binding.deleteTensor === 'function' &&
    typeof binding.TF_ATTR_TYPE === 'number' &&
    typeof binding.TF_INT32 === 'number'
  );
}

type KernelConfig = NonNullable<ReturnType<typeof TfNode.getKernel>>;
const swaps: { original: KernelConfig; faster: KernelConfig }[] = [];

/** Switches between wnrl's kernels and tfjs-node's originals (benchmarks compare both in one process). */
export function useNativeKernels(tf: typeof TfNode, enabled: boolean): void {
  for (const { original, faster } of swaps) {
    tf.unregisterKernel(original.kernelName, original.backendName);
    tf.registerKernel(enabled ? faster : original);
  }
}

/** Installs the faster kernels on the `tensorflow` backend; returns the names of the kernels replaced. */
export function installNativeKernels(tf: typeof TfNode): string[] {
  if (process.env.WNRL_NATIVE_KERNELS === '0' || swaps.length > 0) return swaps.map((k) => k.original.kernelName);
  const backend = tf.findBackend('tensorflow');
  if (!isNodeBackend(backend)) return [];
  const original = tf.getKernel('Reshape', 'tensorflow');
  if (original === undefined) return [];
  const { binding } = backend;
  const shapes = new Map<string, number>();
  const tshape = { name: 'Tshape', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 };

  const shapeHandle = (shape: readonly number[]): number => {
    const key = shape.join(',');
    let id = shapes.get(key);
    if (id === undefined) {
      if (shapes.size >= MAX_SHAPES) {
        const [oldestKey, oldestId] = shapes.entries().next().value as [string, number];
        shapes.delete(oldestKey);
        binding.deleteTensor(oldestId);
      }
      id = binding.createTensor([shape.length], binding.TF_INT32, Int32Array.from(shape));
      shapes.set(key, id);
    }
    return id;
  };

  const faster: KernelConfig = {
    ...original,
    kernelFunc: ({ inputs, attrs }) => {
      const x = (inputs as { x: TfNode.Tensor }).x;
      const shape = (attrs as { shape: number[] }).shape;
      const opAttrs = [{ name: 'T', type: binding.TF_ATTR_TYPE, value: backend.getDTypeInteger(x.dtype) }, tshape];
      const [meta] = binding.executeOp('Reshape', opAttrs, [backend.getInputTensorIds([x])[0]!, shapeHandle(shape)], 1);
      return backend.createOutputTensor(meta) as TfNode.Tensor;
    },
  };
  swaps.push({ original, faster });
  useNativeKernels(tf, true);
  return ['Reshape'];
}
