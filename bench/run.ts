/**
 * `npm run bench`: Sign-in Desk against a bare botbuilder echo bot on the same stack, driven by the same load
 * generator through a loopback Teams (bench/fakeTeams.ts), in one run on this machine. Prints every figure as a
 * ratio to the echo bot and writes bench/RESULTS.md.
 *
 *   npm run bench                      # 50 users × 20 conversations, three rounds per bot, taking turns
 *   npm run bench -- --users 20 --conversations 2
 *   npm run bench -- --smoke           # a few turns through both bots: checks that it works, not how fast
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../bot/paths';
import { SandboxGraphServer } from '../sandbox/sandboxGraphServer';
import { freePort } from '../test/helpers/ports';
import { FakeTeams, userActivity } from './fakeTeams';

interface Options {
  users: number;
  conversations: number;
  smoke: boolean;
  /** Runs the TypeScript sources through tsx instead of the build (the smoke test, no build needed). */
  fromSources: boolean;
  write: boolean;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const at = argv.indexOf(`--${name}`);
    const n = at >= 0 ? Number(argv[at + 1]) : fallback;
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of at least 1`);
    return n;
  };
  const smoke = argv.includes('--smoke');
  return {
    users: value('users', smoke ? 3 : 50),
    conversations: value('conversations', smoke ? 1 : 20),
    smoke,
    fromSources: smoke || argv.includes('--from-sources'),
    write: !smoke && !argv.includes('--no-write'),
  };
}

const ROOT = projectRoot();
const ENTRY = { echo: 'bench/echoBot', desk: 'bot/index' } as const;
/** Start-ups per bot (the median is reported) and load rounds per bot (the first warms up, the last two count). */
const STARTUPS = 3;
const ROUNDS = 3;
const CLOCK_TICKS_PER_SECOND = 100;
const SUPPORT_CHANNEL = '19:bench-support@thread.tacv2';

/** A bot process: its pid for /proc, its URL, and how long it took to answer its first turn. */
interface RunningBot {
  child: ChildProcess;
  url: string;
  startupMs: number;
}

async function post(url: string, activity: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(activity),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Starts a bot and times it to its first answered turn (a deployment's start, as a user would notice it). */
async function startBot(entry: string, env: Record<string, string>, teams: FakeTeams, fromSources: boolean) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // For profiles: BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (or --heapsnapshot-signal=SIGUSR2).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const gcOnSignal = fromSources ? 'bench/gcOnSignal.ts' : join('dist', 'bench', 'gcOnSignal.js');
  const args = [
    ...nodeArgs,
    '--expose-gc',
    ...(fromSources
      ? ['--require', 'tsx/cjs', '--require', `./${gcOnSignal}`, `${entry}.ts`]
      : ['--require', `./${gcOnSignal}`, join('dist', `${entry}.js`)]),
  ];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), MicrosoftAppId: '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk) => (errors += chunk));
  const hello = userActivity(teams.url, { id: '29:bench-start', aadObjectId: generatedUser(0) }, 'a:start', {
    text: 'help',
  });
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited: ${errors}`);
    try {
      if ((await post(url, hello)) === 200)
        return { child, url, startupMs: performance.now() - started } satisfies RunningBot;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill('SIGKILL');
  throw new Error(`${entry} did not answer within 60 s: ${errors}`);
}

async function stopBot(bot: RunningBot): Promise<void> {
  if (bot.child.exitCode !== null) return;
  const exited = new Promise((resolve) => bot.child.once('exit', resolve));
  bot.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
}

/** User and system CPU time of a process, in ms, from /proc (Linux). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

/** The sandbox tenant's generated users "社員 0001"…: a different directory user for each simulated person. */
function generatedUser(n: number): string {
  return `3c000000-0000-4000-8000-${((n % 1035) + 1).toString(16).padStart(12, '0')}`;
}

type Say = (content: { text?: string; value?: Record<string, unknown> }) => Promise<void>;

