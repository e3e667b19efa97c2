// Every committed study report regenerates bit for bit from what git holds (runs.jsonl, runner.json,
// experiment file): the promise `wnrl compare FILE --out DIR --report-only` makes on a fresh clone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { capture } from '../helpers/capture.ts';

const root = path.resolve(import.meta.dirname, '../..');
/** What a results folder holds that git does not (run directories, per-run configs and logs, the runner's log). */
const NOT_COMMITTED = new Set(['runs', 'configs', 'logs', 'compare.jsonl']);

/** Each study experiment file whose results folder holds a report. */
const studies = fs
  .readdirSync(path.join(root, 'experiments/study'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: path.join(root, 'experiments/study', f), out: path.join(root, 'experiments/results', `study-${f.replace(/\.json$/, '')}`) }))
  .filter((s) => fs.existsSync(path.join(s.out, 'report.md')));

function filesUnder(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const name = path.join(rel, e.name);
    if (rel === '' && NOT_COMMITTED.has(e.name)) return [];
    return e.isDirectory() ? filesUnder(dir, name) : [name];
  });
}

test('at least the three finished parts of the study are checked', () => {
  expect(studies.map((s) => path.basename(s.out))).toEqual(expect.arrayContaining(['study-cartpole-ppo', 'study-acrobot-ppo', 'study-cartpolenovel-recurrent-ppo']));
});

test.each(studies.map((s) => [path.basename(s.out), s] as const))('%s: --report-only on the committed files alone gives the same files, byte for byte', async (_name, study) => {
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-committed-')), 'out');
  const committed = filesUnder(study.out);
  for (const f of committed) {
    fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    fs.copyFileSync(path.join(study.out, f), path.join(copy, f));
  }
  // Regenerated from scratch: the outputs are removed first, so a file the report no longer writes shows up too.
  for (const f of committed) if (f !== 'runs.jsonl' && f !== 'runner.json') fs.rmSync(path.join(copy, f));
  const { io, chunks } = capture();
  expect(await main(['compare', study.file, '--out', copy, '--report-only'], io), chunks.err).toBe(0);
  const regenerated = filesUnder(copy).sort();
  expect(regenerated).toEqual([...committed].sort());
  for (const f of committed) expect(fs.readFileSync(path.join(copy, f)).equals(fs.readFileSync(path.join(study.out, f))), f).toBe(true);
}, 120_000);
