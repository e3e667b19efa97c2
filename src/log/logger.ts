// The one pino logger factory wnrl uses: JSON lines to a file (a run's log.jsonl), readable lines on a
// terminal. Library code takes a Logger and never prints.
import fs from 'node:fs';
import path from 'node:path';
import { pino, type Logger, type Level, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Minimum level for every destination (default `info`). */
  level?: LogLevel;
  /** Append JSON lines to this file (created with its directory). */
  file?: string;
  /** Readable output on a stream (default: stderr when it is a TTY, otherwise none). `false` turns it off. */
  console?: NodeJS.WritableStream | false;
  /** Colour the console output (default: when the console is a TTY). */
  colorize?: boolean;
}

/** A pino logger: JSON lines to a file (a run's log.jsonl) and/or readable lines on the console, at one level. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const streams: StreamEntry[] = [];
  if (options.file !== undefined) {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    // Synchronous writes: a record is on disk when the call returns, so a killed run leaves a whole log.
    streams.push({ level: level as Level, stream: pino.destination({ dest: options.file, sync: true, append: true }) });
  }
  const consoleStream =
    options.console === undefined ? (process.stderr.isTTY ? process.stderr : undefined) : options.console || undefined;
  if (consoleStream !== undefined) {
    const isTty = (consoleStream as { isTTY?: boolean }).isTTY === true;
    streams.push({
      level: level as Level,
      stream: pretty({
        destination: consoleStream,
        colorize: options.colorize ?? isTty,
        sync: true,
        ignore: 'pid,hostname',
        translateTime: 'HH:MM:ss',
        singleLine: true,
      }),
    });
  }
  if (streams.length === 0) return pino({ level: 'silent' });
  return pino({ level, base: null, timestamp: pino.stdTimeFunctions.isoTime }, pino.multistream(streams));
}

/** A logger that drops everything: the default for library objects built without one. */
export const silentLogger: Logger = pino({ level: 'silent' });