/** One simulated person's conversation with Sign-in Desk: a realistic mix of text, clicks and a licence check. */
async function signinDeskConversation(
  say: Say,
  buttons: () => Record<string, unknown>[],
  escalates: boolean,
): Promise<void> {
  const find = (test: (b: Record<string, unknown>) => boolean) => buttons().find(test);
  await say({ text: 'Office にサインインできません。エラー コードは 0xCAA70004 です' });
  await say({
    value: { action: 'diagnosis.choose', question: 'office-product', choice: 'office-2019-later' },
  });
  for (let guard = 0; guard < 15; guard++) {
    const done = find((b) => b.action === 'diagnosis.step' && b.outcome === 'done');
    if (!done) break;
    await say({ value: done });
  }
  const yes = find((b) => b.action === 'diagnosis.verify' && b.answer === 'yes');
  if (yes) await say({ value: yes });
  await say({ text: 'ライセンス' });
  if (!escalates) return;
  await say({ text: '担当者と話したい' });
  await say({ value: { action: 'ticket.details', errorMessage: '0xCAA70004', device: 'Windows 11' } });
  await say({ value: { action: 'ticket.screenshot', choice: 'none' } });
  const send = find((b) => b.action === 'ticket.confirm' && b.choice === 'send');
  if (send) await say({ value: send });
}

/** The echo bot gets as many turns per conversation, all text. */
async function echoConversation(say: Say): Promise<void> {
  for (let i = 0; i < 10; i++) await say({ text: `こんにちは ${i}` });
}

interface LoadResult {
  turns: number;
  failures: number;
  latencies: number[];
  wallMs: number;
  cpuMs: number;
  rssMb: number;
  /** Calls the bot made to Teams (replies, typing, cards), to explain the CPU per turn. */
  connectorCalls: number;
}

async function runLoad(
  bot: RunningBot,
  teams: FakeTeams,
  options: Options,
  round: number,
  conversation: (say: Say, buttons: () => Record<string, unknown>[], escalates: boolean) => Promise<void>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const cpuBefore = cpuMs(bot.child.pid!);
  const callsBefore = teams.received;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.users }, async (_, user) => {
      for (let c = 0; c < options.conversations; c++) {
        const person = { id: `29:bench-${round}-${user}`, aadObjectId: generatedUser(user) };
        const conversationId = `a:bench-${round}-${user}-${c}`;
        const say: Say = async (content) => {
          const sent = performance.now();
          const status = await post(bot.url, userActivity(teams.url, person, conversationId, content)).catch(
            () => 0,
          );
          latencies.push(performance.now() - sent);
          if (status !== 200) failures++;
        };
        await conversation(say, () => teams.buttons(conversationId), user % 10 === 0 && c === 0);
        teams.forget(conversationId);
      }
    }),
  );
  const wallMs = performance.now() - started;
  // Let the outbox settle, then collect garbage (bench/gcOnSignal.ts) before reading the memory.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  bot.child.kill('SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    turns: latencies.length,
    failures,
    latencies,
    wallMs,
    cpuMs: cpuMs(bot.child.pid!) - cpuBefore,
    rssMb: rssMb(bot.child.pid!),
    connectorCalls: teams.received - callsBefore,
  };
}

