// `wnrl envs`: registered environment ids with their spaces, time limits and reward thresholds; with
// `--gymnasium`, the ids of the Python Gymnasium the bridge runs (each made once to read its spaces).
import { listEnvs, listGymnasiumEnvs, makeEnv } from '../../envs/index.ts';
import { parseFlags } from './args.ts';
import type { Io } from './main.ts';

interface Row {
  id: string;
  /** null: a Gymnasium id that cannot be made here (`error` says why). */
  observationSpace: string | null;
  actionSpace: string | null;
  maxEpisodeSteps?: number | null | undefined;
  rewardThreshold?: number | null | undefined;
}

const USAGE = 'Usage: wnrl envs [--json]\n       wnrl envs --gymnasium [--all] [--json]   (ids of the Python Gymnasium; --all adds those that cannot be made here, with the reason)\n';

export async function envs(args: string[], io: Io): Promise<number> {
  const { values } = parseFlags(args, { json: { type: 'boolean' }, gymnasium: { type: 'boolean' }, all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.out.write(USAGE);
    return 0;
  }
  if (values.gymnasium) return gymnasiumEnvs(io, values.json === true, values.all === true);
  if (values.all) {
    io.err.write(`--all goes with --gymnasium (every wnrl id can be made)\n${USAGE}`);
    return 2;
  }
  const rows: Row[] = listEnvs().map((spec) => {
    const env = makeEnv(spec.id);
    const row = {
      id: spec.id,
      observationSpace: env.observationSpace.toString(),
      actionSpace: env.actionSpace.toString(),
      maxEpisodeSteps: spec.maxEpisodeSteps,
      rewardThreshold: spec.rewardThreshold,
    };
    env.close?.();
    return row;
  });
  if (values.json) io.out.write(`${JSON.stringify(rows, null, 2)}\n`);
  else writeTable(io, rows);
  return 0;
}

async function gymnasiumEnvs(io: Io, json: boolean, all: boolean): Promise<number> {
  const listing = await listGymnasiumEnvs();
  const rows: (Row & { error?: string })[] = listing.envs.map((e) => ({
    id: e.id,
    observationSpace: e.observationSpace?.toString() ?? null,
    actionSpace: e.actionSpace?.toString() ?? null,
    maxEpisodeSteps: e.maxEpisodeSteps,
    rewardThreshold: e.rewardThreshold,
    ...(e.error !== undefined ? { error: e.error } : {}),
  }));
  const usable = rows.filter((e) => e.error === undefined);
  const unusable = rows.filter((e) => e.error !== undefined);
  if (json) {
    io.out.write(`${JSON.stringify({ gymnasiumVersion: listing.gymnasiumVersion, python: listing.python, envs: all ? rows : usable }, null, 2)}\n`);
    return 0;
  }
  io.out.write(`Gymnasium ${listing.gymnasiumVersion} (${listing.python}): ${usable.length} ids the bridge can run (use them as env.id)\n\n`);
  writeTable(io, usable);
  if (unusable.length === 0) return 0;
  if (!all) {
    io.out.write(`\n${unusable.length} more registered ids cannot be made with this Python (a missing dependency such as MuJoCo, Box2D or jax, or a space the bridge does not support); --all lists them with the reason.\n`);
    return 0;
  }
  io.out.write(`\nCannot be made with this Python (${unusable.length}):\n`);
  const width = Math.max(...unusable.map((e) => e.id.length));
  for (const e of unusable) io.out.write(`${e.id.padEnd(width)}  ${e.error}\n`);
  return 0;
}

function writeTable(io: Io, rows: Row[]): void {
  const header = ['id', 'observation space', 'action space', 'max steps', 'threshold'];
  const table = [header, ...rows.map((r) => [r.id, r.observationSpace ?? '-', r.actionSpace ?? '-', String(r.maxEpisodeSteps ?? '-'), String(r.rewardThreshold ?? '-')])];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  for (const row of table) io.out.write(`${row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()}\n`);
}
