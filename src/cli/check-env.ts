import type { Io } from './main.ts';
export async function checkEnvCommand(_args: string[], io: Io): Promise<number> {
  io.err.write('wnrl check-env: not yet\n');
  return Promise.resolve(1);
}
