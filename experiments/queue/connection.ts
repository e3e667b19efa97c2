// The queue URL: `redis://[[user]:password@]host[:port][/db]` or `rediss://` (TLS). Parsed and checked up
// front (a bad URL is exit 2 naming --queue); everything that prints it prints `redacted`, never the
// password; ioredis gets the parts as options, with reconnection forever (a Redis restart mid-grid is
// waited out, not fatal).
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../../src/config/parse.ts';

export interface QueueUrl {
  /** The URL with any password replaced by `***`: the only form that reaches logs, files or errors. */
  readonly redacted: string;
  /** ioredis options (host, port, db, credentials, TLS). */
  readonly options: RedisOptions;
  /** Removes the password from a message (ioredis errors, stack tails) before it is shown. */
  scrub(message: string): string;
}

export function parseQueueUrl(raw: string, field = '--queue'): QueueUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw ConfigError.single(field, `expected a URL such as redis://host:6379/0 or rediss://:PASSWORD@host:6380; got ${redactLoose(raw)}`);
  }
  const password = decodeURIComponent(url.password);
  const username = decodeURIComponent(url.username);
  const redacted = `${url.protocol}//${username || password ? `${username}${password ? ':***' : ''}@` : ''}${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  const fail = (message: string): never => {
    throw ConfigError.single(field, `${message}; got ${redacted}`);
  };
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') fail("expected the scheme redis:// or rediss:// (TLS)");
  if (url.hostname === '') fail('expected a host');
  if (url.search !== '' || url.hash !== '') fail('expected no query or fragment (put the database number in the path: /0)');
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,5}$/.test(dbText)) fail('expected the path to be a database number such as /0');
  const options: RedisOptions = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db: dbText === '' ? 0 : Number(dbText),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
  };
  const scrub = (message: string): string => (password ? message.split(password).join('***') : message);
  return { redacted, options, scrub };
}

/** For a string that is not even a URL: hide whatever sits between a ':' and an '@'. */
function redactLoose(raw: string): string {
  return raw.replace(/:[^:/@]*@/g, ':***@');
}

/** Options for BullMQ's connections: requests wait through a disconnection; reconnect every ≤ 2 s. */
export function bullConnection(url: QueueUrl): ConnectionOptions {
  const options: Record<string, unknown> = { ...url.options, maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(200 * times, 2000) };
  return options;
}

/**
 * Connects once, without retrying, and pings: Redis unreachable, a wrong password or a TLS mismatch is a
 * ConfigError naming the (redacted) URL, before anything is enqueued or any run starts.
 */
export async function checkReachable(url: QueueUrl, field = '--queue', timeoutMs = 5000): Promise<void> {
  const client = new Redis({ ...url.options, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined); // reported below
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw ConfigError.single(field, `cannot reach Redis at ${url.redacted}: ${url.scrub(String((err as Error).message ?? err))}`);
  } finally {
    client.disconnect();
  }
}
