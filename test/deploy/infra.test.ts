import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../bot/config';
import {
  ArmEvaluator,
  SAMPLE_SCOPE,
  bicepPropertyNames,
  parseBicep,
  type ArmResource,
  type ArmTemplate,
  type ArmValue,
} from './armTemplate';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const BICEP_SOURCE = read('infra/main.bicep');
const TEMPLATE = JSON.parse(read('infra/main.json')) as ArmTemplate;

const BOT_APP_ID = '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
const BOT_APP_PASSWORD = 'test-only-not-a-secret';
const IDENTITY_CLIENT_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const IDENTITY_PRINCIPAL_ID = '0d1c2b3a-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
const STORAGE_KEY = 'c3RvcmFnZS1hY2NvdW50LWtleS1zdHViLW9ubHk=';
const APP_INSIGHTS_CONNECTION =
  'InstrumentationKey=00000000-0000-0000-0000-00000000a1a1;IngestionEndpoint=https://x/';

/** Runtime properties of the resources infra/ reads with reference(): made up, but shaped like Azure's. */
const stubs = {
  reference(id: string): ArmValue {
    const name = id.split('/').pop()!;
    if (id.includes('/Microsoft.ManagedIdentity/userAssignedIdentities/'))
      return {
        clientId: IDENTITY_CLIENT_ID,
        principalId: IDENTITY_PRINCIPAL_ID,
        tenantId: SAMPLE_SCOPE.tenantId,
      };
    if (id.includes('/Microsoft.Web/sites/')) return { defaultHostName: `${name}.azurewebsites.net` };
    if (id.includes('/Microsoft.Storage/storageAccounts/'))
      return { primaryEndpoints: { blob: `https://${name}.blob.core.windows.net/` } };
    if (id.includes('/Microsoft.Insights/components/')) return { ConnectionString: APP_INSIGHTS_CONNECTION };
    throw new Error(`no reference() stub for ${id}`);
  },
  listKeys(id: string): ArmValue {
    if (!id.includes('/Microsoft.Storage/storageAccounts/')) throw new Error(`no listKeys() stub for ${id}`);
    return { keys: [{ keyName: 'key1', value: STORAGE_KEY }] };
  },
};

const MODES = {
  SingleTenant: {
    resourceBaseName: 'signindesk1a2b3c',
    botIdentityType: 'SingleTenant',
    botAppId: BOT_APP_ID,
    botAppPassword: BOT_APP_PASSWORD,
  },
  UserAssignedMSI: { resourceBaseName: 'signindesk1a2b3c', botIdentityType: 'UserAssignedMSI' },
} as const;
type Mode = keyof typeof MODES;

/** The template deployed with one mode's parameters: every resource ARM would create, evaluated. */
function deploy(mode: Mode, template: ArmTemplate = TEMPLATE, extra: Record<string, ArmValue> = {}) {
  const evaluator = new ArmEvaluator(template, { ...MODES[mode], ...extra }, stubs);
  const resources = template.resources
    .map((raw) => ({ raw, evaluated: evaluator.resource(raw) }))
    .filter((r): r is { raw: ArmResource; evaluated: Record<string, ArmValue> } => r.evaluated !== undefined);
  const ofType = (type: string) => resources.filter((r) => r.raw.type === type).map((r) => r.evaluated);
  const one = (type: string) => {
    const found = ofType(type);
    assert.equal(found.length, 1, `one ${type}`);
    return found[0];
  };
  const outputs = Object.fromEntries(
    Object.entries(template.outputs).map(([name, output]) => [name, evaluator.value(output.value)]),
  );
  return { evaluator, resources, ofType, one, outputs };
}

type Props = Record<string, ArmValue>;
const props = (resource: Props) => resource.properties as Props;

