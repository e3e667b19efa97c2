// Lives in envs/ (the bottom layer, which may import only zod) so environments validate with it too;
// src/config/parse.ts re-exports it.
// The pattern every wnrl config follows: a zod schema with defaults, parsed here into a typed value or a
// ConfigError that lists every problem on its own line, each naming its path:
//   network.hidden[1]: expected a positive integer; got -3
import type { z } from 'zod';
import { WnrlError } from './errors.ts';

export interface ConfigIssue {
  /** Dotted path with indices: `network.hidden[1]`; the `where` prefix included. */
  readonly path: string;
  readonly message: string;
}

/** Invalid configuration, flags or external input; `issues` has every problem found, not just the first. */
export class ConfigError extends WnrlError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super('CONFIG', issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
    this.issues = issues;
  }
  /** A ConfigError with one issue: `path` names the field (or flag), `message` says what is wrong. */
  static single(path: string, message: string): ConfigError {
    return new ConfigError([{ path, message }]);
  }
}

export function formatPath(segments: readonly PropertyKey[], where = ''): string {
  let out = where;
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? String(s) : `.${String(s)}`;
  }
  return out === '' ? '(root)' : out;
}

function valueAt(input: unknown, segments: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let cur: unknown = input;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object' || !(s in (cur))) return { found: false, value: undefined };
    cur = (cur as Record<PropertyKey, unknown>)[s];
  }
  return { found: true, value: cur };
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Closest candidates by edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[], max = 3): string[] {
  const dist = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
        prev = tmp;
      }
    }
    return row[b.length]!;
  };
  const limit = Math.max(2, Math.floor(word.length / 3));
  return candidates
    .map((c) => ({ c, d: dist(word, c) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d)
    .slice(0, max)
    .map((x) => x.c);
}

function issueLines(issue: z.core.$ZodIssue, input: unknown, where: string): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key], where),
      message: 'unknown key; remove it or check its spelling',
    }));
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Report the branch that got furthest (most path segments matched) rather than every alternative.
    const best = [...issue.errors].sort((a, b) => b.length - a.length)[0] ?? [];
    if (best.length > 0) return best.flatMap((i) => issueLines({ ...i, path: [...issue.path, ...i.path] }, input, where));
  }
  const at = valueAt(input, issue.path);
  const got = at.found ? describeValue(at.value) : 'nothing';
  const message = issue.message.replace(/^Invalid input: /, '');
  return [{ path: formatPath(issue.path, where), message: `${message}; got ${got}` }];
}

/** Parses `input` with `schema`; on failure throws a ConfigError with one line per problem. */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, where = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.flatMap((issue) => issueLines(issue, input, where)));
}
