// `wnrl check-env FILE [--id ID] [--steps N]`: loads a module that defines an environment and runs checkEnv
// on it. The module's default export may be an Env, a function returning one, or an Env class; or the
// module registers ids with registerEnv and --id picks one (the only newly registered id by default).
// `wnrl check-env MODULE:ID` (as --env takes it) and `wnrl check-env ID` (a registered id) work too.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, checkEnv, listEnvs, makeEnv, type CheckEnvOptions, type Env } from '../../envs/index.ts';
import { importUserModule, loadEnvModule, parseEnvRef } from '../config/env-module.ts';
import { positiveInt, seed } from '../config/common.ts';
import { numericFlags, parseFlags } from './args.ts';
import type { Io } from './main.ts';

const envIds = (): string[] => listEnvs().map((e) => e.id);

function isEnv(x: unknown): x is Env {
  return x !== null && typeof x === 'object' && typeof (x as Env).reset === 'function' && typeof (x as Env).step === 'function';
}

function envFromExport(exported: unknown): Env | null {
  if (isEnv(exported)) return exported;
  if (typeof exported === 'function') {
    const f = exported as (() => unknown) & (new () => unknown);
    const looksLikeClass = /^class\s/.test(Function.prototype.toString.call(f));
    const made = looksLikeClass ? new f() : f();
    if (isEnv(made)) return made;
  }
  return null;
}

export async function checkEnvCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    { id: { type: 'string' }, steps: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) {
    io.out.write('Usage: wnrl check-env FILE [--id ID] [--steps N] [--seed S]\n       wnrl check-env MODULE:ID | ID [--steps N] [--seed S]\n');
    return 0;
  }
  const nums = numericFlags(values, { steps: positiveInt(), seed: seed() });
  if (positionals.length !== 1) throw ConfigError.single('FILE', `expected one module path; got ${positionals.length}`);
  const opts = { ...(nums.steps !== undefined ? { steps: nums.steps } : {}), ...(nums.seed !== undefined ? { seed: nums.seed } : {}) };
  const ref = parseEnvRef(positionals[0]!, process.cwd());
  if (ref.module !== undefined || (!fs.existsSync(positionals[0]!) && envIds().includes(ref.id))) {
    if (values.id !== undefined) throw ConfigError.single('--id', `cannot be combined with ${positionals[0]} (it names the id)`);
    if (ref.module !== undefined) await loadEnvModule(ref.module, ref.id, positionals[0]!);
    return report(makeEnv(ref.id), ref.id, { ...opts, make: () => makeEnv(ref.id) }, io);
  }
  const file = path.resolve(positionals[0]!);
  const before = new Set(listEnvs().map((e) => e.id));
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(file);
  } catch (cause) {
    throw ConfigError.single(positionals[0]!, `could not be loaded: ${(cause as Error).message.split('\n')[0]}`);
  }
  const added = listEnvs().map((e) => e.id).filter((id) => !before.has(id));
  let env: Env | null = null;
  let label = positionals[0]!;
  // How to make a second instance (the snapshot check); an exported instance has none.
  let make: (() => Env) | undefined;
  if (values.id !== undefined) {
    const id = values.id;
    env = makeEnv(id);
    make = () => makeEnv(id);
    label = id;
  } else {
    const exported = envFromExport(mod['default']) !== null ? mod['default'] : mod['createEnv'];
    env = envFromExport(exported);
    if (env !== null && !isEnv(exported)) make = () => envFromExport(exported)!;
    if (env === null && added.length === 1) {
      const id = added[0]!;
      env = makeEnv(id);
      make = () => makeEnv(id);
      label = id;
    }
  }
  if (env === null) {
    throw ConfigError.single(
      positionals[0]!,
      'exports no environment; expected a default export (an Env, a function returning one, or an Env class)' +
        (added.length > 1 ? ` or --id (it registered ${added.join(', ')})` : ''),
    );
  }
  return report(env, label, { ...opts, ...(make ? { make } : {}) }, io);
}

function report(env: Env, label: string, opts: CheckEnvOptions, io: Io): number {
  const problems = checkEnv(env, opts);
  if (problems.length === 0) {
    io.out.write(`${label}: passes checkEnv (${env.observationSpace.toString()}, ${env.actionSpace.toString()})\n`);
    return 0;
  }
  io.err.write(`${label}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
  for (const p of problems) io.err.write(`  ${p}\n`);
  return 2;
}
