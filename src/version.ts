import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from './package-root.ts';

let cached: string | null = null;

/** wnrl's version, from package.json. */
export function version(): string {
  if (cached === null) cached = (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
