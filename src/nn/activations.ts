import type { Tensor } from '@tensorflow/tfjs-node';
import { tf } from '../backend.ts';

export const ACTIVATIONS = ['linear', 'tanh', 'relu', 'elu', 'sigmoid'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export function applyActivation(x: Tensor, activation: Activation): Tensor {
  switch (activation) {
    case 'linear':
      return x;
    case 'tanh':
      return tf.tanh(x);
    case 'relu':
      return tf.relu(x);
    case 'elu':
      return tf.elu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
  }
}
