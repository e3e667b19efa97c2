// `wnrl export RUN_DIR --out DIR [--force]`: the run's policy as a plain TensorFlow.js model (normalized
// layers folded into ordinary ones: src/export/fold.ts) and a page where it drives the run's env live in
// the browser, drawn by the same renderer as `wnrl render`. DIR holds index.html, app.js (wnrl's env and
// the page, bundled by esbuild), policy.js (model, env and normalization statistics), tf.min.js (from the
// installed @tensorflow/tfjs) and model/ (model.json + weights.bin for tf.loadLayersModel on any static
// host). Everything is local: the page works offline and from file://.
import fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { LayersModel } from '@tensorflow/tfjs-node';
import { ActorCritic } from '../../agents/common/actor-critic.ts';
import { DQN } from '../../agents/dqn.ts';
import { loadAgent } from '../../agents/index.ts';
import { saveModel } from '../../agents/common/persist.ts';
import { makeEnv } from '../../envs/registry.ts';
import { Box } from '../../envs/spaces/space.ts';
import { isGymnasiumId } from '../../envs/vector/open.ts';
import { loadEnvConfigModule } from '../config/env-module.ts';
import { ConfigError, parseConfig } from '../config/parse.ts';
import { readJsonFile } from '../config/read-json.ts';
import { RunConfig } from '../config/run.ts';
import type { ExportedLstm, Lstm } from '../nn/lstm.ts';
import { foldMlp, modelArtifacts } from '../export/fold.ts';
import type { ExportedPolicy } from '../export/policy-file.ts';
import { fromSources } from '../package-root.ts';
import type { NormalizationState } from '../train/evaluate.ts';
import { isNonEmptyDir, runWithCheckpoint, writeDirAtomic } from '../train/run-dir.ts';
import { parseFlags } from './args.ts';
import type { Io } from './main.ts';

const HELP = `Usage: wnrl export RUN_DIR --out DIR [--force]

Writes the run's final policy (its checkpoint) as a plain TensorFlow.js model, normalized layers folded
into ordinary ones, and DIR/index.html: a page where the policy drives the run's env in the browser (seed
field, reset, pause). The page needs nothing installed and works from file:// or any static host;
DIR/model/model.json loads with tf.loadLayersModel; a recurrent policy's actor LSTM is
DIR/model/lstm.json (inference-mode weights, the equations in its doc), whose state the page carries. An
episode's return for a seed equals \`wnrl eval RUN_DIR --episodes 1 --seed S\`. wnrl's own envs and
custom env modules that run in a browser.
`;

