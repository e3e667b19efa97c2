#!/usr/bin/env node
// The `wnrl` command. It runs the TypeScript sources directly through tsx's loader, so `npm ci` is all a
// clone needs: no build step, and stack traces point at the .ts files users read.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
