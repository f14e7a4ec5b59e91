import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, redactedConfig, type AppConfig } from '../../bot/config';

const ROOT = path.resolve(__dirname, '..', '..');

const APP_ID = '11111111-2222-3333-4444-555555555555';
const TENANT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
/** Distinctive, so finding it anywhere means a leak. */
const SECRET = 'S3cr3t~Pa55w0rd.Do-Not-Log_7f3a9c';

/** Deployed bots need a reachable address for script download links; set it so tests stay valid if it becomes required. */
const PUBLIC_BASE_URL = 'https://desk.example.com';
const authenticated = {
  MicrosoftAppId: APP_ID,
  MicrosoftAppTenantId: TENANT_ID,
  MicrosoftAppPassword: SECRET,
  PUBLIC_BASE_URL,
};

/** Expects loadConfig to fail with a ConfigError whose message names `variable`; returns the error. */
function expectConfigError(env: Record<string, string | undefined>, variable: string): ConfigError {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof ConfigError,
    `expected a ConfigError for ${JSON.stringify(env)}, got ${String(caught)}`,
  );
  assert.ok(
    caught.problems.some((p) => p.startsWith(`${variable} `)),
    `no problem names ${variable}:\n${caught.problems.join('\n')}`,
  );
  assert.ok(caught.message.includes(variable));
  assert.ok(!caught.message.includes(SECRET), 'the secret leaked into the error message');
  return caught;
}

