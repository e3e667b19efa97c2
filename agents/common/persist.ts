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

/** What a model folder's model.json must hold to be read (tfjs checks the topology and the weights). */
const ModelJson = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(z.object({ name: z.string(), shape: z.array(z.number()), dtype: z.string() })) })),
  format: z.string().optional(),
  generatedBy: z.string().optional(),
});
type ModelArtifacts = Parameters<Parameters<typeof tf.io.withSaveHandler>[0]>[0];

/**
 * A tfjs model folder, model.json and weights.bin, as tfjs-node's `file://` handler writes and reads it,
 * through Node's fs: the same files on any backend (the opt-in pure-JS backend has no `file://` handler).
 */
const modelFolder = {
  save(dir: string): Parameters<LayersModel['save']>[0] {
    return tf.io.withSaveHandler((artifacts) => {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error(`${dir}: a binary model topology cannot be written as model.json`);
      fs.mkdirSync(dir, { recursive: true });
      const json: Record<string, unknown> = {
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
      };
      if (artifacts.trainingConfig != null) json['trainingConfig'] = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata != null) json['userDefinedMetadata'] = artifacts.userDefinedMetadata;
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData)));
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) });
    });
  },
  load(dir: string): Parameters<typeof tf.loadLayersModel>[0] {
    return {
      load: () => {
        const file = path.join(dir, 'model.json');
        const json = parseConfig(ModelJson, readJsonFile(file), file);
        const buffers = json.weightsManifest.flatMap((group) => group.paths.map((p) => fs.readFileSync(path.join(dir, p))));
        const artifacts: ModelArtifacts = {
          modelTopology: json.modelTopology,
          weightSpecs: json.weightsManifest.flatMap((group) => group.weights) as NonNullable<ModelArtifacts['weightSpecs']>,
          weightData: tf.io.CompositeArrayBuffer.join(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer)),
        };
        if (json.format !== undefined) artifacts.format = json.format;
        if (json.generatedBy !== undefined) artifacts.generatedBy = json.generatedBy;
        return Promise.resolve(artifacts);
      },
    };
  },
};

export async function saveModel(model: LayersModel, dir: string): Promise<void> {
  await model.save(modelFolder.save(dir));
}

/** Reads a model folder written by saveModel (or tfjs-node's `file://` handler), on any backend. */
export function loadModel(dir: string): Promise<LayersModel> {
  return tf.loadLayersModel(modelFolder.load(dir));
}

/** Writes agent.json: what an agent needs to be rebuilt (config, spaces) plus its own counters. */
export function writeAgentFile(dir: string, file: Omit<AgentFile, 'version'>): void {
  fs.writeFileSync(path.join(dir, 'agent.json'), `${JSON.stringify({ ...file, version: version() }, null, 2)}\n`);
}

/** Loads saved weights into an existing network of the same architecture. */
export async function loadWeightsInto(model: LayersModel, dir: string): Promise<void> {
  const loaded = await loadModel(dir);
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
