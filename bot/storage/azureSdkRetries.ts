import { format } from 'node:util';
import { AzureLogger, setLogLevel } from '@azure/logger';
import type { Logger } from '../logger';

/** What Azure Storage's retry policy says (at info level) when it is about to send a request again. */
const RETRY_LINE = /RetryPolicy: (Will retry for status code \d+|Network error [^,]* ?found, will retry)/i;

/**
 * The Azure SDK retries Blob requests by itself (throttling, 5xx, dropped connections) and tells only its own
 * logger, at info level. This forwards those retries, and nothing else the SDK says, as warnings, so a storage
 * account that throttles the bot shows in the bot's log.
 */
export function logAzureStorageRetries(logger: Logger): void {
  setLogLevel('info');
  AzureLogger.log = (...args: unknown[]) => {
    const line = format(...args);
    const retry = RETRY_LINE.exec(line);
    if (retry) logger.warn('Azure Storage request will be retried', { reason: retry[1].slice(0, 120) });
  };
}
