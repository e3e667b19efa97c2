// `wnrl export`: the page it writes runs the policy in a real browser (headless Chromium, provisioned by
// `npm run setup:chromium`) with eval's returns for the same seeds, draws the env, logs no errors, and works
// from file://; the model loads with TensorFlow.js's own loader; bad input exits 2 and writes nothing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { tf } from '../../src/backend.ts';
import { runCli } from '../helpers/capture.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-export-'));

function chromium(): string {
  const candidates = [process.env['WNRL_CHROMIUM'], 'chromium', 'chromium-browser', 'google-chrome'].filter((c): c is string => c !== undefined);
  for (const c of candidates) {
    const found = spawnSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' }).stdout.trim();
    if (found) return found;
  }
  throw new Error('no Chromium: npm run setup:chromium installs one (npm test runs it)');
}

let browser: Browser;
beforeAll(async () => {
  browser = await puppeteer.launch({ executablePath: chromium(), headless: true, args: ['--no-sandbox', '--allow-file-access-from-files'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function train(name: string, args: string[]): Promise<string> {
  const out = path.join(dir, name);
  const r = await runCli(['train', ...args, '--seed', '2', '--out', out, '--no-progress', '--log-level', 'warn']);
  expect(r.code, r.err).toBe(0);
  return out;
}

async function evalReturn(run: string, seed: number): Promise<number> {
  const r = await runCli(['eval', run, '--episodes', '1', '--seed', String(seed), '--json']);
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { returnMean: number }).returnMean; // one episode: its return
}

/** Opens the page from file://, plays one seeded episode at full speed; its return, how many colours the canvas holds, and the console's errors. */
async function playInBrowser(page: string, seed: number): Promise<{ ret: number; colours: number; errors: string[]; actions: string }> {
  const tab = await browser.newPage();
  const errors: string[] = [];
  tab.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  tab.on('pageerror', (e) => errors.push(String(e)));
  try {
    await tab.goto(`file://${path.join(page, 'index.html')}?fast=1&seed=${seed}`);
    // (the page's code as strings: this test's TypeScript has no DOM library)
    await tab.waitForFunction("document.body.dataset.done === '1' || (document.getElementById('status').textContent || '').startsWith('error')", { timeout: 60_000 });
    const ret = Number(await tab.evaluate('document.body.dataset.episodeReturn'));
    const actions = String(await tab.evaluate('document.body.dataset.actions'));
    const colours = (await tab.evaluate(`(() => {
      const c = document.getElementById('screen');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    })()`)) as number;
    return { ret, colours, errors, actions };
  } finally {
    await tab.close();
  }
}

test.each([
  { id: 'ppo-weight', name: 'PPO, weight norm, CartPole-v1', args: ['--env', 'CartPole-v1', '--agent', 'ppo', '--norm', 'weight', '--steps', '8000'] },
  { id: 'dqn-batch', name: 'DQN, batch norm, CartPole-v1', args: ['--env', 'CartPole-v1', '--agent', 'dqn', '--norm', 'batch', '--steps', '2500', '--obs-noise', '0.05'] },
  { id: 'ppo-layer-pendulum', name: 'PPO, layer norm, Pendulum-v1 (normalized observations, continuous actions)', args: ['--env', 'Pendulum-v1', '--agent', 'ppo', '--norm', 'layer', '--steps', '4096'] },
  // recurrent: the page runs the actor LSTM (weight norm folded, batch statistics folded, summed layer norm) and carries its state
  { id: 'rppo-weight', name: 'recurrent PPO, weight norm, CartPoleNoVel-v1', args: ['--env', 'CartPoleNoVel-v1', '--agent', 'ppo', '--norm', 'weight', '--steps', '4096'] },
  { id: 'rppo-batch', name: 'recurrent PPO, batch norm, CartPoleNoVel-v1', args: ['--env', 'CartPoleNoVel-v1', '--agent', 'ppo', '--norm', 'batch', '--steps', '4096'] },
  { id: 'rppo-layer', name: 'recurrent PPO, layer norm, CartPoleNoVel-v1', args: ['--env', 'CartPoleNoVel-v1', '--agent', 'ppo', '--norm', 'layer', '--steps', '4096'] },
])("$name: the exported page plays in Chromium with wnrl eval's return (and, for discrete actions, wnrl's actions) for the same seed", async ({ id, args }) => {
  const run = await train(id, args);
  const page = path.join(dir, `page-${id}`);
  const r = await runCli(['export', run, '--out', page]);
  expect(r.code, r.err).toBe(0);
  expect(fs.readdirSync(page).sort()).toEqual(['app.js', 'index.html', 'model', 'policy.js', 'tf.min.js']);
  expect(fs.existsSync(path.join(page, 'model', 'lstm.json'))).toBe(id.startsWith('rppo'));
  // the model alone loads with TensorFlow.js's own loader: only its standard layers
  const model = await tf.loadLayersModel(`file://${path.join(page, 'model', 'model.json')}`);
  for (const l of model.layers) expect(['Dense', 'LayerNormalization', 'Activation']).toContain(l.getClassName());
  model.dispose();
  for (const seed of id.startsWith('rppo') ? [7] : [12345, 7]) {
    const played = await playInBrowser(page, seed);
    expect(played.errors).toEqual([]);
    expect(played.ret, `seed ${seed}`).toBeCloseTo(await evalReturn(run, seed), 3);
    expect(played.colours).toBeGreaterThan(2); // the env is drawn, not a blank canvas
    if (!args.includes('Pendulum-v1')) {
      // discrete actions: the page's action at every step is the one wnrl chose (its HTML replay records them)
      const replay = path.join(dir, `${id}-${seed}.html`);
      expect((await runCli(['render', run, '--seed', String(seed), '--out', replay])).code).toBe(0);
      const steps = JSON.parse(/const STEPS = (.*);\n/.exec(fs.readFileSync(replay, 'utf8'))![1]!) as { a: number[] | null }[];
      expect(played.actions).toBe(steps.flatMap((s) => (s.a === null ? [] : [s.a.join(' ')])).join(','));
    }
  }
}, 180_000);

test('bad input exits 2 with one line naming it, and writes nothing', async () => {
  const run = await train('small', ['--env', 'CartPole-v1', '--agent', 'ppo', '--steps', '512']);
  // --out missing, an existing folder without --force
  expect((await runCli(['export', run])).err).toMatch(/--out: is required/);
  const taken = path.join(dir, 'taken');
  fs.mkdirSync(taken);
  fs.writeFileSync(path.join(taken, 'keep.txt'), 'mine');
  const refused = await runCli(['export', run, '--out', taken]);
  expect(refused.code).toBe(2);
  expect(refused.err).toMatch(/exists and is not empty; pass --force/);
  expect(fs.readdirSync(taken)).toEqual(['keep.txt']);
  // a run without a checkpoint
  const bare = path.join(dir, 'bare');
  fs.mkdirSync(bare);
  fs.copyFileSync(path.join(run, 'config.json'), path.join(bare, 'config.json'));
  const none = await runCli(['export', bare, '--out', path.join(dir, 'p1')]);
  expect(none.code).toBe(2);
  expect(none.err).toMatch(/has no checkpoint yet/);
  // a bridged Gymnasium env cannot run in a browser
  const bridged = path.join(dir, 'bridged');
  fs.cpSync(run, bridged, { recursive: true });
  const config = JSON.parse(fs.readFileSync(path.join(bridged, 'config.json'), 'utf8')) as { env: { id: string; wrappers: unknown[] } };
  config.env.id = 'gymnasium:CartPole-v1';
  config.env.wrappers = [];
  fs.writeFileSync(path.join(bridged, 'config.json'), JSON.stringify(config));
  const py = await runCli(['export', bridged, '--out', path.join(dir, 'p2')]);
  expect(py.code).toBe(2);
  expect(py.err).toMatch(/runs in Python, not in a browser/);
  // an env without render()
  const blind = path.join(dir, 'blind');
  fs.cpSync(run, blind, { recursive: true });
  const blindConfig = JSON.parse(fs.readFileSync(path.join(blind, 'config.json'), 'utf8')) as { env: { id: string; module?: string } };
  blindConfig.env.id = 'my-pkg/Chain-v0'; // the example custom env draws nothing
  blindConfig.env.module = path.resolve('examples/custom-env.ts');
  fs.writeFileSync(path.join(blind, 'config.json'), JSON.stringify(blindConfig));
  const noRender = await runCli(['export', blind, '--out', path.join(dir, 'p3')]);
  expect(noRender.code).toBe(2);
  expect(noRender.err).toMatch(/has no render\(\)/);
  for (const p of ['p1', 'p2', 'p3']) expect(fs.existsSync(path.join(dir, p))).toBe(false);
  expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
}, 120_000);

test('wnrl render --out FILE.html: a self-contained replay that plays, steps and scrubs in Chromium, with eval\'s returns and the policy\'s outputs under each frame', async () => {
  const run = await train('replay', ['--env', 'CartPole-v1', '--agent', 'ppo', '--norm', 'none', '--steps', '4096']);
  const file = path.join(dir, 'replay.html');
  const r = await runCli(['render', run, '--episodes', '2', '--seed', '5', '--out', file, '--fps', '200']);
  expect(r.code, r.err).toBe(0);
  const returns = [...r.out.matchAll(/episode \d: return ([\d.]+)/g)].map((m) => Number(m[1]));
  const evaluated = await runCli(['eval', run, '--episodes', '2', '--seed', '5', '--num-envs', '1', '--json']);
  expect(returns.reduce((a, b) => a + b, 0) / 2).toBeCloseTo((JSON.parse(evaluated.out) as { returnMean: number }).returnMean, 6);
  const tab = await browser.newPage();
  const errors: string[] = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  tab.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  try {
    await tab.goto(`file://${file}`);
    const text = (id: string) => tab.evaluate(`document.getElementById('${id}').textContent`) as Promise<string>;
    expect(await tab.evaluate("document.getElementById('frame').complete && document.getElementById('frame').naturalWidth")).toBe(600);
    expect(await text('outputs-label')).toBe('action probabilities');
    const probs = (await text('outputs')).split(', ').map(Number);
    expect(probs).toHaveLength(2);
    expect(probs[0]! + probs[1]!).toBeCloseTo(1, 3);
    expect(Number(await text('value'))).not.toBeNaN();
    await tab.click('#fwd');
    expect(await text('step')).toBe('1');
    // scrub to the end: the last frame closes episode 2 with its return
    const last = Number(await tab.evaluate("document.getElementById('scrub').max"));
    await tab.evaluate(`(() => { const s = document.getElementById('scrub'); s.value = '${last}'; s.dispatchEvent(new Event('input')); })()`);
    expect(await text('episode')).toBe('2');
    expect(Number(await text('return'))).toBeCloseTo(returns[1]!, 3);
    expect(await text('action')).toBe('episode over');
    // play runs from the start
    await tab.click('#play');
    await tab.waitForFunction('Number(document.body.dataset.position) > 5', { timeout: 10_000 });
    expect(errors).toEqual([]);
  } finally {
    await tab.close();
  }
}, 120_000);
