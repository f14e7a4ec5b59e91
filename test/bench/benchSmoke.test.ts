import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { projectRoot } from '../../bot/paths';

/** `npm run bench -- --smoke`: both bots answer through the load generator; how fast is not judged here. */
describe('Benchmark smoke (bench/run.ts --smoke)', function () {
  this.timeout(120_000);

  it('drives the echo bot and Sign-in Desk and prints the table, with every turn answered', () => {
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'bench/run.ts', '--smoke'], {
      cwd: projectRoot(),
      encoding: 'utf8',
      timeout: 110_000,
    });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    for (const row of ['CPU per turn', 'p99 latency', 'start-up to first answered turn', 'group report'])
      assert.ok(run.stdout.includes(row), run.stdout);
  });
});
