// The page `wnrl export` writes: the policy (folded into plain TensorFlow.js layers, in policy.js) drives
// the run's environment (wnrl's own TypeScript, bundled for the browser) on a canvas, with the renderer
// the `wnrl render` GIFs use. Episodes are seeded exactly as `wnrl eval --episodes 1 --seed S` seeds its
// one env, with the run's wrappers and its frozen normalization statistics, so a seed's return here is
// eval's. Bundled by `wnrl export`; TensorFlow.js is the global `tf` of the tf.min.js beside the page.
// Imports only wnrl's envs (no Node module): the page needs nothing else of wnrl.
import type * as TfBrowser from '@tensorflow/tfjs';
import { Wrapper, type Env } from '../../envs/core.ts';
import { makeVectorEnv, type SyncVectorEnv } from '../../envs/vector/vector-env.ts';
import { NormalizeObservation } from '../../envs/wrappers/normalize-observation.ts';
import { NormalizeReward } from '../../envs/wrappers/normalize-reward.ts';
import { RecordEpisodeStatistics, type EpisodeStatistics } from '../../envs/wrappers/record-episode-statistics.ts';
import type { ExportedLstm } from '../nn/lstm.ts';
import type { ExportedPolicy } from './policy-file.ts';

// --- the browser as this page uses it (wnrl's TypeScript program is Node's: it has no DOM library) ---
interface PageElement {
  textContent: string | null;
  value: string;
  addEventListener(type: 'click', listener: () => void): void;
}
interface Canvas2D {
  createImageData(width: number, height: number): { data: Uint8ClampedArray };
  putImageData(image: { data: Uint8ClampedArray }, x: number, y: number): void;
}
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): Canvas2D | null;
}
declare const document: { getElementById(id: string): unknown; body: { dataset: Record<string, string> } };
declare const location: { search: string };
/** TensorFlow.js, from the tf.min.js script beside the page. */
declare const tf: typeof TfBrowser;
/** The policy and its env, from policy.js beside the page. */
declare const WNRL_POLICY: ExportedPolicy;

const policy = WNRL_POLICY;
const $ = (id: string) => document.getElementById(id) as PageElement;
const canvas = document.getElementById('screen') as PageCanvas;
const ctx = canvas.getContext('2d')!;
const params = new URLSearchParams(location.search);
/** ?fast=1: no frame delay (tests, or to see the return at once). */
const fast = params.get('fast') === '1';

