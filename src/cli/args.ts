// Flag parsing for every command: node's own parseArgs (strict), with its errors turned into ConfigErrors
// that name the flag, and numeric flags checked by the same zod builders the configs use.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { ConfigError, closest, parseConfig } from '../config/parse.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseFlags returns: node's parseArgs result for these options (named, so declarations can refer to it). */
export type ParsedFlags<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: boolean }>>;

export function parseFlags<O extends Options>(args: string[], options: O, allowPositionals = false): ParsedFlags<O> {
  // `--steps -3` would read as two flags; join a negative number to its flag so the value check names it.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    const name = a.startsWith('--') ? a.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d|^-\.\d|^-Inf/.test(next)) {
      joined.push(`${a}=${next}`);
      i++;
    } else joined.push(a);
  }
  try {
    return parseArgs({ args: joined, options, strict: true, allowPositionals });
  } catch (err) {
    const e = err as Error & { code?: string };
    const unknown = /Unknown option '([^']+)'/.exec(e.message);
    if (unknown) {
      const flag = unknown[1]!;
      const hint = closest(flag.replace(/^-+/, ''), Object.keys(options)).map((o) => `--${o}`);
      throw ConfigError.single(flag, `unknown flag${hint.length ? `; did you mean ${hint.join(' or ')}?` : ''}`);
    }
    const positional = /Unexpected argument '([^']+)'/.exec(e.message);
    if (positional) throw ConfigError.single(positional[1]!, 'unexpected argument');
    const missing = /Option '(-[^ ]*)?\s*(--[^ ]+) <value>' argument missing/.exec(e.message);
    if (missing) throw ConfigError.single(missing[2]!, 'expects a value');
    throw ConfigError.single('flags', e.message);
  }
}

/** Turns a flag's text into a number when it reads as one (so zod can say what was wrong with it). */
function toNumber(raw: string): number | string {
  const value = Number(raw.replace(/_/g, ''));
  return raw.trim() === '' || Number.isNaN(value) ? raw : value;
}

/**
 * Checks numeric flags with zod schemas and collects every problem (not just the first) into one
 * ConfigError whose paths are the flags: `--steps: expected a positive integer; got -3`.
 */
export function numericFlags<S extends Record<string, z.ZodType>>(
  values: Record<string, unknown>,
  schemas: S,
): { [K in keyof S]?: z.output<S[K]> } {
  const out: Record<string, unknown> = {};
  const issues: ConfigError['issues'][number][] = [];
  for (const [name, schema] of Object.entries(schemas)) {
    const raw = values[name];
    if (typeof raw !== 'string') continue;
    try {
      out[name] = parseConfig(schema, toNumber(raw), `--${name}`);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(...err.issues);
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out as { [K in keyof S]?: z.output<S[K]> };
}