const median = (values: number[]) => percentile(values, 50);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** Graph figures of Sign-in Desk alone, with the bot idle: requests per licence check, latency, the group report. */
async function graphFigures(bot: RunningBot, teams: FakeTeams, sandbox: SandboxGraphServer) {
  const admin = { id: '29:bench-admin', aadObjectId: '1a000000-0000-4000-8000-00000000000d' };
  const person = { id: '29:bench-graph', aadObjectId: generatedUser(777) };
  const count = async (content: { text: string }, who = person, conversation = 'a:bench-graph') => {
    sandbox.clearRequests();
    const started = performance.now();
    const status = await post(bot.url, userActivity(teams.url, who, conversation, content));
    const ms = performance.now() - started;
    if (status !== 200) throw new Error(`the bot answered ${status}`);
    return { requests: sandbox.requests.length, ms };
  };
  const cold = await count({ text: 'ライセンス' });
  const warm = await count({ text: 'ライセンス' });
  sandbox.injectFault({ match: /./, delayMs: 100 });
  await count({ text: 'ライセンス' }); // the cache may have expired between the two: warm it under the delay
  const slow = await count({ text: 'ライセンス' });
  sandbox.clearFaults();
  const group = await count({ text: 'license group 全社員' }, admin, 'a:bench-admin');
  return { cold: cold.requests, warm: warm.requests, warmMsAt100: slow.ms, groupRequests: group.requests };
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const teams = await new FakeTeams().start();
  const sandbox = await SandboxGraphServer.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'signin-desk-bench-'));
  const results: Record<'echo' | 'desk', { bot: RunningBot; runs: LoadResult[] }> = {} as never;
  try {
    // The two bots take turns (start-ups, then load rounds), so a noisy neighbour or a slower minute on a shared
    // machine weighs on both alike instead of on whichever bot ran then.
    const deskEnv = {
      DATA_DIR: dataDir,
      GRAPH_BASE_URL: sandbox.url,
      SUPPORT_CHANNEL_ID: SUPPORT_CHANNEL,
      LOG_LEVEL: 'info',
    };
    const startups: Record<'echo' | 'desk', number[]> = { echo: [], desk: [] };
    const startupsPerBot = options.smoke ? 1 : STARTUPS;
    for (let i = 0; i < startupsPerBot; i++)
      for (const name of ['echo', 'desk'] as const) {
        const bot = await startBot(ENTRY[name], name === 'desk' ? deskEnv : {}, teams, options.fromSources);
        startups[name].push(bot.startupMs);
        if (i < startupsPerBot - 1) await stopBot(bot);
        else results[name] = { bot: { ...bot, startupMs: median(startups[name]) }, runs: [] };
      }
    const graph = await graphFigures(results.desk.bot, teams, sandbox);
    for (let round = 1; round <= ROUNDS; round++) {
      results.echo.runs.push(await runLoad(results.echo.bot, teams, options, round, echoConversation));
      results.desk.runs.push(await runLoad(results.desk.bot, teams, options, round, signinDeskConversation));
    }
    await stopBot(results.echo.bot);
    await stopBot(results.desk.bot);

    const report = summarize(results, graph, options);
    process.stdout.write(`${report}\n`);
    if (options.write) writeFileSync(join(ROOT, 'bench', 'RESULTS.md'), resultsFile(report));
    const failures = results.echo.runs.concat(results.desk.runs).reduce((n, r) => n + r.failures, 0);
    if (failures > 0) throw new Error(`${failures} turns did not answer 200`);
  } finally {
    for (const entry of Object.values(results))
      if (entry.bot.child.exitCode === null) entry.bot.child.kill('SIGKILL');
    await teams.stop();
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function summarize(
  results: Record<'echo' | 'desk', { bot: RunningBot; runs: LoadResult[] }>,
  graph: Awaited<ReturnType<typeof graphFigures>>,
  options: Options,
): string {
  // The second run of each bot is measured: the first warms the JIT and the caches, and is the leak baseline.
  // Rounds 2 and 3 are measured (round 1 warms the JIT and the caches); memory growth is round 2 → round 3.
  const measured = (name: 'echo' | 'desk') => {
    const [, second, third] = results[name].runs;
    const counted = [second, third];
    const turns = second.turns + third.turns;
    const latencies = counted.flatMap((r) => r.latencies);
    return {
      turns,
      cpuPerTurn: (second.cpuMs + third.cpuMs) / turns,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      throughput: turns / ((second.wallMs + third.wallMs) / 1000),
      rss: third.rssMb,
      growth: third.rssMb - second.rssMb,
      startup: results[name].bot.startupMs,
      callsPerTurn: (second.connectorCalls + third.connectorCalls) / turns,
    };
  };
  const echo = measured('echo');
  const desk = measured('desk');
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const check = (ok: boolean) => (ok ? 'met' : '**missed**');
  const rows = [
    [
      'CPU per turn',
      `${echo.cpuPerTurn.toFixed(2)} ms`,
      `${desk.cpuPerTurn.toFixed(2)} ms`,
      ratio(desk.cpuPerTurn, echo.cpuPerTurn),
      `≤ 1.5× ${check(desk.cpuPerTurn <= 1.5 * echo.cpuPerTurn)}`,
    ],
    [
      'calls to Teams per turn',
      echo.callsPerTurn.toFixed(2),
      desk.callsPerTurn.toFixed(2),
      ratio(desk.callsPerTurn, echo.callsPerTurn),
      '',
    ],
    ['p50 latency', `${echo.p50.toFixed(1)} ms`, `${desk.p50.toFixed(1)} ms`, ratio(desk.p50, echo.p50), ''],
    [
      'p99 latency',
      `${echo.p99.toFixed(1)} ms`,
      `${desk.p99.toFixed(1)} ms`,
      ratio(desk.p99, echo.p99),
      `≤ 2× ${check(desk.p99 <= 2 * echo.p99)}`,
    ],
    [
      'turns per second',
      echo.throughput.toFixed(0),
      desk.throughput.toFixed(0),
      ratio(desk.throughput, echo.throughput),
      '',
    ],
    [
      `RSS after ${ROUNDS * options.users * options.conversations} conversations, after a GC`,
      `${echo.rss.toFixed(0)} MB`,
      `${desk.rss.toFixed(0)} MB`,
      `+${(desk.rss - echo.rss).toFixed(0)} MB`,
      `≤ +60 MB ${check(desk.rss - echo.rss <= 60)}`,
    ],
    [
      'RSS growth, round 2 → round 3',
      `${echo.growth.toFixed(1)} MB`,
      `${desk.growth.toFixed(1)} MB`,
      '',
      `< 5 MB ${check(desk.growth < 5)}`,
    ],
    [
      'start-up to first answered turn',
      `${echo.startup.toFixed(0)} ms`,
      `${desk.startup.toFixed(0)} ms`,
      ratio(desk.startup, echo.startup),
      `≤ 1.5× ${check(desk.startup <= 1.5 * echo.startup)}`,
    ],
  ];
  const table = [
    '| | echo bot | Sign-in Desk | Sign-in Desk / echo | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  const graphTable = [
    '| Graph | figure | target |',
    '| --- | --- | --- |',
    `| requests per licence check, cold / warm | ${graph.cold} / ${graph.warm} | |`,
    `| warm licence card with a 100 ms Graph round trip | ${graph.warmMsAt100.toFixed(0)} ms | ≤ 130 ms ${check(graph.warmMsAt100 <= 130)} |`,
    `| group report of 1,050 members (全社員) | ${graph.groupRequests} requests | ≤ 60 ${check(graph.groupRequests <= 60)} |`,
  ];
  return [
    `${options.users} concurrent users × ${options.conversations} conversations, three rounds per bot, taking turns; ` +
      `measured (rounds 2 and 3): ${echo.turns} echo turns, ${desk.turns} Sign-in Desk turns.`,
    '',
    ...table,
    '',
    ...graphTable,
  ].join('\n');
}

function resultsFile(report: string): string {
  const previous = (() => {
    try {
      return readFileSync(join(ROOT, 'bench', 'RESULTS.md'), 'utf8');
    } catch {
      return '';
    }
  })();
  // Everything after the generated block (profiles, what changed, scaling) is written by people and kept.
  const kept = previous.includes('<!-- end of measured figures -->')
    ? previous.slice(
        previous.indexOf('<!-- end of measured figures -->') + '<!-- end of measured figures -->'.length,
      )
    : '\n';
  const cpu = cpus();
  return (
    [
      '# Benchmark results',
      '',
      `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, commit ${commit()}: ` +
        `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`,
      '',
      report,
      '',
      '<!-- end of measured figures -->',
    ].join('\n') + kept
  );
}

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.message}\n`);
  process.exit(1);
});
