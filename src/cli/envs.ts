import type { Io } from './main.ts';
export async function envs(_args: string[], io: Io): Promise<number> {
  io.err.write('wnrl envs: no environments yet\n');
  return Promise.resolve(1);
}
