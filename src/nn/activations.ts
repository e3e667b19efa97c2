import type { Tensor } from '@tensorflow/tfjs-node';
import { tf } from '../backend.ts';

/** The activations a network config may name. */
export const ACTIVATIONS = ['linear', 'tanh', 'relu', 'elu', 'sigmoid'] as const;
/** One of ACTIVATIONS. */
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
