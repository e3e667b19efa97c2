// `wnrl`: dispatches to one thin file per command. Commands load lazily, so `wnrl --help` or `wnrl envs`
// never load TensorFlow.
import { WnrlError } from '../errors.ts';
import { closest } from '../config/parse.ts';
import { version } from '../version.ts';

export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}
export type Command = (args: string[], io: Io) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

const commands: Record<string, CommandEntry> = {
  setup: { summary: 'provision the native TensorFlow backend (--gymnasium: the Python of gymnasium:ID envs)', load: async () => (await import('./setup.ts')).setup },
  demo: { summary: 'train a small weight-normalized network on a synthetic task (smoke test of the backend)', load: async () => (await import('./demo.ts')).demo },
  train: { summary: 'train an agent (wnrl train --help)', load: async () => (await import('./train.ts')).train },
  eval: { summary: "evaluate a run's checkpoint (wnrl eval RUN_DIR --episodes N)", load: async () => (await import('./eval.ts')).evalCommand },
  render: { summary: "draw a run's policy playing its env into an animated GIF (wnrl render RUN_DIR --out FILE.gif)", load: async () => (await import('./render.ts')).renderCommand },
  export: { summary: "write a run's policy as a TensorFlow.js model and a page that runs it in the browser (wnrl export RUN_DIR --out DIR)", load: async () => (await import('./export.ts')).exportCommand },
  compare: { summary: 'run an experiment grid and write its report (wnrl compare FILE --out DIR)', load: async () => (await import('./compare.ts')).compare },
  worker: { summary: 'run queued training jobs from `wnrl compare --queue` (wnrl worker --queue URL)', load: async () => (await import('./worker.ts')).worker },
  envs: { summary: 'list registered environment ids with their spaces', load: async () => (await import('./envs.ts')).envs },
  'check-env': { summary: 'check a custom environment module against the Env contract', load: async () => (await import('./check-env.ts')).checkEnvCommand },
};

export { version };

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'Usage: wnrl <command> [flags]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Flags:',
    '  -h, --help     show this help (or a command\'s: wnrl <command> --help)',
    '  -v, --version  print the version',
    '',
    'Environment: WNRL_BACKEND=cpu runs the slow pure-JS backend instead of native TensorFlow.',
  ].join('\n');
}

/** Runs the CLI; returns the exit code (0 ok, 2 bad input, 1 anything unexpected). */
export async function main(argv: string[], io: Io = { out: process.stdout, err: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    io.out.write(`wnrl ${version()}\n`);
    return 0;
  }
  const entry = commands[name];
  if (entry === undefined) {
    const hint = name.startsWith('-') ? [] : closest(name, Object.keys(commands));
    io.err.write(
      `wnrl: ${name.startsWith('-') ? 'unknown flag' : 'unknown command'} '${name}'` +
        `${hint.length ? `; did you mean '${hint.join("' or '")}'?` : ''}\nRun 'wnrl --help' for the commands.\n`,
    );
    return 2;
  }
  try {
    const command = await entry.load();
    return await command(rest, io);
  } catch (err) {
    if (err instanceof WnrlError) {
      for (const line of err.message.split('\n')) io.err.write(`wnrl ${name}: ${line}\n`);
      return 2;
    }
    io.err.write(`wnrl ${name}: unexpected error\n${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
