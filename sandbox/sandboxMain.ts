/**
 * Runs the sandbox tenant on its own: `node dist/sandbox/sandboxMain.js` (or `npx tsx sandbox/sandboxMain.ts`).
 * SANDBOX_GRAPH_PORT (default 5081) and SANDBOX_TENANT_FILE (default sandbox/tenant.json) configure it.
 * Point the bot's Graph client at the printed URL; Ctrl-C stops it.
 */
import { SandboxGraphServer } from './sandboxGraphServer';

async function main(): Promise<void> {
  const portText = process.env.SANDBOX_GRAPH_PORT ?? '5081';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    process.stderr.write(`SANDBOX_GRAPH_PORT must be a port number (0-65535), not "${portText}".\n`);
    process.exit(2);
  }
  const sandbox = await SandboxGraphServer.start({
    port,
    host: '127.0.0.1',
    dataFile: process.env.SANDBOX_TENANT_FILE || undefined,
  });
  process.stdout.write(`Sandbox tenant (Microsoft Graph look-alike) listening on ${sandbox.url}\n`);
  process.stdout.write(`  Graph base URL: ${sandbox.url}/  (e.g. ${sandbox.url}/v1.0/subscribedSkus)\n`);
  const stop = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`Sandbox tenant failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
