import assert from 'node:assert/strict';
import { createLogger, withCorrelation } from '../../bot/logger';

describe('logger (pino)', () => {
  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line)) } };
  };

  it('writes one JSON line per event with time, level and message; below the level writes nothing', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', stream);
    logger.debug('not shown');
    logger.warn('Graph throttled', { operation: 'findUsers', retryAfter: '1.5' });
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, 'warn');
    assert.equal(lines[0].message, 'Graph throttled');
    assert.equal(lines[0].operation, 'findUsers');
    assert.match(String(lines[0].time), /^\d{4}-\d\d-\d\dT/);
  });

  it('redacts secrets by field name and describes errors', () => {
    const { lines, stream } = capture();
    createLogger('debug', stream).error('failed', {
      password: 'hunter2',
      connectionString: 'AccountKey=abc',
      error: new Error('boom'),
    });
    assert.equal(lines[0].password, '***');
    assert.equal(lines[0].connectionString, '***');
    assert.equal((lines[0].error as { message: string }).message, 'boom');
  });

  it('tags every line of a turn with its correlation id, across awaits', async () => {
    const { lines, stream } = capture();
    const logger = createLogger('debug', stream);
    await withCorrelation('activity-42', async () => {
      logger.info('turn started');
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.info('Graph answered');
    });
    logger.info('outside');
    assert.deepEqual(
      lines.map((l) => l.correlationId),
      ['activity-42', 'activity-42', undefined],
    );
  });
});