describe('loadConfig', () => {
  describe('defaults', () => {
    let config: AppConfig;
    before(() => {
      config = loadConfig({});
    });

    it('listens on 127.0.0.1:3978 without authentication', () => {
      assert.equal(config.port, 3978);
      assert.equal(config.host, '127.0.0.1');
      assert.equal(config.authenticated, false);
      assert.equal(config.unauthenticatedRemote, false);
      assert.equal(config.publicBaseUrl, 'http://127.0.0.1:3978');
    });

    it('keeps data in ./data and defaults to a SingleTenant app', () => {
      assert.equal(config.dataDir, './data');
      assert.equal(config.botAuth.MicrosoftAppType, 'SingleTenant');
      assert.equal(config.botAuth.MicrosoftAppId, '');
      assert.equal(config.botAuth.MicrosoftAppPassword, '');
      assert.deepEqual(config.allowedTenantIds, []);
      assert.equal(config.logLevel, 'info');
    });

    it('treats empty variables as unset', () => {
      assert.deepEqual(
        loadConfig({
          PORT: '',
          HOST: ' ',
          MicrosoftAppId: '',
          MicrosoftAppPassword: '',
          DATA_DIR: '',
          ALLOWED_TENANT_IDS: '',
        }),
        config,
      );
    });
  });

  describe('bad values name their variable', () => {
    const cases: [string, Record<string, string>, string][] = [
      ['PORT=abc', { PORT: 'abc' }, 'PORT'],
      ['PORT=70000', { PORT: '70000' }, 'PORT'],
      ['PORT=0', { PORT: '0' }, 'PORT'],
      ['MicrosoftAppId=not-a-guid', { ...authenticated, MicrosoftAppId: 'not-a-guid' }, 'MicrosoftAppId'],
      [
        'MicrosoftAppId without MicrosoftAppTenantId (SingleTenant)',
        { MicrosoftAppId: APP_ID, MicrosoftAppPassword: SECRET },
        'MicrosoftAppTenantId',
      ],
      [
        'MicrosoftAppId without MicrosoftAppPassword',
        { MicrosoftAppId: APP_ID, MicrosoftAppTenantId: TENANT_ID },
        'MicrosoftAppPassword',
      ],
      [
        'UserAssignedMSI with a password',
        { ...authenticated, MicrosoftAppType: 'UserAssignedMSI' },
        'MicrosoftAppPassword',
      ],
      ['MicrosoftAppType=Foo', { ...authenticated, MicrosoftAppType: 'Foo' }, 'MicrosoftAppType'],
      [
        'ALLOWED_TENANT_IDS with a non-GUID',
        { ALLOWED_TENANT_IDS: `${TENANT_ID},contoso.com` },
        'ALLOWED_TENANT_IDS',
      ],
      ['NODE_ENV=production without MicrosoftAppId', { NODE_ENV: 'production' }, 'MicrosoftAppId'],
      ['HOST=0.0.0.0 without MicrosoftAppId', { HOST: '0.0.0.0' }, 'HOST'],
      [
        'ALLOW_UNAUTHENTICATED_REMOTE=maybe',
        { ALLOW_UNAUTHENTICATED_REMOTE: 'maybe' },
        'ALLOW_UNAUTHENTICATED_REMOTE',
      ],
      ['PUBLIC_BASE_URL=not a url', { PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
      ['LOG_LEVEL=verbose', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    ];
    for (const [name, env, variable] of cases) it(name, () => expectConfigError(env, variable));

    it('names the offending tenant id', () => {
      const error = expectConfigError({ ALLOWED_TENANT_IDS: 'contoso.com' }, 'ALLOWED_TENANT_IDS');
      assert.match(error.message, /contoso\.com/);
    });

    it('reports every problem at once', () => {
      const error = expectConfigError(
        { PORT: 'abc', LOG_LEVEL: 'loud', ALLOW_UNAUTHENTICATED_REMOTE: 'maybe' },
        'PORT',
      );
      assert.ok(error.problems.some((p) => p.startsWith('LOG_LEVEL ')));
      assert.ok(error.problems.some((p) => p.startsWith('ALLOW_UNAUTHENTICATED_REMOTE ')));
    });

    it('HOST=0.0.0.0 with NODE_ENV=production is still refused without MicrosoftAppId', () =>
      expectConfigError(
        { HOST: '0.0.0.0', NODE_ENV: 'production', ALLOW_UNAUTHENTICATED_REMOTE: 'true' },
        'MicrosoftAppId',
      ));
  });

  describe('storage', () => {
    it('is SQLite by default; a connection string or an account URL selects a shared Blob container', () => {
      assert.deepEqual(loadConfig({}).storage, { kind: 'sqlite', durability: 'normal' });
      assert.deepEqual(loadConfig({ SQLITE_SYNCHRONOUS: 'full' }).storage, {
        kind: 'sqlite',
        durability: 'full',
      });
      const byString = loadConfig({
        AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
        AZURE_STORAGE_CONTAINER: 'desk-prod',
      });
      assert.deepEqual(byString.storage, {
        kind: 'blob',
        container: 'desk-prod',
        connectionString: 'UseDevelopmentStorage=true',
      });
      assert.equal(
        (redactedConfig(byString).storage as { connectionString: string }).connectionString,
        '***',
      );
      const byIdentity = loadConfig({ AZURE_STORAGE_ACCOUNT_URL: 'https://desk.blob.core.windows.net' });
      assert.deepEqual(byIdentity.storage, {
        kind: 'blob',
        container: 'signin-desk',
        accountUrl: 'https://desk.blob.core.windows.net',
      });
    });

    it('names the variable of a bad container name, and refuses both kinds of Blob settings at once', () => {
      assert.throws(() => loadConfig({ AZURE_STORAGE_CONTAINER: 'Bad_Name' }), /AZURE_STORAGE_CONTAINER/);
      assert.throws(
        () =>
          loadConfig({
            AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
            AZURE_STORAGE_ACCOUNT_URL: 'https://desk.blob.core.windows.net',
          }),
        /choose one/,
      );
    });
  });

  describe('remote and authenticated setups', () => {
    it('allows HOST=0.0.0.0 without authentication only when forced, and says so', () => {
      const config = loadConfig({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED_REMOTE: 'true' });
      assert.equal(config.host, '0.0.0.0');
      assert.equal(config.authenticated, false);
      assert.equal(config.unauthenticatedRemote, true);
      assert.equal(config.publicBaseUrl, 'http://localhost:3978');
    });

    it('accepts loopback hosts without authentication', () => {
      for (const HOST of ['127.0.0.1', 'localhost', '::1']) {
        const config = loadConfig({ HOST });
        assert.equal(config.unauthenticatedRemote, false, HOST);
      }
      assert.equal(loadConfig({ HOST: '::1', PORT: '4000' }).publicBaseUrl, 'http://[::1]:4000');
    });

    it('binds 0.0.0.0 by default when authenticated', () => {
      const config = loadConfig(authenticated);
      assert.equal(config.authenticated, true);
      assert.equal(config.host, '0.0.0.0');
      assert.equal(config.unauthenticatedRemote, false);
      assert.equal(config.publicBaseUrl, PUBLIC_BASE_URL);
      assert.deepEqual(config.botAuth, {
        MicrosoftAppType: 'SingleTenant',
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: SECRET,
        MicrosoftAppTenantId: TENANT_ID,
      });
    });

    it('accepts MultiTenant without a tenant id and UserAssignedMSI without a password', () => {
      assert.equal(
        loadConfig({
          MicrosoftAppType: 'MultiTenant',
          MicrosoftAppId: APP_ID,
          MicrosoftAppPassword: SECRET,
          PUBLIC_BASE_URL,
        }).botAuth.MicrosoftAppType,
        'MultiTenant',
      );
      assert.equal(
        loadConfig({
          MicrosoftAppType: 'UserAssignedMSI',
          PUBLIC_BASE_URL,
          MicrosoftAppId: APP_ID,
          MicrosoftAppTenantId: TENANT_ID,
        }).botAuth.MicrosoftAppPassword,
        '',
      );
    });

    it('normalises the public base URL and the tenant list', () => {
      const config = loadConfig({
        ...authenticated,
        PORT: '8080',
        PUBLIC_BASE_URL: 'https://desk.example.com/',
        ALLOWED_TENANT_IDS: ` ${TENANT_ID.toUpperCase()} , ${APP_ID}`,
        DATA_DIR: '/var/lib/signin-desk',
      });
      assert.equal(config.port, 8080);
      assert.equal(config.publicBaseUrl, 'https://desk.example.com');
      assert.deepEqual(config.allowedTenantIds, [TENANT_ID, APP_ID]);
      assert.equal(config.dataDir, '/var/lib/signin-desk');
    });
  });

  describe('support channels', () => {
    it('reads the general and per-category channels, the language and the time zone', () => {
      const config = loadConfig({
        SUPPORT_CHANNEL_ID: '19:general@thread.tacv2',
        SUPPORT_CHANNEL_ID_ACTIVATION: '19:licences@thread.tacv2',
        SUPPORT_LANGUAGE: 'en',
        SUPPORT_TIME_ZONE: 'Europe/London',
        SUPPORT_TEAM_GROUP_ID: '0F0E0D0C-0B0A-4909-8807-060504030201',
      });
      assert.deepEqual(config.support, {
        channels: {
          default: '19:general@thread.tacv2',
          byCategory: { activation: '19:licences@thread.tacv2' },
          teamGroupId: '0f0e0d0c-0b0a-4909-8807-060504030201',
        },
        language: 'en',
        timeZone: 'Europe/London',
        statsRetentionDays: 90,
      });
      assert.deepEqual(loadConfig({}).support, {
        channels: { default: undefined, byCategory: {}, teamGroupId: undefined },
        language: 'ja',
        timeZone: 'Asia/Tokyo',
        statsRetentionDays: 90,
      });
    });

    for (const [variable, value] of [
      ['SUPPORT_CHANNEL_ID', '19:abc@thread.tacv2;messageid=123'],
      ['SUPPORT_CHANNEL_ID_SIGNIN', 'two words'],
      ['SUPPORT_LANGUAGE', 'fr'],
      ['SUPPORT_TIME_ZONE', 'Mars/Olympus'],
      ['SUPPORT_TEAM_GROUP_ID', '19:abc@thread.tacv2'],
      ['STATS_RETENTION_DAYS', '3'],
      ['STATS_RETENTION_DAYS', 'a year'],
    ])
      it(`names ${variable} when it is wrong`, () => {
        assert.throws(
          () => loadConfig({ [variable]: value }),
          (e: Error) => e instanceof ConfigError && e.message.includes(variable),
        );
      });
  });

  describe('secrets', () => {
    it('never appear in a ConfigError message', () => {
      const failing: Record<string, string>[] = [
        { ...authenticated, MicrosoftAppType: 'UserAssignedMSI' },
        { ...authenticated, PORT: 'abc' },
        { ...authenticated, MicrosoftAppId: 'not-a-guid' },
        { MicrosoftAppId: APP_ID, MicrosoftAppPassword: SECRET },
        { ...authenticated, MicrosoftAppType: 'Foo' },
      ];
      for (const env of failing) {
        assert.throws(
          () => loadConfig(env),
          (error: unknown) =>
            error instanceof ConfigError &&
            !error.message.includes(SECRET) &&
            error.problems.every((p) => !p.includes(SECRET)) &&
            !String(error.stack).includes(SECRET),
        );
      }
    });

    it('never appear in redactedConfig()', () => {
      const config = loadConfig(authenticated);
      const redacted = redactedConfig(config);
      assert.ok(!JSON.stringify(redacted).includes(SECRET));
      assert.equal((redacted.botAuth as Record<string, string>).MicrosoftAppPassword, '***');
      assert.equal(
        (redacted.botAuth as Record<string, string>).MicrosoftAppId,
        APP_ID,
        'non-secrets stay visible',
      );
      assert.equal(config.botAuth.MicrosoftAppPassword, SECRET, 'redaction does not modify the config');
      assert.equal(
        (redactedConfig(loadConfig({})).botAuth as Record<string, string>).MicrosoftAppPassword,
        '',
      );
    });
  });
});

describe('bot/index.ts with a bad configuration', () => {
  const CONFIG_VARIABLES = [
    'PORT',
    'HOST',
    'ALLOW_UNAUTHENTICATED_REMOTE',
    'PUBLIC_BASE_URL',
    'MicrosoftAppType',
    'MicrosoftAppId',
    'MicrosoftAppPassword',
    'MicrosoftAppTenantId',
    'ALLOWED_TENANT_IDS',
    'DATA_DIR',
    'NODE_ENV',
    'LOG_LEVEL',
  ];
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'signin-desk-config-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exits non-zero within seconds, naming PORT, without a stack trace', async function () {
    this.timeout(20_000);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of CONFIG_VARIABLES) delete env[name];
    Object.assign(env, { PORT: 'abc', DATA_DIR: dataDir });

    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join('bot', 'index.ts')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`bot/index.ts still running after 15 s\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, 15_000);
      child.on('error', reject);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });

    assert.notEqual(code, 0, `exit code ${String(code)}\nstderr: ${stderr}`);
    assert.notEqual(code, null);
    assert.ok(Date.now() - started < 15_000);
    assert.match(stderr, /\bPORT\b/);
    assert.doesNotMatch(stderr, /^ {4}at /m, `stderr has a stack trace:\n${stderr}`);
    assert.doesNotMatch(stdout, /listening/);
    assert.ok(!existsSync(path.join(dataDir, 'state.sqlite')), 'no state was created');
    assert.deepEqual(readdirSync(dataDir), []);
  });

  describe('Graph settings', () => {
    const fails = (env: Record<string, string>, variable: string) =>
      assert.throws(
        () => loadConfig(env),
        (e: Error) => e.message.includes(variable),
      );
    it('refuses a non-loopback GRAPH_BASE_URL without credentials', () =>
      fails({ GRAPH_BASE_URL: 'https://graph.example.com' }, 'GRAPH_BASE_URL'));
    it('refuses plain http when a token would be sent', () =>
      fails(
        { GRAPH_BASE_URL: 'http://graph.example.com', AZURE_USE_MANAGED_IDENTITY: 'true' },
        'GRAPH_BASE_URL',
      ));
    it('names the missing tenant and client ids', () => {
      fails({ AZURE_CLIENT_SECRET: 'x' }, 'AZURE_TENANT_ID');
      fails({ AZURE_CLIENT_SECRET: 'x' }, 'AZURE_CLIENT_ID');
    });
    it('requires Graph credentials in production', () =>
      fails(
        {
          NODE_ENV: 'production',
          MicrosoftAppId: '00000000-0000-4000-8000-000000000001',
          MicrosoftAppPassword: 'p',
          MicrosoftAppTenantId: '00000000-0000-4000-8000-000000000002',
          PUBLIC_BASE_URL: 'https://desk.example.com',
        },
        'AZURE_CLIENT_ID',
      ));
    it('refuses Graph credentials on an unauthenticated public listener', () =>
      fails(
        { HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED_REMOTE: 'true', AZURE_USE_MANAGED_IDENTITY: 'true' },
        'ALLOW_UNAUTHENTICATED_REMOTE',
      ));
    it('sends no token only to loopback, and uses the sandbox when nothing is set', () => {
      assert.deepEqual(loadConfig({ GRAPH_BASE_URL: 'http://127.0.0.1:5081' }).graph, {
        mode: 'loopback',
        baseUrl: 'http://127.0.0.1:5081',
      });
      assert.deepEqual(loadConfig({}).graph, { mode: 'sandbox' });
    });
  });
});