function fromBase64(s: string): ArrayBuffer {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

function draw(env: SyncVectorEnv): void {
  const frame = env.envs[0]!.unwrapped.render?.();
  if (frame === undefined) return;
  if (canvas.width !== frame.width || canvas.height !== frame.height) {
    canvas.width = frame.width;
    canvas.height = frame.height;
  }
  const image = ctx.createImageData(frame.width, frame.height);
  for (let p = 0, q = 0; p < frame.data.length; p += 3, q += 4) {
    image.data[q] = frame.data[p]!;
    image.data[q + 1] = frame.data[p + 1]!;
    image.data[q + 2] = frame.data[p + 2]!;
    image.data[q + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** The run's observation and reward normalization statistics, frozen (as `wnrl eval` uses them). */
function freezeNormalization(env: SyncVectorEnv): void {
  let e: Env = env.envs[0]!;
  while (e instanceof Wrapper) {
    const stats = e instanceof NormalizeObservation ? policy.normalization.normalization : e instanceof NormalizeReward ? policy.normalization.rewardNormalization : undefined;
    if (stats) {
      const n = e as NormalizeObservation | NormalizeReward;
      n.stats = stats;
      n.frozen = true;
    }
    e = (e as Wrapper).env;
  }
}

/** The return so far (the statistics wrapper's, inside any reward transform: the task's own reward). */
function returnSoFar(env: SyncVectorEnv): number | null {
  let e: Env = env.envs[0]!;
  while (e instanceof Wrapper) {
    if (e instanceof RecordEpisodeStatistics) return (e as unknown as { episodeReturn: number }).episodeReturn;
    e = (e as Wrapper).env;
  }
  return null;
}

/** The deterministic action: argmax (the first maximum, as wnrl's agents) or the Gaussian mean clipped to the bounds. */
function act(all: Float32Array): Int32Array | Float32Array {
  const outputs = all.subarray(0, policy.actionSize);
  if (policy.discrete) {
    let best = 0;
    for (let a = 1; a < outputs.length; a++) if (outputs[a]! > outputs[best]!) best = a;
    return Int32Array.of(best);
  }
  return Float32Array.from(outputs, (m, k) => Math.min(Math.max(m, policy.actionLow![k]!), policy.actionHigh![k]!));
}

/** Layer norm of v (population variance, ε 1e-5, as wnrl's LSTM). */
function layerNorm(v: Float64Array, gamma: number[], beta: number[]): Float64Array {
  let mean = 0;
  for (const x of v) mean += x;
  mean /= v.length;
  let variance = 0;
  for (const x of v) variance += (x - mean) ** 2;
  variance /= v.length;
  const inv = 1 / Math.sqrt(variance + 1e-5);
  return v.map((x, k) => (x - mean) * inv * gamma[k]! + beta[k]!);
}

/** x·W for a row vector x and a row-major W [x.length × cols]. */
function rowTimes(x: ArrayLike<number>, w: number[], cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let r = 0; r < x.length; r++) {
    const xr = x[r]!;
    if (xr === 0) continue;
    for (let k = 0; k < cols; k++) out[k]! += xr * w[r * cols + k]!;
  }
  return out;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** One step of the exported LSTM (ExportedLstm's equations, gates [i | f | g | o]); returns the new h and c. */
function lstmStep(L: ExportedLstm, x: Float32Array, h: Float64Array, c: Float64Array): [Float64Array, Float64Array] {
  const U = L.units;
  const zx = rowTimes(x, L.wx, 4 * U);
  const zh = rowTimes(h, L.wh, 4 * U);
  const ln = L.ln;
  let z: Float64Array;
  if (L.layerNorm === 'summed') z = layerNorm(zx.map((v, k) => v + zh[k]! + L.b[k]!), ln!['lnhGamma']!, ln!['lnhBeta']!);
  else if (L.layerNorm === 'separate') {
    const a = layerNorm(zx, ln!['lnxGamma']!, ln!['lnxBeta']!);
    const bh = layerNorm(zh, ln!['lnhGamma']!, ln!['lnhBeta']!);
    z = a.map((v, k) => v + L.b[k]! + bh[k]!);
  } else z = zx.map((v, k) => v + zh[k]! + L.b[k]!);
  const c2 = new Float64Array(U);
  for (let k = 0; k < U; k++) c2[k] = sigmoid(z[U + k]!) * c[k]! + sigmoid(z[k]!) * Math.tanh(z[2 * U + k]!);
  const cOut = L.layerNorm === null ? c2 : layerNorm(c2, ln!['lncGamma']!, ln!['lncBeta']!);
  const h2 = new Float64Array(U);
  for (let k = 0; k < U; k++) h2[k] = sigmoid(z[3 * U + k]!) * Math.tanh(cOut[k]!);
  return [h2, c2];
}

let model: TfBrowser.LayersModel;
let runId = 0;

async function episode(seed: number): Promise<void> {
  const id = ++runId;
  const env = makeVectorEnv(policy.env.id, { numEnvs: 1, seed, wrappers: policy.env.wrappers, ...(policy.env.kwargs ? { options: policy.env.kwargs } : {}) });
  freezeNormalization(env);
  let { observations } = await env.reset({ seed });
  document.body.dataset['done'] = '0';
  draw(env);
  let steps = 0;
  // a recurrent policy's state: zero at the episode's start, carried from step to step
  let h: Float64Array = new Float64Array(policy.lstm?.units ?? 0);
  let c: Float64Array = new Float64Array(policy.lstm?.units ?? 0);
  /** The episode's actions, on the page when it ends (data-actions): what tests compare with wnrl eval. */
  const taken: string[] = [];
  for (;;) {
    if (id !== runId) return; // reset pressed: a newer episode runs
    while (paused && id === runId) await new Promise((r) => setTimeout(r, 50));
    if (policy.lstm !== null) [h, c] = lstmStep(policy.lstm, observations, h, c);
    const input = policy.lstm === null ? observations : Float32Array.from(h);
    const out = tf.tidy(() => model.predict(tf.tensor2d(input, [1, input.length])) as TfBrowser.Tensor);
    const outputs = (await out.data()) as Float32Array;
    out.dispose();
    const action = act(outputs);
    taken.push(Array.from(action).join(' '));
    const r = await env.step(action);
    steps++;
    draw(env);
    const ended = r.terminated[0] === 1 || r.truncated[0] === 1;
    const finalReturn = ended ? ((r.infos[0]!['finalInfo'] as { episode?: EpisodeStatistics } | undefined)?.episode?.return ?? null) : null;
    $('step').textContent = String(steps);
    $('action').textContent = Array.from(action, (a) => (policy.discrete ? String(a) : a.toFixed(3))).join(', ');
    $('outputs').textContent = Array.from(outputs, (v) => v.toFixed(3)).join(', ');
    $('return').textContent = (finalReturn ?? returnSoFar(env) ?? 0).toFixed(2);
    if (ended) {
      document.body.dataset['actions'] = taken.join(',');
      document.body.dataset['episodeReturn'] = String(finalReturn);
      document.body.dataset['done'] = '1';
      $('status').textContent = `episode over after ${steps} steps: return ${finalReturn?.toFixed(2)}`;
      await env.close();
      return;
    }
    observations = r.observations;
    if (!fast) await new Promise((r2) => setTimeout(r2, 1000 / policy.fps));
  }
}

let paused = false;

async function start(): Promise<void> {
  await tf.setBackend('cpu'); // the same arithmetic everywhere; a policy this size needs no GPU
  await tf.ready();
  model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: policy.model.modelTopology, weightSpecs: policy.model.weightSpecs, weightData: fromBase64(policy.model.weightData) }));
  $('title').textContent = `${policy.algo.toUpperCase()} (${policy.norm}) on ${policy.env.id}`;
  const seedField = $('seed');
  seedField.value = params.get('seed') ?? String(policy.seed);
  $('reset').addEventListener('click', () => void episode(Number(seedField.value)));
  $('pause').addEventListener('click', () => {
    paused = !paused;
    $('pause').textContent = paused ? 'play' : 'pause';
  });
  await episode(Number(seedField.value));
}

start().catch((err: unknown) => {
  $('status').textContent = `error: ${String(err)}`;
  // eslint-disable-next-line no-console -- the page's one error report (tests watch the console)
  console.error(err);
});
