import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import ignore from 'ignore';
import { parse } from 'yaml';
import { placeholdersIn } from '../../scripts/manifestCheck';
import type { ArmTemplate } from './armTemplate';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const SCHEMA_FILE = 'test/deploy/schemas/m365agents.v1.13.yaml.schema.json';
const PROJECT_FILES = { dev: 'm365agents.yml', local: 'm365agents.local.yml' } as const;
type Environment = keyof typeof PROJECT_FILES;

interface Action {
  uses: string;
  name?: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}
interface Project {
  version: string;
  environmentFolderPath: string;
  provision: Action[];
  deploy: Action[];
  publish?: Action[];
}

const project = (env: Environment) => parse(read(PROJECT_FILES[env])) as Project;

/** The validator the Toolkit CLI builds for a project file (@microsoft/m365agentstoolkit-cli 1.1.17). */
function toolkitValidator() {
  const ajv = new Ajv({ allowUnionTypes: true });
  ajv.addKeyword('deprecationMessage');
  return ajv.compile(JSON.parse(read(SCHEMA_FILE)) as object);
}

/** KEY=value lines of a dotenv file. */
function readEnvFile(file: string): Map<string, string> {
  const entries = read(file)
    .split('\n')
    .map((line) => /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]] as const);
  return new Map(entries);
}

function action(env: Environment, stage: 'provision' | 'deploy' | 'publish', uses: string): Action {
  const found = (project(env)[stage] ?? []).filter((a) => a.uses === uses);
  assert.equal(found.length, 1, `${PROJECT_FILES[env]}: one ${uses} in ${stage}`);
  return found[0];
}

/** Filled by the Toolkit when empty (RESOURCE_SUFFIX), asked for interactively (subscription, resource group). */
const TOOLKIT_SUPPLIED = ['RESOURCE_SUFFIX', 'AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP_NAME'];
/** Set by the person before `atk provision --env local`: the dev tunnel's address (docs/deploy.md). */
const PERSON_SUPPLIED: Record<Environment, string[]> = { dev: [], local: ['BOT_ENDPOINT', 'BOT_DOMAIN'] };

/** Every ${{NAME}} an action makes the Toolkit resolve: in its inputs, and in the files it fills. */
function placeholdersOf(step: Action): string[] {
  const names = placeholdersIn(JSON.stringify(step.with ?? {}));
  if (step.uses === 'arm/deploy')
    for (const template of step.with?.templates as { parameters?: string }[])
      if (template.parameters) names.push(...placeholdersIn(read(template.parameters)));
  if (step.uses === 'teamsApp/zipAppPackage' || step.uses === 'teamsApp/validateManifest') {
    const manifestPath = String(step.with?.manifestPath);
    const manifestText = read(manifestPath);
    names.push(...placeholdersIn(manifestText));
    const manifest = JSON.parse(manifestText) as {
      localizationInfo?: { additionalLanguages?: { file: string }[] };
    };
    for (const language of manifest.localizationInfo?.additionalLanguages ?? [])
      names.push(...placeholdersIn(read(path.join(path.dirname(manifestPath), language.file))));
  }
  return names;
}

