// A real redis-server for the queue tests: private port on 127.0.0.1, its own directory, a password, and
// an append-only file synced on every write, so `restart()` (a Redis lost mid-grid) keeps the queue.
// `npm test` installs redis-server first when it is missing (scripts/setup-redis.mjs).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestRedis {
  port: number;
  password: string;
  /** redis://:PASSWORD@127.0.0.1:PORT/0 */
  url: string;
  dir: string;
  /** Stops the server (SIGTERM: the AOF is complete) and starts it again on the same port and data. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** Runs redis-cli against it. */
  cli(...args: string[]): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, up: boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`redis on port ${port} did not ${up ? 'start' : 'stop'} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedis(): Promise<TestRedis> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error('redis-server is not on PATH: run `npm run setup:redis` (npm test does) or install Redis');
  }
  const port = await freePort();
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-redis-'));
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--requirepass', password, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
    await waitForPort(port, true);
  };
  const halt = async () => {
    const c = child as ChildProcess | null;
    if (c === null || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
    child = null;
    await waitForPort(port, false);
  };
  await launch();
  return {
    port,
    password,
    url: `redis://:${password}@127.0.0.1:${port}/0`,
    dir,
    async restart(downMs = 1500) {
      await halt();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    async stop() {
      await halt();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    cli(...args: string[]) {
      return spawnSync('redis-cli', ['-p', String(port), '-a', password, '--no-auth-warning', ...args], { encoding: 'utf8' }).stdout.trim();
    },
  };
}
