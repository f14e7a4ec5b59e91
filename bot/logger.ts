import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream } from 'pino';

/** One JSON line per event (pino): easy to grep locally and to ship to any log store. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const SECRET_KEYS = /password|secret|token|authorization|key|connectionstring/i;

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [
      k,
      SECRET_KEYS.test(k) && v ? '***' : v instanceof Error ? describeError(v) : v,
    ]),
  );
}

function describeError(error: Error): Record<string, unknown> {
  return { name: error.name, message: error.message, stack: error.stack };
}

/**
 * The correlation id of the work in progress: the activity id of a turn, or the ticket an outbox delivery serves.
 * Every line logged inside carries it, Graph calls and sends included, so one turn's lines can be found together.
 */
const correlation = new AsyncLocalStorage<string>();

export function withCorrelation<T>(id: string, work: () => Promise<T>): Promise<T> {
  return correlation.run(id.slice(0, 128), work);
}

export function createLogger(
  level: LogLevel = 'info',
  destination: DestinationStream = pino.destination({ sync: true }),
): Logger {
  const base = pino(
    {
      level,
      base: undefined,
      messageKey: 'message',
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const id = correlation.getStore();
        return id ? { correlationId: id } : {};
      },
    },
    destination,
  );
  const log =
    (at: LogLevel) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      base[at](redact(fields), message);
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
