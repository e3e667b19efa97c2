import { createRequire } from 'node:module';

let cached: string | null = null;

/** wnrl's version, from package.json. */
export function version(): string {
  if (cached === null) cached = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  return cached;
}
