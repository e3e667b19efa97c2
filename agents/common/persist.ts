// Saving and loading agent state: agent.json (config, spaces, counters), one tfjs model folder per
// network, and optimizer moments as raw float32 files.
import fs from 'node:fs';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-node';
import { z } from 'zod';
import { spaceFromJSON, type Space, type SpaceJson } from '../../envs/spaces/space.ts';
import { tf } from '../../src/backend.ts';
import { ConfigError, parseConfig } from '../../src/config/parse.ts';
import { readJsonFile } from '../../src/config/read-json.ts';
import type { FlatOptimizer } from '../../src/nn/flat-optimizer.ts';
import { version } from '../../src/version.ts';

export const AgentFile = z.object({
  algo: z.enum(['dqn', 'a2c', 'ppo']),
  version: z.string(),
  config: z.record(z.string(), z.unknown()),
  observationSpace: z.record(z.string(), z.unknown()),
  actionSpace: z.record(z.string(), z.unknown()),
  state: z.record(z.string(), z.unknown()).default({}),
});
export type AgentFile = z.infer<typeof AgentFile>;

export function readAgentFile(dir: string, algo: AgentFile['algo']): { file: AgentFile; observationSpace: Space; actionSpace: Space } {
  const p = path.join(dir, 'agent.json');
  if (!fs.existsSync(p)) throw ConfigError.single(dir, `has no agent.json; expected a directory written by ${algo}.save()`);
  const file = parseConfig(AgentFile, readJsonFile(p), p);
  if (file.algo !== algo) throw ConfigError.single(`${p}.algo`, `is '${file.algo}'; expected '${algo}'`);
  return {
    file,
    observationSpace: spaceFromJSON(file.observationSpace as unknown as SpaceJson),
    actionSpace: spaceFromJSON(file.actionSpace as unknown as SpaceJson),
  };
}

export async function saveModel(model: LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(`file://${dir}`);
}

/** Writes agent.json: what an agent needs to be rebuilt (config, spaces) plus its own counters. */
export function writeAgentFile(dir: string, file: Omit<AgentFile, 'version'>): void {
  fs.writeFileSync(path.join(dir, 'agent.json'), `${JSON.stringify({ ...file, version: version() }, null, 2)}\n`);
}

/** Loads saved weights into an existing network of the same architecture. */
export async function loadWeightsInto(model: LayersModel, dir: string): Promise<void> {
  const loaded = await tf.loadLayersModel(`file://${path.join(dir, 'model.json')}`);
  try {
    const src = loaded.weights;
    if (src.length !== model.weights.length) {
      throw ConfigError.single(dir, `holds ${src.length} weights; expected ${model.weights.length} for this network`);
    }
    tf.tidy(() => model.weights.forEach((w, i) => w.write(src[i]!.read().clone())));
  } finally {
    loaded.dispose();
  }
}

export function saveOptimizer(opt: FlatOptimizer, dir: string, name: string): { t: number } {
  const { t, m, v } = opt.getState();
  fs.writeFileSync(path.join(dir, `${name}.m.bin`), Buffer.from(m.buffer, m.byteOffset, m.byteLength));
  fs.writeFileSync(path.join(dir, `${name}.v.bin`), Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  return { t };
}

export function loadOptimizer(opt: FlatOptimizer, dir: string, name: string, t: number): void {
  const read = (suffix: string) => {
    const b = fs.readFileSync(path.join(dir, `${name}.${suffix}.bin`));
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
  opt.setState({ t, m: read('m'), v: read('v') });
}