function appSettingsOf(
  mode: Mode,
  template: ArmTemplate = TEMPLATE,
  extra: Record<string, ArmValue> = {},
): Record<string, string> {
  const config = deploy(mode, template, extra)
    .ofType('Microsoft.Web/sites/config')
    .find((c) => String(c.name).endsWith('/appsettings'));
  assert.ok(config, 'an appsettings config resource');
  for (const [name, value] of Object.entries(props(config)))
    assert.equal(typeof value, 'string', `app setting ${name} is a string`);
  return props(config) as Record<string, string>;
}

/** The variable names bot/config.ts accepts: the keys of its zod envSchema object. */
function configVariableNames(): string[] {
  const source = read('bot/config.ts');
  const body = source.slice(source.indexOf('const envSchema = z'), source.indexOf('.superRefine('));
  const names = [...body.matchAll(/^ {4}([A-Za-z_][A-Za-z0-9_]*):/gm)].map((m) => m[1]);
  assert.ok(names.length > 20, 'found the schema keys');
  return names;
}

/** App settings that are not the bot's but App Service's: how it builds the deployment. */
const PLATFORM_SETTINGS = ['SCM_DO_BUILD_DURING_DEPLOYMENT', 'CUSTOM_BUILD_COMMAND'];

/** Variables the bot reads that the template leaves out on purpose, each with the reason. */
const NOT_SET_ON_AZURE: Record<string, string> = {
  PORT: 'App Service sets it',
  HOST: 'the default with MicrosoftAppId is 0.0.0.0',
  ALLOW_UNAUTHENTICATED_REMOTE: 'never on a public host',
  DATA_DIR: 'SQLite is not used on App Service',
  GRAPH_BASE_URL: 'the default is the real Graph',
  AZURE_CLIENT_CERTIFICATE_PATH: 'a Key Vault secret or the managed identity instead',
  STATS_RETENTION_DAYS: 'the default (90 days) suits; add a parameter to change it',
};
/** Whole families left out for one reason. */
const FAMILIES_NOT_SET_ON_AZURE: [RegExp, string][] = [
  [/^SQLITE_/, 'SQLite is not used on App Service'],
  [/^SUPPORT_CHANNEL_ID_/, 'per-category channels: register them in Teams'],
];
const explainedWhyNotSet = (name: string) =>
  name in NOT_SET_ON_AZURE || FAMILIES_NOT_SET_ON_AZURE.some(([family]) => family.test(name));

const KEY_VAULT_REFERENCE =
  /^@Microsoft\.KeyVault\(SecretUri=https:\/\/([a-z0-9-]+)\.vault\.azure\.net\/secrets\/([A-Za-z0-9-]+)\/\)$/;

/** The environment the bot process sees: Key Vault references resolved to the secrets the template stored. */
function environmentOf(mode: Mode, extra: Record<string, ArmValue> = {}): Record<string, string> {
  const deployment = deploy(mode, TEMPLATE, extra);
  const vaultName = String(deployment.one('Microsoft.KeyVault/vaults').name);
  const secrets = new Map(
    deployment
      .ofType('Microsoft.KeyVault/vaults/secrets')
      .map((s) => [String(s.name), String(props(s).value)] as const),
  );
  return Object.fromEntries(
    Object.entries(appSettingsOf(mode, TEMPLATE, extra)).map(([name, value]) => {
      const reference = KEY_VAULT_REFERENCE.exec(value);
      if (!reference) return [name, value];
      assert.equal(reference[1], vaultName, `${name} points at the template's vault`);
      const secret = secrets.get(`${vaultName}/${reference[2]}`);
      assert.ok(secret !== undefined, `${name}: the template stores secret ${reference[2]}`);
      return [name, secret];
    }),
  );
}

function hasBicep(): boolean {
  return spawnSync('bicep', ['--version'], { encoding: 'utf8' }).status === 0;
}

