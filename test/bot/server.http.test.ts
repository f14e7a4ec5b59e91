import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { MicrosoftAppCredentials, PasswordServiceClientCredentialFactory } from 'botframework-connector';
import jwt from 'jsonwebtoken';
import { createApp, type App } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { SqliteStorage } from '../../bot/storage/sqliteStorage';
import { FakeConnector, postActivity, teamsMessage } from '../helpers/fakeConnector';
import { freePort } from '../helpers/ports';
import { loadCatalog, testAppDeps, stringsOf, submitDataOf, type CardContent } from '../helpers/testBot';

describe('HTTP: restify + CloudAdapter, replies on a loopback connector', () => {
  let connector: FakeConnector;
  let app: App;
  let storage: SqliteStorage;
  let botUrl: string;
  let dataDir: string;

  beforeEach(async () => {
    connector = await new FakeConnector().start();
    dataDir = mkdtempSync(join(tmpdir(), 'signin-desk-http-'));
    storage = new SqliteStorage(join(dataDir, 'state.sqlite'));
    app = createApp({
      config: loadConfig({ DATA_DIR: dataDir }),
      storage,
      ...testAppDeps(),
    });
    const address = await app.server.listen(0, '127.0.0.1');
    botUrl = `http://127.0.0.1:${address.port}`;
  });

  afterEach(async () => {
    await app.server.close(1000);
    storage.close();
    await connector.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a message posted to /api/messages with a card sent to the serviceUrl', async () => {
    const response = await postActivity(
      botUrl,
      teamsMessage(connector.url, { text: 'Office 2016 にサインインできない' }),
    );
    assert.equal(response.status, 200);
    await connector.waitForActivities(2);
    const [ack, step] = connector.activities;
    assert.match(String(ack.text), /Office 2013 \/ 2016/);
    assert.ok(
      connector.calls.every((c) =>
        c.path.startsWith('/v3/conversations/a%3Apersonal-conversation-1/activities'),
      ),
    );
    assert.ok(submitDataOf(step as CardContent).some((d) => d.step === 'sign-out-quit-office'));
    assert.equal(connector.calls[0].authorization, undefined, 'local mode sends no token');
  });

  it('serves /readyz: 503 naming the dependency that does not answer, 200 when all do', async () => {
    let response = await fetch(`${botUrl}/readyz`);
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { status: 'not ready', storage: 'ok', graph: 'unavailable' });
    const ready = createApp({
      config: loadConfig({ DATA_DIR: dataDir }),
      storage,
      ...testAppDeps(),
      directory: { listSubscribedSkus: async () => [] } as never,
    });
    const readyUrl = `http://127.0.0.1:${(await ready.server.listen(0, '127.0.0.1')).port}`;
    try {
      response = await fetch(`${readyUrl}/readyz`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { status: 'ready', storage: 'ok', graph: 'ok' });
    } finally {
      await ready.server.close(1000);
    }
  });

  it('serves /healthz', async () => {
    const response = await fetch(`${botUrl}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('serves scripts as UTF-8 with BOM and CRLF, and 404s anything else', async () => {
    const response = await fetch(`${botUrl}/downloads/Signoutofwamaccounts.ps1`);
    assert.equal(response.status, 200);
    assert.match(
      response.headers.get('content-disposition') ?? '',
      /attachment; filename="Signoutofwamaccounts.ps1"/,
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    assert.ok(!/[^\r]\n/.test(text), 'only CRLF line endings');
    assert.equal(text.replace(/\r\n/g, '\n'), loadCatalog().scriptText('signout-wam-accounts'));
    for (const path of ['/downloads/..%2Fpackage.json', '/downloads/nothing.ps1', '/downloads/']) {
      assert.equal((await fetch(botUrl + path)).status, 404, path);
    }
  });

  it("serves the PC check as UTF-8 text without BOM for the one-liner's irm, and the download with BOM", async () => {
    const response = await fetch(`${botUrl}/scripts/CheckMyPc.ps1`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(response.headers.get('content-disposition'), null);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.notDeepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(bytes.toString('utf8'), loadCatalog().scriptText('check-my-pc'));
    assert.ok(bytes.toString('utf8').includes('===== Sign-in Desk PC check v1 ====='));
    const download = Buffer.from(await (await fetch(`${botUrl}/downloads/CheckMyPc.ps1`)).arrayBuffer());
    assert.deepEqual([...download.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    for (const path of ['/scripts/..%2Fpackage.json', '/scripts/nothing.ps1'])
      assert.equal((await fetch(botUrl + path)).status, 404, path);
  });

  it('rejects bad requests without crashing or leaking internals', async () => {
    const notJson = await fetch(`${botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{oops',
    });
    assert.equal(notJson.status, 400);
    const noType = await postActivity(botUrl, { text: 'hi' });
    assert.equal(noType.status, 400);
    const still = await fetch(`${botUrl}/healthz`);
    assert.equal(still.status, 200);
  });

  it('answers an unknown Universal Action invoke instead of leaving the client hanging', async () => {
    const invoke = {
      ...teamsMessage(connector.url, { locale: 'en-US' }),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'nonsense', data: {} }, trigger: 'manual' },
    };
    const response = await postActivity(botUrl, invoke);
    assert.equal(response.status, 200);
    const body = JSON.parse(response.body) as { type: string; value: string };
    assert.equal(body.type, 'application/vnd.microsoft.activity.message');
    assert.equal(body.value, loadCatalog().text('en', 'card.unknownAction'));
  });

  it('finishes a turn in flight before closing', async () => {
    connector.replyDelayMs = 500;
    const pending = postActivity(botUrl, teamsMessage(connector.url, { text: 'hello' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await app.server.close(5000);
    const response = await pending;
    assert.equal(response.status, 200);
    assert.equal(connector.activities.length, 1);
    const card = connector.activities[0] as CardContent;
    assert.ok(stringsOf(card).includes(loadCatalog().text('ja', 'menu.prompt')), 'a greeting gets the menu');
  });
});

describe('HTTP: authentication when MicrosoftAppId is set (self-signed tokens, loopback JWKS)', () => {
  const APP_ID = randomUUID();
  const ISSUER = 'https://api.botframework.com';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  let connector: FakeConnector;
  let app: App;
  let botUrl: string;

  class NoOutboundTokenFactory extends PasswordServiceClientCredentialFactory {
    constructor() {
      super(APP_ID, 'unused', '');
    }
    override async isAuthenticationDisabled(): Promise<boolean> {
      return false;
    }
    override async createCredentials(): Promise<MicrosoftAppCredentials> {
      return MicrosoftAppCredentials.Empty;
    }
  }

  before(async () => {
    connector = await new FakeConnector().start();
    // A fresh URL per run: botbuilder caches keys per metadata URL for the whole process.
    connector.openIdMetadata = { issuer: ISSUER, jwks_uri: `${connector.url}/jwks` };
    connector.jwks = {
      keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', endorsements: ['msteams'] }],
    };
    const config = loadConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'test-only-not-a-secret',
      MicrosoftAppTenantId: randomUUID(),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: 'https://desk.example.com',
    });
    const auth = new ConfigurationBotFrameworkAuthentication(
      {
        MicrosoftAppId: APP_ID,
        ToBotFromChannelOpenIdMetadataUrl: `${connector.url}/openid`,
        ToBotFromChannelTokenIssuer: ISSUER,
        ToChannelFromBotLoginUrl: `${connector.url}/login`,
        ToChannelFromBotOAuthScope: APP_ID,
      },
      new NoOutboundTokenFactory(),
    );
    app = createApp({
      config,
      storage: new SqliteStorage(':memory:'),
      ...testAppDeps(),
      botFrameworkAuthentication: auth,
    });
    botUrl = `http://127.0.0.1:${(await app.server.listen(0, '127.0.0.1')).port}`;
  });

  after(async () => {
    await app.server.close(1000);
    await connector.stop();
  });

  const token = (claims: Record<string, unknown>, key = privateKey) =>
    jwt.sign({ iss: ISSUER, aud: APP_ID, ...claims }, key, {
      algorithm: 'RS256',
      keyid: kid,
      ...('exp' in claims ? {} : { expiresIn: 300 }),
    });

  it('accepts a correctly signed token', async () => {
    const activity = teamsMessage(connector.url, { text: 'hello' });
    const response = await postActivity(botUrl, activity, {
      Authorization: `Bearer ${token({ serviceurl: activity.serviceUrl })}`,
    });
    assert.equal(response.status, 200);
  });

  it('answers 401 with a fixed body, and does nothing, for every token that is missing or wrong', async () => {
    const activity = teamsMessage(connector.url, { text: 'hello' });
    const serviceurl = activity.serviceUrl;
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const unsigned = (claims: Record<string, unknown>) =>
      `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid })).toString('base64url')}.${Buffer.from(
        JSON.stringify({
          iss: ISSUER,
          aud: APP_ID,
          serviceurl,
          exp: Math.floor(Date.now() / 1000) + 300,
          ...claims,
        }),
      ).toString('base64url')}.`;
    const cases: [string, Record<string, string>][] = [
      ['no token', {}],
      ['garbage', { Authorization: 'Bearer garbage' }],
      ['wrong audience', { Authorization: `Bearer ${token({ aud: randomUUID(), serviceurl })}` }],
      [
        'wrong issuer',
        { Authorization: `Bearer ${token({ iss: 'https://sts.windows.net/evil/', serviceurl })}` },
      ],
      ['wrong serviceurl', { Authorization: `Bearer ${token({ serviceurl: 'https://evil.example/' })}` }],
      ['bad signature', { Authorization: `Bearer ${token({ serviceurl }, other)}` }],
      [
        'expired',
        { Authorization: `Bearer ${token({ serviceurl, exp: Math.floor(Date.now() / 1000) - 3600 })}` },
      ],
      ['alg none', { Authorization: `Bearer ${unsigned({})}` }],
      [
        'HS256 keyed with the password',
        {
          Authorization: `Bearer ${jwt.sign(
            { iss: ISSUER, aud: APP_ID, serviceurl },
            'test-only-not-a-secret',
            {
              algorithm: 'HS256',
              keyid: kid,
              expiresIn: 300,
            },
          )}`,
        },
      ],
    ];
    const before = connector.activities.length;
    // botbuilder itself console.errors every rejected token; keep the test output readable.
    const consoleError = console.error;
    console.error = () => {};
    try {
      for (const [name, headers] of cases) {
        const response = await postActivity(botUrl, activity, headers);
        assert.equal(response.status, 401, name);
        assert.deepEqual(JSON.parse(response.body), { error: 'Unauthorized.' }, name);
      }
    } finally {
      console.error = consoleError;
    }
    assert.equal(connector.activities.length, before, 'nothing was sent for rejected requests');
  });
});

