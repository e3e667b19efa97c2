// `wnrl demo`: a small real job on the native backend — fit a 2-hidden-layer network to a noisy synthetic
// regression and print the loss falling. Proves the backend, the logger and the CLI work end to end.
import type { Tensor } from '@tensorflow/tfjs-node';
import { z } from 'zod';
import { backendInfo, tf } from '../backend.ts';
import { positiveInt, seed } from '../config/common.ts';
import { parseConfig } from '../config/parse.ts';
import { createLogger } from '../log/logger.ts';
import { numericFlags, parseFlags } from './args.ts';
import type { Io } from './main.ts';

const DemoConfig = z.strictObject({ steps: positiveInt().default(300), seed: seed().default(0) });

export async function demo(args: string[], io: Io): Promise<number> {
  const { values } = parseFlags(args, { steps: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.out.write('Usage: wnrl demo [--steps N] [--seed S]\n');
    return 0;
  }
  const config = parseConfig(DemoConfig, numericFlags(values, { steps: positiveInt(), seed: seed() }));
  const log = createLogger({ console: io.err });
  const info = backendInfo();
  log.info({ backend: info.backend, tfjs: info.tfjsVersion, tensorflow: info.tensorflowVersion }, 'backend');

  // y = sin(3 x0) + x1 x2 + noise, 256 samples of 3 inputs.
  const { x, y } = tf.tidy(() => {
    const x = tf.randomUniform([256, 3], -1, 1, 'float32', config.seed);
    const [x0, x1, x2] = tf.split(x, 3, 1) as [Tensor, Tensor, Tensor];
    const noise = tf.randomNormal([256, 1], 0, 0.05, 'float32', config.seed + 1);
    return { x, y: tf.sin(x0.mul(3)).add(x1.mul(x2)).add(noise) };
  });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [3], units: 64, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed }) }),
      tf.layers.dense({ units: 64, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed + 1 }) }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: config.seed + 2 }) }),
    ],
  });
  const optimizer = tf.train.adam(0.01);
  const t0 = performance.now();
  let first = Number.NaN;
  let last = Number.NaN;
  for (let step = 1; step <= config.steps; step++) {
    const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as Tensor), true);
    if (step === 1 || step % 50 === 0 || step === config.steps) {
      last = (await loss!.data())[0]!;
      if (step === 1) first = last;
      log.info({ step, loss: Number(last.toFixed(5)) }, 'train');
    }
    loss?.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  io.out.write(
    `demo: ${config.steps} Adam steps on the ${info.backend} backend in ${seconds.toFixed(2)} s; ` +
      `loss ${first.toFixed(4)} -> ${last.toFixed(4)}\n`,
  );
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return last < first ? 0 : 1;
}