describe('infra: the Azure resources (infra/main.bicep, infra/main.json)', () => {
  describe('main.json is a well-formed ARM template', () => {
    it('has the deployment template schema, a content version, parameters, resources and outputs', () => {
      assert.equal(
        TEMPLATE.$schema,
        'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      );
      assert.match(TEMPLATE.contentVersion, /^\d+\.\d+\.\d+\.\d+$/);
      assert.ok(Object.keys(TEMPLATE.parameters).length > 0);
      assert.ok(TEMPLATE.resources.length > 0);
      assert.ok(Object.keys(TEMPLATE.outputs).length > 0);
      for (const [name, parameter] of Object.entries(TEMPLATE.parameters))
        assert.ok(
          ['string', 'securestring', 'int', 'bool', 'object', 'array'].includes(parameter.type),
          name,
        );
      for (const resource of TEMPLATE.resources) {
        assert.match(resource.type, /^[A-Za-z]+\.[A-Za-z]+(\/[A-Za-z]+)+$/, JSON.stringify(resource));
        assert.match(resource.apiVersion, /^\d{4}-\d{2}-\d{2}(-preview)?$/, resource.type);
        assert.equal(typeof resource.name, 'string', resource.type);
      }
      for (const [name, output] of Object.entries(TEMPLATE.outputs))
        assert.equal(output.type, 'string', name);
    });

    it('every expression parses and evaluates, in both identity modes', () => {
      for (const mode of Object.keys(MODES) as Mode[]) {
        const { evaluator, outputs } = deploy(mode);
        for (const name of Object.keys(TEMPLATE.variables)) evaluator.value(`[variables('${name}')]`);
        for (const value of Object.values(outputs)) assert.equal(typeof value, 'string');
      }
    });

    it('every dependsOn names a resource of the template', () => {
      const { evaluator } = deploy('SingleTenant');
      const ids = new Set(
        TEMPLATE.resources.map((resource) => {
          const name = String(evaluator.value(resource.name));
          if (resource.scope !== undefined)
            return `${evaluator.resourceGroupId}/providers/${String(evaluator.value(resource.scope))}/providers/${resource.type}/${name}`;
          const [namespace, ...types] = resource.type.split('/');
          const names = name.split('/');
          return `${evaluator.resourceGroupId}/providers/${namespace}/${types.map((t, i) => `${t}/${names[i]}`).join('/')}`;
        }),
      );
      for (const resource of TEMPLATE.resources)
        for (const dependency of resource.dependsOn ?? [])
          assert.ok(
            ids.has(String(evaluator.value(dependency))),
            `${resource.type} depends on ${dependency}`,
          );
    });
  });

  describe('main.bicep and main.json declare the same template', () => {
    const bicep = parseBicep(BICEP_SOURCE);

    it('the same parameters, with the same types, defaults and allowed values', () => {
      assert.deepEqual([...bicep.parameters.keys()], Object.keys(TEMPLATE.parameters));
      for (const [name, declared] of bicep.parameters) {
        const json = TEMPLATE.parameters[name];
        assert.equal(json.type, declared.type, name);
        assert.deepEqual(json.allowedValues, declared.allowed, name);
        if (declared.default === undefined) assert.equal(json.defaultValue, undefined, name);
        else if (/^'.*'$/.test(declared.default))
          assert.equal(json.defaultValue, declared.default.slice(1, -1), name);
        else if (/^\d+$/.test(declared.default))
          assert.equal(json.defaultValue, Number(declared.default), name);
        else assert.equal(json.defaultValue, `[${declared.default}]`, name);
        for (const [decorator, key] of [
          ['minLength', 'minLength'],
          ['maxLength', 'maxLength'],
          ['minValue', 'minValue'],
        ] as const) {
          const value = declared.decorators
            .map((d) => new RegExp(`^@${decorator}\\((\\d+)\\)$`).exec(d))
            .find(Boolean);
          assert.equal(json[key], value ? Number(value[1]) : undefined, `${name} ${decorator}`);
        }
      }
    });

    it('the same variables and outputs', () => {
      assert.deepEqual(bicep.variables, Object.keys(TEMPLATE.variables));
      assert.deepEqual(
        [...bicep.outputs],
        Object.entries(TEMPLATE.outputs).map(([name, output]) => [name, output.type]),
      );
    });

    it('the same resource types with the same API versions, conditional in the same places', () => {
      const describe = (r: { type: string; apiVersion: string; conditional: boolean }) =>
        `${r.type}@${r.apiVersion}${r.conditional ? ' (conditional)' : ''}`;
      assert.deepEqual(
        bicep.resources.map(describe),
        TEMPLATE.resources.map((r) => describe({ ...r, conditional: r.condition !== undefined })),
      );
    });

    it('the same app setting names', () => {
      const json = TEMPLATE.resources.find((r) => r.type === 'Microsoft.Web/sites/config')!;
      assert.deepEqual(
        bicepPropertyNames(BICEP_SOURCE, 'appSettings'),
        Object.keys(json.properties as object),
      );
    });

    it('`bicep build` gives a template that deploys the same (runs where the Bicep CLI is installed)', function () {
      if (!hasBicep()) {
        // No Bicep CLI reaches this machine offline (see docs/deploy.md); main.json is checked by hand above.
        this.skip();
      }
      const built = spawnSync('bicep', ['build', path.join(ROOT, 'infra', 'main.bicep'), '--stdout'], {
        encoding: 'utf8',
      });
      assert.equal(built.status, 0, built.stderr);
      const compiled = JSON.parse(built.stdout) as ArmTemplate;
      if (!Array.isArray(compiled.resources)) compiled.resources = Object.values(compiled.resources);
      for (const mode of Object.keys(MODES) as Mode[]) {
        const strip = (d: ReturnType<typeof deploy>) => ({
          resources: d.resources.map((r) => r.evaluated),
          outputs: d.outputs,
        });
        assert.deepEqual(strip(deploy(mode, compiled)), strip(deploy(mode)), mode);
      }
    });
  });

  describe('App Service', () => {
    const deployment = deploy('SingleTenant');
    const plan = deployment.one('Microsoft.Web/serverfarms');
    const site = deployment.one('Microsoft.Web/sites');
    const siteConfig = props(site).siteConfig as Props;

    it('runs Linux with Node 22', () => {
      assert.equal(plan.kind, 'linux');
      assert.equal(props(plan).reserved, true);
      assert.equal(site.kind, 'app,linux');
      assert.equal(siteConfig.linuxFxVersion, 'NODE|22-lts');
      assert.match(read('package.json'), /"node": "[^"]*>=22 <23/);
    });

    it('has two instances by default, with no sticky sessions', () => {
      assert.equal(TEMPLATE.parameters.instanceCount.defaultValue, 2);
      assert.equal((plan.sku as Props).capacity, 2);
      assert.equal(props(site).clientAffinityEnabled, false);
      assert.equal(
        (deploy('SingleTenant', TEMPLATE, { instanceCount: 3 }).one('Microsoft.Web/serverfarms').sku as Props)
          .capacity,
        3,
      );
    });

    it('is HTTPS only, TLS 1.2 at least, no FTP', () => {
      assert.equal(props(site).httpsOnly, true);
      assert.equal(siteConfig.minTlsVersion, '1.2');
      assert.equal(siteConfig.scmMinTlsVersion, '1.2');
      assert.equal(siteConfig.ftpsState, 'Disabled');
      const storage = props(deployment.one('Microsoft.Storage/storageAccounts'));
      assert.equal(storage.minimumTlsVersion, 'TLS1_2');
      assert.equal(storage.supportsHttpsTrafficOnly, true);
      assert.equal(storage.allowBlobPublicAccess, false);
    });

    it('starts the built bot, and checks health on a route the bot serves', () => {
      assert.equal(siteConfig.appCommandLine, 'node dist/bot/index.js');
      const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
      assert.equal(scripts['start:bot'], 'node dist/bot/index.js');
      assert.equal(scripts.build, 'tsc -p tsconfig.build.json');
      assert.equal(siteConfig.alwaysOn, true);
      assert.equal(siteConfig.healthCheckPath, '/healthz');
      assert.match(read('bot/server.ts'), /server\.get\('\/healthz'/);
    });

    it('the deployment builds nothing but production dependencies on App Service', () => {
      const settings = appSettingsOf('SingleTenant');
      assert.equal(settings.SCM_DO_BUILD_DURING_DEPLOYMENT, 'true');
      assert.equal(settings.CUSTOM_BUILD_COMMAND, 'npm ci --omit=dev');
    });
  });

  describe('app settings', () => {
    it("are the bot's own variable names (bot/config.ts), plus App Service's", () => {
      const accepted = configVariableNames();
      for (const mode of Object.keys(MODES) as Mode[]) {
        const names = Object.keys(appSettingsOf(mode));
        assert.deepEqual(
          names.filter((name) => !accepted.includes(name) && !PLATFORM_SETTINGS.includes(name)),
          [],
          `${mode}: settings the bot does not read`,
        );
        assert.deepEqual(
          accepted.filter((name) => !names.includes(name) && !explainedWhyNotSet(name)),
          [],
          `${mode}: variables of bot/config.ts that infra/main.bicep and main.json neither set nor, in NOT_SET_ON_AZURE here, explain`,
        );
      }
      for (const name of [
        'MicrosoftAppType',
        'MicrosoftAppId',
        'MicrosoftAppPassword',
        'MicrosoftAppTenantId',
        'PUBLIC_BASE_URL',
        'NODE_ENV',
        'ALLOWED_TENANT_IDS',
        'AZURE_STORAGE_ACCOUNT_URL',
        'AZURE_STORAGE_CONTAINER',
        'AZURE_CLIENT_ID',
        'AZURE_USE_MANAGED_IDENTITY',
        'AZURE_TENANT_ID',
        'SUPPORT_CHANNEL_ID',
        'SUPPORT_TEAM_GROUP_ID',
        'SUPPORT_LANGUAGE',
        'SUPPORT_TIME_ZONE',
        'LOG_LEVEL',
        'APPLICATIONINSIGHTS_CONNECTION_STRING',
      ])
        assert.ok(name in appSettingsOf('SingleTenant'), name);
    });

    it('SingleTenant: a valid bot configuration, secrets from Key Vault, Graph as the bot, Blob storage', () => {
      const env = environmentOf('SingleTenant');
      const config = loadConfig(env);
      assert.equal(config.authenticated, true);
      assert.deepEqual(config.botAuth, {
        MicrosoftAppType: 'SingleTenant',
        MicrosoftAppId: BOT_APP_ID,
        MicrosoftAppPassword: BOT_APP_PASSWORD,
        MicrosoftAppTenantId: SAMPLE_SCOPE.tenantId,
      });
      assert.equal(config.publicBaseUrl, 'https://signindesk1a2b3c.azurewebsites.net');
      assert.deepEqual(config.allowedTenantIds, [SAMPLE_SCOPE.tenantId]);
      // The bot's own app reads Graph, so the team's resource-specific consent covers its channel reads.
      assert.deepEqual(config.graph, {
        mode: 'credential',
        baseUrl: 'https://graph.microsoft.com',
        credential: {
          kind: 'secret',
          tenantId: SAMPLE_SCOPE.tenantId,
          clientId: BOT_APP_ID,
          secret: BOT_APP_PASSWORD,
        },
      });
      assert.equal(config.storage.kind, 'blob');
      assert.ok('connectionString' in config.storage);
      assert.equal(config.storage.container, 'signin-desk');
      assert.match(
        config.storage.connectionString,
        /^DefaultEndpointsProtocol=https;AccountName=st[a-z0-9]{13};AccountKey=/,
      );
      assert.equal(config.logLevel, 'info');
      assert.deepEqual(config.support.channels, {
        default: undefined,
        byCategory: {},
        teamGroupId: undefined,
      });
      assert.equal(config.support.language, 'ja');
      assert.equal(config.support.timeZone, 'Asia/Tokyo');
    });

    it('UserAssignedMSI: a valid bot configuration with no secret at all, everything as the managed identity', () => {
      const settings = appSettingsOf('UserAssignedMSI');
      assert.deepEqual(
        Object.entries(settings).filter(([, value]) => value.includes('KeyVault')),
        [],
      );
      const config = loadConfig(environmentOf('UserAssignedMSI'));
      assert.deepEqual(config.botAuth, {
        MicrosoftAppType: 'UserAssignedMSI',
        MicrosoftAppId: IDENTITY_CLIENT_ID,
        MicrosoftAppPassword: '',
        MicrosoftAppTenantId: SAMPLE_SCOPE.tenantId,
      });
      assert.deepEqual(config.graph, {
        mode: 'credential',
        baseUrl: 'https://graph.microsoft.com',
        credential: { kind: 'managedIdentity', clientId: IDENTITY_CLIENT_ID },
      });
      assert.deepEqual(config.storage, {
        kind: 'blob',
        container: 'signin-desk',
        accountUrl: `https://${String(deploy('UserAssignedMSI').one('Microsoft.Storage/storageAccounts').name)}.blob.core.windows.net/`,
        managedIdentityClientId: IDENTITY_CLIENT_ID,
      });
    });

    it('the support settings and tenant list pass through from the parameters', () => {
      const loaded = loadConfig(
        environmentOf('SingleTenant', {
          allowedTenantIds: `${SAMPLE_SCOPE.tenantId},33333333-3333-4333-8333-333333333333`,
          adminGroupId: '44444444-4444-4444-8444-444444444444',
          supportChannelId: '19:abc@thread.tacv2',
          supportTeamGroupId: '55555555-5555-4555-8555-555555555555',
          supportLanguage: 'en',
          supportTimeZone: 'Europe/Paris',
          logLevel: 'debug',
        }),
      );
      assert.deepEqual(loaded.allowedTenantIds, [
        SAMPLE_SCOPE.tenantId,
        '33333333-3333-4333-8333-333333333333',
      ]);
      assert.equal(loaded.adminGroupId, '44444444-4444-4444-8444-444444444444');
      assert.deepEqual(loaded.support.channels, {
        default: '19:abc@thread.tacv2',
        byCategory: {},
        teamGroupId: '55555555-5555-4555-8555-555555555555',
      });
      assert.equal(loaded.support.language, 'en');
      assert.equal(loaded.support.timeZone, 'Europe/Paris');
      assert.equal(loaded.logLevel, 'debug');
    });

    it('NODE_ENV is production and Application Insights is wired to the workspace', () => {
      const deployment = deploy('SingleTenant');
      const settings = appSettingsOf('SingleTenant');
      assert.equal(settings.NODE_ENV, 'production');
      // The bot sends its own OpenTelemetry traces and metrics when this is set (bot/telemetry.ts).
      assert.equal(settings.APPLICATIONINSIGHTS_CONNECTION_STRING, APP_INSIGHTS_CONNECTION);
      assert.equal(
        loadConfig(environmentOf('SingleTenant')).telemetryConnectionString,
        APP_INSIGHTS_CONNECTION,
      );
      const workspace = deployment.one('Microsoft.OperationalInsights/workspaces');
      const insights = deployment.one('Microsoft.Insights/components');
      assert.equal(
        props(insights).WorkspaceResourceId,
        `${deployment.evaluator.resourceGroupId}/providers/Microsoft.OperationalInsights/workspaces/${String(workspace.name)}`,
      );
      const diagnostics = deployment.one('Microsoft.Insights/diagnosticSettings');
      assert.equal(props(diagnostics).workspaceId, props(insights).WorkspaceResourceId);
      assert.ok(
        (props(diagnostics).logs as Props[]).some(
          (log) => log.category === 'AppServiceConsoleLogs' && log.enabled,
        ),
        "the bot's stdout (its JSON log lines) goes to the workspace",
      );
      assert.equal(
        diagnostics.scope,
        `Microsoft.Web/sites/${String(deployment.one('Microsoft.Web/sites').name)}`,
      );
    });
  });

  describe('secrets', () => {
    it('reach the web app only as Key Vault references, through the identity the vault trusts', () => {
      const deployment = deploy('SingleTenant');
      const settings = appSettingsOf('SingleTenant');
      const secretNamed = /PASSWORD|SECRET|CONNECTION_STRING|KEY/i;
      for (const [name, value] of Object.entries(settings)) {
        if (!secretNamed.test(name) || name === 'APPLICATIONINSIGHTS_CONNECTION_STRING') continue;
        assert.match(value, KEY_VAULT_REFERENCE, name);
      }
      assert.deepEqual(
        Object.keys(settings).filter((name) => KEY_VAULT_REFERENCE.test(settings[name])),
        ['MicrosoftAppPassword', 'AZURE_STORAGE_CONNECTION_STRING', 'AZURE_CLIENT_SECRET'],
      );
      const site = deployment.one('Microsoft.Web/sites');
      const identityId = `${deployment.evaluator.resourceGroupId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/signindesk1a2b3c-id`;
      assert.equal(props(site).keyVaultReferenceIdentity, identityId);
      assert.deepEqual(site.identity, { type: 'UserAssigned', userAssignedIdentities: { [identityId]: {} } });
      const vault = props(deployment.one('Microsoft.KeyVault/vaults'));
      assert.equal(vault.enableRbacAuthorization, true);
      assert.equal(vault.tenantId, SAMPLE_SCOPE.tenantId);
    });

    it('the bot password is a secure parameter with no default value, and reaches only Key Vault', () => {
      assert.equal(TEMPLATE.parameters.botAppPassword.type, 'securestring');
      assert.equal(TEMPLATE.parameters.botAppPassword.defaultValue, '');
      const uses = JSON.stringify(TEMPLATE).match(/parameters\('botAppPassword'\)/g) ?? [];
      assert.equal(uses.length, 1, 'used once');
      const secret = TEMPLATE.resources.find((r) =>
        JSON.stringify(r).includes("parameters('botAppPassword')"),
      )!;
      assert.equal(secret.type, 'Microsoft.KeyVault/vaults/secrets');
      for (const [name, output] of Object.entries(TEMPLATE.outputs))
        assert.doesNotMatch(JSON.stringify(output), /botAppPassword|listKeys|Password/i, name);
      assert.equal(deploy('UserAssignedMSI').ofType('Microsoft.KeyVault/vaults/secrets').length, 0);
    });

    it('no secret literal in infra/, the Toolkit files or env/', () => {
      const files = [
        ...readdirSync(path.join(ROOT, 'infra')).map((f) => `infra/${f}`),
        ...readdirSync(path.join(ROOT, 'env')).map((f) => `env/${f}`),
        'm365agents.yml',
        'm365agents.local.yml',
      ];
      for (const file of files) {
        const text = read(file);
        // Key material: an Entra client secret (it has a "~"), a storage account key (88 base64 characters), or a
        // long run of letters and digits that is neither a GUID nor a path.
        const keyLike = [
          ...[...text.matchAll(/[A-Za-z0-9_.-]{3,}~[A-Za-z0-9_.~-]{20,}/g)].map((m) => m[0]),
          ...[...text.matchAll(/[A-Za-z0-9+/]{80,}={0,2}/g)].map((m) => m[0]),
          ...[...text.matchAll(/(?<![\w-])[A-Za-z0-9]{32,}(?![\w-])/g)]
            .map((m) => m[0])
            .filter((run) => (run.match(/\d/g) ?? []).length >= 5),
        ];
        assert.deepEqual(keyLike, [], file);
        assert.doesNotMatch(text, /AccountKey=[^;{'"$]/, file);
        assert.doesNotMatch(text, /InstrumentationKey=/, file);
        // Anything named like a secret is empty, a flag, a Toolkit secret variable, or a Key Vault reference.
        for (const [, name, value] of text.matchAll(/^\s*(\w*(?:SECRET|PASSWORD))\s*[=:]\s*(.*)$/gim))
          assert.match(
            value.trim(),
            /^$|^(true|false)$|^(\$\{\{)?SECRET_\w+(\}\})?$|@Microsoft\.KeyVault\(SecretUri=\$\{\w+\}\)/,
            `${file}: ${name}`,
          );
      }
      assert.equal(
        (JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> })
          .parameters.botAppPassword.value,
        '${{SECRET_BOT_PASSWORD}}',
      );
    });
  });

  describe('Blob storage for several instances', () => {
    for (const mode of Object.keys(MODES) as Mode[])
      it(`${mode}: the container exists, private, and the identity is Storage Blob Data Contributor on the account`, () => {
        const deployment = deploy(mode);
        const account = deployment.one('Microsoft.Storage/storageAccounts');
        const container = deployment.one('Microsoft.Storage/storageAccounts/blobServices/containers');
        assert.equal(
          container.name,
          `${String(account.name)}/default/${appSettingsOf(mode).AZURE_STORAGE_CONTAINER}`,
        );
        assert.equal(props(container).publicAccess, 'None');
        const assignments = deployment.ofType('Microsoft.Authorization/roleAssignments');
        const blob = assignments.find(
          (a) => a.scope === `Microsoft.Storage/storageAccounts/${String(account.name)}`,
        );
        assert.ok(blob, 'a role assignment on the storage account');
        assert.deepEqual(props(blob), {
          roleDefinitionId: `/subscriptions/${SAMPLE_SCOPE.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
          principalId: IDENTITY_PRINCIPAL_ID,
          principalType: 'ServicePrincipal',
        });
        const vaultRole = assignments.find((a) => String(a.scope).startsWith('Microsoft.KeyVault/vaults/'));
        assert.equal(
          props(vaultRole!).roleDefinitionId,
          `/subscriptions/${SAMPLE_SCOPE.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`,
        );
        // Shared keys only where the bot cannot use its identity for storage (AZURE_CLIENT_ID is the bot's app).
        assert.equal(props(account).allowSharedKeyAccess, mode === 'SingleTenant');
      });
  });

  describe('the Azure Bot', () => {
    for (const mode of Object.keys(MODES) as Mode[])
      it(`${mode}: messaging endpoint https://<web app>/api/messages, the bot's identity, the Teams channel`, () => {
        const deployment = deploy(mode);
        const bot = deployment.one('Microsoft.BotService/botServices');
        const settings = appSettingsOf(mode);
        assert.equal(bot.kind, 'azurebot');
        assert.equal(bot.location, 'global');
        assert.equal(props(bot).endpoint, 'https://signindesk1a2b3c.azurewebsites.net/api/messages');
        assert.equal(props(bot).endpoint, `${settings.PUBLIC_BASE_URL}/api/messages`);
        assert.match(read('bot/server.ts'), /'\/api\/messages'/);
        assert.equal(props(bot).msaAppType, settings.MicrosoftAppType);
        assert.equal(props(bot).msaAppId, settings.MicrosoftAppId);
        assert.equal(props(bot).msaAppTenantId, settings.MicrosoftAppTenantId);
        assert.equal(
          props(bot).msaAppMSIResourceId,
          mode === 'UserAssignedMSI'
            ? `${deployment.evaluator.resourceGroupId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/signindesk1a2b3c-id`
            : null,
        );
        const channel = deployment.one('Microsoft.BotService/botServices/channels');
        assert.equal(channel.name, `${String(bot.name)}/MsTeamsChannel`);
        assert.equal(props(channel).channelName, 'MsTeamsChannel');
        assert.equal(deployment.outputs.BOT_ID, settings.MicrosoftAppId);
      });
  });
});
