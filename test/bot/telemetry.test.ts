import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startBotProcess } from '../helpers/botProcess';
import { FakeConnector, postActivity, teamsMessage } from '../helpers/fakeConnector';
import { freePort } from '../helpers/ports';
import { silentLogger } from '../../bot/logger';
import { noTelemetry, startTelemetry } from '../../bot/telemetry';
import { createTestBot, TestConversation } from '../helpers/testBot';

/**
 * OpenTelemetry to Application Insights, through the real entry point: the Azure Monitor exporter posts to an
 * ingestion endpoint that this test serves on loopback. On SIGTERM the bot sends what it still holds.
 */
describe('Telemetry (Azure Monitor OpenTelemetry, real process)', function () {
  this.timeout(60_000);
  let ingestion: Server;
  let certDir: string;
  const envelopes: { name?: string; data?: { baseData?: { metrics?: { name: string }[] } } }[] = [];

  before(async () => {
    // The exporter speaks only HTTPS: a throwaway certificate for 127.0.0.1, trusted by the bot's process alone.
    certDir = mkdtempSync(join(tmpdir(), 'signin-desk-ingestion-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(certDir, 'key.pem'),
        '-out',
        join(certDir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const tls = {
      key: readFileSync(join(certDir, 'key.pem')),
      cert: readFileSync(join(certDir, 'cert.pem')),
    };
    ingestion = createServer(tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const text = body.toString('utf8').trim();
        const items = text.startsWith('[')
          ? (JSON.parse(text) as unknown[])
          : text.split('\n').map((l) => JSON.parse(l));
        envelopes.push(...(items as typeof envelopes));
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
      });
    });
    await new Promise<void>((resolve) => ingestion.listen(0, '127.0.0.1', resolve));
  });
  after(() => {
    ingestion?.close();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('is off without a connection string, and with one sends turns by route and Graph latency', async () => {
    assert.equal(startTelemetry(undefined, silentLogger), noTelemetry);
    const connector = await new FakeConnector().start();
    const dataDir = mkdtempSync(join(tmpdir(), 'signin-desk-telemetry-'));
    const port = await freePort();
    const endpoint = `https://127.0.0.1:${(ingestion.address() as AddressInfo).port}/`;
    const { child, output } = await startBotProcess(port, {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem'),
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=${endpoint}`,
    });
    try {
      const bot = `http://127.0.0.1:${port}`;
      // A diagnosis that checks the licence (a Graph call), and help.
      assert.equal(
        (await postActivity(bot, teamsMessage(connector.url, { text: 'ライセンス' }))).status,
        200,
      );
      assert.equal((await postActivity(bot, teamsMessage(connector.url, { text: 'help' }))).status, 200);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      const metricNames = envelopes.flatMap((e) => e.data?.baseData?.metrics?.map((m) => m.name) ?? []);
      assert.ok(metricNames.includes('signin_desk.turns'), `${metricNames.join(', ')}\n${output()}`);
      assert.ok(metricNames.includes('signin_desk.graph.duration'), metricNames.join(', '));
      assert.match(output(), /telemetry: sending to Application Insights/);
      assert.doesNotMatch(output(), /InstrumentationKey=00000000/, 'the connection string is not logged');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await connector.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('Telemetry: turns by flow (TestAdapter)', () => {
  it('says which diagnosis each turn started or continued', async () => {
    const turns: { route: string; flow: string }[] = [];
    const bot = createTestBot({
      telemetry: { record: () => {}, turn: (route, flow) => void turns.push({ route, flow }) },
    });
    const conversation = new TestConversation(bot.adapter);
    await conversation.say('Office にサインインできません');
    await conversation.click({
      action: 'diagnosis.choose',
      question: 'office-product',
      choice: 'office-2019-later',
    });
    await conversation.say('cancel');
    await conversation.say('Office のライセンス認証ができません');
    await conversation.say('担当者と話したい');
    await conversation.say('Windows 11 です');
    const flows = turns.map((t) => t.flow);
    // The flow a turn started or continued; 'none' once cancel ended it.
    assert.deepEqual(flows, ['signin-repair', 'signin-repair', 'none', 'activation', 'person', 'person']);
    assert.ok(turns.every((t) => t.route.length > 0));
  });
});