describe("HTTP: authentication when Microsoft's signing keys cannot be fetched", () => {
  const APP_ID = randomUUID();
  const ISSUER = 'https://api.botframework.com';
  let app: App;
  let botUrl: string;
  const logged: string[] = [];

  before(async () => {
    const closedPort = await freePort();
    const config = loadConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'test-only-not-a-secret',
      MicrosoftAppTenantId: randomUUID(),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: 'https://desk.example.com',
    });
    const auth = new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: APP_ID,
      // Nobody listens there: the metadata (and so the keys) cannot be fetched.
      ToBotFromChannelOpenIdMetadataUrl: `http://127.0.0.1:${closedPort}/openid`,
      ToBotFromChannelTokenIssuer: ISSUER,
      ToChannelFromBotLoginUrl: `http://127.0.0.1:${closedPort}/login`,
      ToChannelFromBotOAuthScope: APP_ID,
    });
    const deps = testAppDeps();
    app = createApp({
      config,
      storage: new SqliteStorage(':memory:'),
      ...deps,
      logger: { ...deps.logger, warn: (message: string) => void logged.push(message) },
      botFrameworkAuthentication: auth,
    });
    botUrl = `http://127.0.0.1:${(await app.server.listen(0, '127.0.0.1')).port}`;
  });

  after(() => app.server.close(1000));

  it('answers 503 (or 401) with a fixed body, never the fetch error, and warns once', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const activity = teamsMessage('https://smba.trafficmanager.net/jp/', { text: 'hello' });
    const signed = jwt.sign({ iss: ISSUER, aud: APP_ID, serviceurl: activity.serviceUrl }, privateKey, {
      algorithm: 'RS256',
      keyid: 'k1',
      expiresIn: 300,
    });
    const consoleError = console.error;
    console.error = () => {};
    try {
      for (let i = 0; i < 3; i++) {
        const response = await postActivity(botUrl, activity, { Authorization: `Bearer ${signed}` });
        assert.ok([401, 503].includes(response.status), String(response.status));
        assert.ok(!/request to|ECONNREFUSED|127\.0\.0\.1|at /.test(response.body), response.body);
      }
    } finally {
      console.error = consoleError;
    }
    assert.ok(logged.filter((m) => m.includes('signing keys')).length <= 1, 'one warning per interval');
  });
});
