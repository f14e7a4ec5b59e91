/**
 * `npm start`: the bot in local mode plus the Microsoft 365 Agents Playground pointed at it, so a newcomer can
 * chat at http://localhost:56150 with no Azure account. Ctrl-C stops everything started here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// Runs from dist/scripts/ (npm start) or scripts/ (tsx): the project is the first folder with package.json.
const projectDir = existsSync(join(__dirname, '..', 'package.json'))
  ? join(__dirname, '..')
  : join(__dirname, '..', '..');

const botPort = process.env.PORT ?? '3978';
const playgroundPort = process.env.PLAYGROUND_PORT ?? '56150';

const children: ChildProcess[] = [];
let stopping = false;

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { cwd: projectDir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`${name} exited (${signal ?? code}); stopping the rest.\n`);
    void stopAll(typeof code === 'number' && code !== 0 ? code : 1);
  });
  return child;
}

async function stopAll(exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  const deadline = Date.now() + 8000;
  while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline)
    await sleep(100);
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  process.exit(exitCode);
}

async function waitForHealth(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return false;
}

function supportChannelConfigured(): boolean {
  const dotenv = join(projectDir, '.env');
  return (
    process.env.SUPPORT_CHANNEL_ID !== undefined ||
    (existsSync(dotenv) && /^\s*SUPPORT_CHANNEL_ID\s*=/m.test(readFileSync(dotenv, 'utf8')))
  );
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  start('bot', process.execPath, [join(projectDir, 'dist', 'bot', 'index.js')], {
    // The Playground's team channel (.m365agentsplayground.yml) is the support channel, so escalations can be
    // followed end to end locally. A value in the environment or in .env wins.
    ...(supportChannelConfigured() ? {} : { SUPPORT_CHANNEL_ID: 'channel-support-desk-id' }),
    ...process.env,
    PORT: botPort,
  });
  if (!(await waitForHealth(`http://127.0.0.1:${botPort}/healthz`, 20_000))) {
    process.stderr.write('The bot did not become healthy within 20 s.\n');
    return stopAll(1);
  }

  const playgroundCli = join(projectDir, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
  start(
    'playground',
    process.execPath,
    [
      playgroundCli,
      '--app-endpoint',
      `http://127.0.0.1:${botPort}/api/messages`,
      '--channel-id',
      'msteams',
      '--port',
      playgroundPort,
      '--disable-telemetry',
    ],
    // TEAMSAPPTESTER_BROWSER=none: it would otherwise try to open a browser and crash on a headless machine.
    { ...process.env, TEAMSAPPTESTER_BROWSER: 'none' },
  );
  if (await waitForHealth(`http://127.0.0.1:${playgroundPort}/_debug/ping`, 30_000)) {
    process.stdout.write(
      `\nSign-in Desk is running. Chat with it at http://localhost:${playgroundPort}  (Ctrl-C stops)\n\n`,
    );
  }
}

void main();
