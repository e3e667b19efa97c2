// `module:EnvId`, Gymnasium's convention for gym.make: import a module (a file of the user's project or a
// package) whose registerEnv calls add the id, then make the id. The module is recorded in the run's
// config.json (env.module: an absolute path, or the package name) so `wnrl eval` and `--resume` load it
// again from anywhere.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { listEnvs } from '../../envs/registry.ts';
import { fromSources } from '../package-root.ts';
import { ConfigError } from './parse.ts';

export interface EnvRef {
  id: string;
  /** The module to import before making `id`: an absolute file path or a package specifier. */
  module?: string;
}

const isPath = (spec: string): boolean => spec.startsWith('.') || path.isAbsolute(spec) || spec.startsWith('file:');

/**
 * Splits `module:EnvId` (ids contain no ':', so the last one separates) and resolves a relative module
 * path against `baseDir` (the current directory for flags, the file's directory for config files).
 * An id without a module comes back unchanged.
 */
export function parseEnvRef(raw: string, baseDir: string): EnvRef {
  // `gymnasium:ID` (and Gymnasium's own `gymnasium:module:ID`) is made in Python, not imported here.
  if (raw.startsWith('gymnasium:')) return { id: raw };
  const at = raw.lastIndexOf(':');
  if (at <= 0 || (at === 1 && /^[A-Za-z]:[\\/]/.test(raw))) return { id: raw };
  return { id: raw.slice(at + 1), module: resolveModuleSpec(raw.slice(0, at), baseDir) };
}

/** The 'module:EnvId' text of a reference (the id alone when it has no module). */
export function formatEnvRef(ref: EnvRef): string {
  return ref.module === undefined ? ref.id : `${ref.module}:${ref.id}`;
}

/** An absolute path for a file module (relative to baseDir), the specifier itself for a package. */
export function resolveModuleSpec(spec: string, baseDir: string): string {
  if (spec.startsWith('file:')) return new URL(spec).pathname;
  return isPath(spec) ? path.resolve(baseDir, spec) : spec;
}

/**
 * Normalizes the env part of a config layer read from `baseDir`: `env.id` 'module:Id' becomes
 * { id, module }, and a relative env.module is made absolute. Returns the layer (a shallow copy).
 */
export function normalizeEnvLayer<T>(layer: T, baseDir: string): T {
  if (layer === null || typeof layer !== 'object') return layer;
  const env = (layer as { env?: unknown }).env;
  if (env === null || typeof env !== 'object') return layer;
  const next = { ...(env as Record<string, unknown>) };
  if (typeof next['module'] === 'string' && next['module'] !== '') next['module'] = resolveModuleSpec(next['module'], baseDir);
  if (typeof next['id'] === 'string') {
    const ref = parseEnvRef(next['id'], baseDir);
    next['id'] = ref.id;
    if (ref.module !== undefined) next['module'] = ref.module;
  }
  return { ...layer, env: next };
}

let tsxReady: Promise<void> | null = null;

/** User modules may be TypeScript (ESM or CommonJS): the compiled package registers tsx's loaders once. */
function ensureTypeScript(): Promise<void> {
  tsxReady ??= (async () => {
    if (fromSources) return; // bin.js already runs everything through tsx
    const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
    esm.register();
    cjs.register();
  })();
  return tsxReady;
}

function moduleUrl(spec: string): string {
  if (path.isAbsolute(spec)) return pathToFileURL(spec).href;
  // A package name resolves from the user's project (the current directory), not from wnrl's own folder.
  try {
    return pathToFileURL(createRequire(path.join(process.cwd(), 'package.json')).resolve(spec)).href;
  } catch {
    return spec; // an ESM-only package (no "require" export): let import() resolve it
  }
}

/** Imports a user module (a file path or a package name; TypeScript or JavaScript, ESM or CommonJS). */
export async function importUserModule(spec: string): Promise<Record<string, unknown>> {
  if (isPath(spec) && !fs.existsSync(spec)) throw new Error('no such file');
  await ensureTypeScript();
  return (await import(moduleUrl(spec))) as Record<string, unknown>;
}

/** Per module (once per process): the ids its import registered. */
const loaded = new Map<string, Promise<string[]>>();

/**
 * Imports `module` (once per process) and checks that `id` is registered afterwards. `field` names the
 * input in errors ('--env', 'env.module'). Failures are ConfigErrors: one line naming the module and the id.
 */
export async function loadEnvModule(module: string, id: string, field = 'env.module'): Promise<void> {
  let pending = loaded.get(module);
  if (pending === undefined) {
    pending = (async () => {
      const before = new Set(listEnvs().map((e) => e.id));
      await importUserModule(module);
      return listEnvs().map((e) => e.id).filter((i) => !before.has(i));
    })();
    loaded.set(module, pending);
  }
  let added: string[];
  try {
    added = await pending;
  } catch (cause) {
    loaded.delete(module);
    const why = String((cause as Error)?.message ?? cause).split('\n')[0];
    throw ConfigError.single(field, `env module '${module}' (for '${id}') could not be loaded: ${why}`);
  }
  if (!listEnvs().some((e) => e.id === id)) {
    throw ConfigError.single(
      field,
      `env module '${module}' does not register '${id}'; ${added.length ? `it registers ${added.map((a) => `'${a}'`).join(', ')}` : 'it registers no environment'}`,
    );
  }
}

/** Loads the module of an env config, when it names one. */
export async function loadEnvConfigModule(env: { id: string; module?: string | undefined }, field = 'env.module'): Promise<void> {
  if (env.module !== undefined) await loadEnvModule(env.module, env.id, field);
}
