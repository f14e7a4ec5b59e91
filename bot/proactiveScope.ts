import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Marks turns the bot starts itself (proactive messages from the ticket outbox). CloudAdapter runs every
 * middleware for them too; the ones that are about an incoming user message (language, serialising a user's
 * turns, the tenant check, the apology on errors) step aside. The mark lives in async context, so no incoming
 * request can claim it.
 */
const scope = new AsyncLocalStorage<true>();

export const runProactive = <T>(work: () => Promise<T>): Promise<T> => scope.run(true, work);

export const isProactiveTurn = (): boolean => scope.getStore() === true;
