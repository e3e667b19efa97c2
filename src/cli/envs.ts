// `wnrl envs`: registered environment ids with their spaces, time limits and reward thresholds.
import { listEnvs, makeEnv } from '../../envs/index.ts';
import { parseFlags } from './args.ts';
import type { Io } from './main.ts';

export function envs(args: string[], io: Io): Promise<number> {
  const { values } = parseFlags(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.out.write('Usage: wnrl envs [--json]\n');
    return Promise.resolve(0);
  }
  const rows = listEnvs().map((spec) => {
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
  if (values.json) {
    io.out.write(`${JSON.stringify(rows, null, 2)}\n`);
    return Promise.resolve(0);
  }
  const header = ['id', 'observation space', 'action space', 'max steps', 'threshold'];
  const table = [header, ...rows.map((r) => [r.id, r.observationSpace, r.actionSpace, String(r.maxEpisodeSteps ?? '-'), String(r.rewardThreshold ?? '-')])];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  for (const row of table) io.out.write(`${row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()}\n`);
  return Promise.resolve(0);
}