/** Node's built-in modules resolve to an empty module: code the page never runs (the Gymnasium bridge) may import them. */
const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(b) {
    const builtins = new Set(builtinModules);
    b.onResolve({ filter: /.*/ }, (args) => (args.path.startsWith('node:') || builtins.has(args.path) ? { path: args.path, namespace: 'node-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/** The network that chooses actions: the policy head of an actor-critic (shared trunk: its first outputs), DQN's Q network. */
function actingNetwork(agent: unknown): { network: LayersModel; outputs: number; lstm: ExportedLstm | null } {
  if (agent instanceof DQN) return { network: agent.qNetwork, outputs: agent.actionSpace.n, lstm: null };
  if (agent instanceof ActorCritic) {
    // a recurrent policy: its actor LSTM (the first; or the shared one) as arrays, its head as layers
    const policy = agent.policy as unknown as { heads: { policyNetwork: LayersModel; sync(): void }; lstms?: Lstm[] };
    policy.heads.sync(); // the policy network's weights as trained (its layers run stacked with the value network's)
    const space = agent.actionSpace;
    return { network: policy.heads.policyNetwork, outputs: space instanceof Box ? space.size : space.n, lstm: agent.recurrent ? policy.lstms![0]!.exportWeights() : null };
  }
  throw ConfigError.single('RUN_DIR', 'holds an agent wnrl export does not know');
}

export async function exportCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(args, { out: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    io.out.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw ConfigError.single('RUN_DIR', `expected one run directory; got ${positionals.length}`);
  if (values.out === undefined) throw ConfigError.single('--out', 'is required: the folder to write the page into');
  const dir = path.resolve(positionals[0]!);
  const out = path.resolve(values.out);
  if (isNonEmptyDir(out) && !values.force) throw ConfigError.single('--out', `${out} exists and is not empty; pass --force to replace it`);
  if (!fs.existsSync(path.dirname(out))) throw ConfigError.single('--out', `${path.dirname(out)} does not exist; create it first`);
  const { configFile, checkpoint } = runWithCheckpoint(dir);
  const config = parseConfig(RunConfig, readJsonFile(configFile), configFile);
  if (isGymnasiumId(config.env.id)) throw ConfigError.single('env.id', `${config.env.id}: a Gymnasium env runs in Python, not in a browser; wnrl export needs one of wnrl's own envs or a custom env module`);
  await loadEnvConfigModule(config.env, `${configFile}: env.module`);
  const probe = makeEnv(config.env.id, config.env.kwargs === undefined ? {} : { options: config.env.kwargs });
  if (probe.unwrapped.render === undefined) throw ConfigError.single('env.id', `${config.env.id} has no render(); the page draws the env (a custom env may implement render() returning { width, height, data })`);
  probe.close?.();

  const agent = await loadAgent(checkpoint);
  try {
    const { network, outputs, lstm } = actingNetwork(agent);
    const folded = foldMlp(network, 'policy');
    const artifacts = await modelArtifacts(folded);
    const state = readJsonFile(path.join(checkpoint, 'trainer.json')) as Partial<NormalizationState>;
    const actionSpace = (agent as { actionSpace: unknown }).actionSpace;
    const policy: ExportedPolicy = {
      algo: agent.algo,
      norm: agent.norm,
      seed: 12345,
      fps: 50,
      discrete: !(actionSpace instanceof Box),
      actionSize: outputs,
      actionLow: actionSpace instanceof Box ? Array.from(actionSpace.low) : null,
      actionHigh: actionSpace instanceof Box ? Array.from(actionSpace.high) : null,
      env: { id: config.env.id, wrappers: config.env.wrappers, ...(config.env.kwargs === undefined ? {} : { kwargs: config.env.kwargs }) },
      normalization: { normalization: state.normalization ?? null, rewardNormalization: state.rewardNormalization ?? null },
      model: { modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, weightData: Buffer.from(artifacts.weightData as ArrayBuffer).toString('base64') },
      lstm,
    };
    const app = await bundleApp(config.env.module);
    const tfScript = path.join(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs/package.json')), 'dist', 'tf.min.js');
    await writeDirAtomic(out, async (tmp) => {
      fs.writeFileSync(path.join(tmp, 'index.html'), PAGE);
      fs.writeFileSync(path.join(tmp, 'app.js'), app);
      fs.writeFileSync(path.join(tmp, 'policy.js'), `// wnrl export of ${dir}\nvar WNRL_POLICY = ${JSON.stringify(policy)};\n`);
      fs.copyFileSync(tfScript, path.join(tmp, 'tf.min.js'));
      await saveModel(folded, path.join(tmp, 'model'));
      if (lstm !== null) fs.writeFileSync(path.join(tmp, 'model', 'lstm.json'), `${JSON.stringify(lstm)}\n`);
    });
    folded.dispose();
    io.out.write(`exported ${agent.algo} (${agent.norm}) on ${config.env.id} to ${out}\nopen ${path.join(out, 'index.html')} in a browser (or serve the folder); ${path.join(out, 'model', 'model.json')} loads with tf.loadLayersModel\n`);
    return 0;
  } finally {
    agent.dispose();
  }
}

/** app.js: the page's code and the env (the run's env module first, so its ids are registered), for the browser. */
async function bundleApp(envModule: string | undefined): Promise<string> {
  const appFile = fileURLToPath(new URL(`../export/browser-app.${fromSources ? 'ts' : 'js'}`, import.meta.url));
  const lines = [...(envModule === undefined ? [] : [`import ${JSON.stringify(envModule)};`]), `import ${JSON.stringify(appFile)};`];
  try {
    const result = await build({
      stdin: { contents: lines.join('\n'), resolveDir: process.cwd(), loader: 'ts', sourcefile: 'wnrl-export-entry.ts' },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      // Seeded wrappers salt their streams with their class names (SeededWrapper): minified names would
      // give other noise than wnrl eval's.
      keepNames: true,
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [noNodeBuiltins],
    });
    return result.outputFiles[0]!.text;
  } catch (err) {
    const first = (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors?.[0];
    throw ConfigError.single(envModule ?? 'app.js', `could not be bundled for the browser: ${first ? `${first.location ? `${first.location.file}:${first.location.line}: ` : ''}${first.text}` : String(err)}`);
  }
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wnrl policy</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
  canvas { border: 1px solid #ccc; display: block; margin: 1em 0; image-rendering: pixelated; }
  table { border-collapse: collapse; } td { padding: 2px 12px 2px 0; } td:first-child { color: #666; }
  input { width: 8em; }
</style>
</head>
<body>
<h1 id="title">wnrl policy</h1>
<div>seed <input id="seed" type="number"> <button id="reset">reset</button> <button id="pause">pause</button></div>
<canvas id="screen" width="600" height="400"></canvas>
<table>
  <tr><td>step</td><td id="step">0</td></tr>
  <tr><td>return so far</td><td id="return">0</td></tr>
  <tr><td>action</td><td id="action"></td></tr>
  <tr><td>policy outputs</td><td id="outputs"></td></tr>
</table>
<p id="status"></p>
<script src="tf.min.js"></script>
<script src="policy.js"></script>
<script src="app.js"></script>
</body>
</html>
`;
