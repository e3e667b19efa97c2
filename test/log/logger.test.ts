import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';

test('the logger writes JSON lines to a file and readable lines to a console stream', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-log-'));
  const file = path.join(dir, 'sub', 'log.jsonl');
  const consoleStream = new PassThrough();
  let text = '';
  consoleStream.on('data', (c: Buffer) => (text += c.toString()));
  const log = createLogger({ file, console: consoleStream, level: 'info' });
  log.info({ step: 10, return: 21.5, length: 21 }, 'episode');
  log.debug({ hidden: true }, 'not at info');
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ msg: 'episode', step: 10, return: 21.5, length: 21, level: 30 });
  expect(typeof lines[0]!.time).toBe('string');
  // One readable line per record: time, level name, message, fields (not pino's raw JSON).
  const consoleLines = text.trim().split('\n');
  expect(consoleLines).toHaveLength(1);
  expect(consoleLines[0]).toMatch(/INFO.*episode.*"return":21.5/);
  expect(consoleLines[0]).not.toContain('"level"');
});

test('level option filters records', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-log-'));
  const file = path.join(dir, 'log.jsonl');
  const log = createLogger({ file, console: false, level: 'warn' });
  log.info('dropped');
  log.warn('kept');
  expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
});
