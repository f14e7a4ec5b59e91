/**
 * Preloaded into both bots by the benchmark only (`--expose-gc --require`): SIGUSR2 runs a full garbage
 * collection, so the memory figures compare live data rather than when each heap last happened to shrink.
 */
process.on('SIGUSR2', () => (globalThis as { gc?: () => void }).gc?.());