describe('Microsoft 365 Agents Toolkit project (m365agents.yml, m365agents.local.yml, env/)', () => {
  describe('the YAML files', () => {
    for (const env of Object.keys(PROJECT_FILES) as Environment[]) {
      const file = PROJECT_FILES[env];

      it(`${file} is valid against the Toolkit's own v1.13 schema`, () => {
        const validate = toolkitValidator();
        const valid = validate(project(env));
        assert.ok(valid, JSON.stringify(validate.errors, null, 2));
      });

      it(`${file} names that schema in its header and its version`, () => {
        const text = read(file);
        assert.match(
          text.split('\n')[0],
          /^# yaml-language-server: \$schema=https:\/\/aka\.ms\/m365-agents-toolkits\/v1\.13\/yaml\.schema\.json$/,
        );
        const schema = JSON.parse(read(SCHEMA_FILE)) as { properties: { version: { const: string } } };
        assert.equal(project(env).version, schema.properties.version.const);
        assert.equal(project(env).environmentFolderPath, './env');
      });
    }

    it('the schema catches a wrong action or a missing input, so the checks above mean something', () => {
      const validate = toolkitValidator();
      const broken = structuredClone(project('dev'));
      broken.provision[0].uses = 'teamsApp/createe';
      assert.equal(validate(broken), false);
      const missing = structuredClone(project('dev'));
      missing.deploy = missing.deploy.map((a) =>
        a.uses === 'azureAppService/zipDeploy' ? { uses: a.uses } : a,
      );
      assert.equal(validate(missing), false);
      const badSecret = structuredClone(project('dev'));
      badSecret.provision[1].writeToEnvironmentFile = {
        ...badSecret.provision[1].writeToEnvironmentFile,
        clientSecret: 'BOT_PASSWORD',
      };
      assert.equal(
        validate(badSecret),
        false,
        'secrets must go to SECRET_ variables, which the Toolkit masks',
      );
    });
  });

  describe('dev: provision, deploy and publish to Azure', () => {
    it('creates the Teams app, a single-tenant bot app with a secret, and the Azure resources', () => {
      assert.deepEqual(
        project('dev').provision.map((a) => a.uses),
        [
          'teamsApp/create',
          'aadApp/create',
          'arm/deploy',
          'teamsApp/validateManifest',
          'teamsApp/zipAppPackage',
          'teamsApp/validateAppPackage',
          'teamsApp/update',
        ],
      );
      const app = action('dev', 'provision', 'aadApp/create');
      assert.equal(app.with?.signInAudience, 'AzureADMyOrg');
      assert.equal(app.with?.generateServicePrincipal, true);
      assert.equal(app.writeToEnvironmentFile?.clientId, 'BOT_ID');
      assert.equal(app.writeToEnvironmentFile?.clientSecret, 'SECRET_BOT_PASSWORD');

      const arm = action('dev', 'provision', 'arm/deploy');
      const [template] = arm.with?.templates as { path: string; parameters: string }[];
      assert.equal(template.path, './infra/main.bicep');
      assert.ok(existsSync(path.join(ROOT, template.path)));
      const parameters = JSON.parse(read(template.parameters)) as {
        parameters: Record<string, { value: unknown }>;
      };
      const declared = (JSON.parse(read('infra/main.json')) as ArmTemplate).parameters;
      for (const name of Object.keys(parameters.parameters))
        assert.ok(name in declared, `main.bicep has ${name}`);
      for (const [name, definition] of Object.entries(declared))
        if (!('defaultValue' in definition))
          assert.ok(name in parameters.parameters, `the parameters file sets ${name}`);
      assert.equal(parameters.parameters.botIdentityType.value, 'SingleTenant');
      assert.equal(parameters.parameters.botAppId.value, '${{BOT_ID}}');
    });

    it('deploys the built bot with the ignore file infra/ provides, to the web app the template outputs', () => {
      assert.deepEqual(
        project('dev').deploy.map((a) => [a.uses, a.with?.args]),
        [
          ['cli/runNpmCommand', 'ci'],
          ['cli/runNpmCommand', 'exec -- rimraf dist'],
          ['cli/runNpmCommand', 'run build'],
          ['azureAppService/zipDeploy', undefined],
        ],
      );
      const zipDeploy = action('dev', 'deploy', 'azureAppService/zipDeploy');
      assert.equal(zipDeploy.with?.artifactFolder, '.');
      assert.ok(existsSync(path.join(ROOT, String(zipDeploy.with?.ignoreFile))));
      assert.equal(zipDeploy.with?.resourceId, '${{AZURE_APP_SERVICE_RESOURCE_ID}}');
      assert.ok(
        'AZURE_APP_SERVICE_RESOURCE_ID' in (JSON.parse(read('infra/main.json')) as ArmTemplate).outputs,
      );
    });

    it('publishes the package to the Teams admin center', () => {
      assert.ok(project('dev').publish?.some((a) => a.uses === 'teamsApp/publishAppPackage'));
    });
  });

  describe('local: the bot on this machine, in Teams through a dev tunnel', () => {
    it('registers the bot with the tunnel as messaging endpoint', () => {
      const bot = action('local', 'provision', 'botFramework/create');
      assert.equal(bot.with?.botId, '${{BOT_ID}}');
      assert.equal(bot.with?.messagingEndpoint, '${{BOT_ENDPOINT}}/api/messages');
      assert.deepEqual(bot.with?.channels, [{ name: 'msteams' }]);
      assert.equal(action('local', 'provision', 'aadApp/create').with?.signInAudience, 'AzureADMyOrg');
    });

    it("writes the bot's configuration, under the names bot/config.ts reads, to a git-ignored file", () => {
      const file = action('local', 'deploy', 'file/createOrUpdateEnvironmentFile');
      assert.equal(file.with?.target, './.localConfigs');
      const envs = file.with?.envs as Record<string, unknown>;
      const configSource = read('bot/config.ts');
      for (const name of Object.keys(envs))
        assert.match(configSource, new RegExp(`^ {4}${name}:`, 'm'), name);
      assert.equal(envs.MicrosoftAppType, 'SingleTenant');
      assert.equal(envs.MicrosoftAppPassword, '${{SECRET_BOT_PASSWORD}}');
    });
  });

  describe('variables', () => {
    for (const env of Object.keys(PROJECT_FILES) as Environment[]) {
      it(`every \${{…}} of ${PROJECT_FILES[env]} has a value when its action runs`, () => {
        const known = new Set([
          ...[...readEnvFile(`env/.env.${env}`)].filter(([, value]) => value !== '').map(([name]) => name),
          ...TOOLKIT_SUPPLIED,
          ...PERSON_SUPPLIED[env],
          // The Toolkit fills APP_NAME_SUFFIX even when it is empty.
          'APP_NAME_SUFFIX',
        ]);
        const outputs = Object.keys((JSON.parse(read('infra/main.json')) as ArmTemplate).outputs);
        for (const stage of ['provision', 'deploy', 'publish'] as const)
          for (const step of project(env)[stage] ?? []) {
            for (const name of placeholdersOf(step))
              assert.ok(
                known.has(name),
                `${PROJECT_FILES[env]} ${stage} ${step.uses}: \${{${name}}} has no value yet`,
              );
            for (const name of Object.values(step.writeToEnvironmentFile ?? {})) known.add(name);
            if (step.uses === 'arm/deploy') for (const name of outputs) known.add(name.toUpperCase());
          }
      });
    }

    it('env/.env.dev lists every value provisioning writes, and no secret', () => {
      const dev = readEnvFile('env/.env.dev');
      const written = [
        ...project('dev').provision.flatMap((a) => Object.values(a.writeToEnvironmentFile ?? {})),
        ...Object.keys((JSON.parse(read('infra/main.json')) as ArmTemplate).outputs),
      ].filter((name) => !name.startsWith('SECRET_'));
      for (const name of written) assert.ok(dev.has(name), `env/.env.dev declares ${name}`);
      for (const file of readdirSync(path.join(ROOT, 'env')))
        for (const [name, value] of readEnvFile(`env/${file}`))
          assert.ok(!name.startsWith('SECRET_') || value === '', `env/${file}: ${name}`);
    });

    it("the secrets' files, the local settings and the deploy cache are git-ignored; the templates are not", () => {
      const ignored = (file: string) =>
        spawnSync('git', ['check-ignore', '-q', file], { cwd: ROOT }).status === 0;
      for (const file of ['env/.env.dev.user', 'env/.env.local.user', 'env/.env.prod.user', '.localConfigs'])
        assert.ok(ignored(file), `${file} is ignored`);
      assert.ok(ignored('.deployment/deployment.zip'));
      assert.ok(ignored('appPackage/build/appPackage.dev.zip'));
      for (const file of ['env/.env.dev', 'env/.env.local', 'm365agents.yml', 'infra/main.parameters.json'])
        assert.ok(!ignored(file), `${file} is committed`);
    });
  });

  describe('what zipDeploy uploads (infra/.webappignore)', () => {
    /** The files the Toolkit zips: it walks the folder and skips every path, file or folder, the rules ignore. */
    function uploaded(paths: string[]): string[] {
      const rules = ignore().add('.deployment');
      for (const line of read('infra/.webappignore').split('\n')) rules.add(line.trim());
      const skipped = (p: string) => rules.ignores(p);
      // A folder that is skipped is not walked into, as with klaw's filter.
      return paths.filter((p) => {
        const parts = p.split('/');
        return parts.every((_, i) => !skipped(parts.slice(0, i + 1).join('/'))) && !p.endsWith('/');
      });
    }

    it('holds the built bot, its content and the lock file, and nothing else', () => {
      const tree = [
        'dist/',
        'dist/bot/index.js',
        'dist/bot/storage/blobStorage.js',
        'dist/cards/ticket.json',
        'dist/core/content/catalog.js',
        'dist/test/bot/config.test.js',
        'dist/scripts/startLocal.js',
        'content/ja/flow.json',
        'package.json',
        'package-lock.json',
        '.npmrc',
        'node_modules/botbuilder/package.json',
        'bot/index.ts',
        'test/deploy/infra.test.ts',
        'env/.env.dev.user',
        '.env',
        '.localConfigs',
        'data/state.sqlite',
        'infra/main.bicep',
        'manifest/manifest.json',
        'appPackage/build/appPackage.dev.zip',
        '.deployment/deployment.zip',
        '.git/config',
        'README.md',
      ];
      assert.deepEqual(uploaded(tree), [
        'dist/bot/index.js',
        'dist/bot/storage/blobStorage.js',
        'dist/cards/ticket.json',
        'dist/core/content/catalog.js',
        'content/ja/flow.json',
        'package.json',
        'package-lock.json',
        '.npmrc',
      ]);
    });

    it('holds every file of content/, which the bot reads at start', () => {
      const files: string[] = [];
      const walk = (dir: string) => {
        for (const name of readdirSync(path.join(ROOT, dir))) {
          const relative = `${dir}/${name}`;
          if (statSync(path.join(ROOT, relative)).isDirectory()) walk(relative);
          else files.push(relative);
        }
      };
      walk('content');
      assert.ok(files.length > 10);
      assert.deepEqual(uploaded(files), files);
    });
  });
});
