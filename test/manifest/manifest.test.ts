import assert from 'node:assert/strict';
import { loadUnderstandingOnce } from '../helpers/testBot';
import { recognizeTicketCommand } from '../../bot/handlers/ticketHandlerDeps';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { AppManifestUtils } from '@microsoft/app-manifest';
import {
  DEFAULT_APP_VERSION,
  DEFAULT_TEAMS_APP_ID,
  MANIFEST_DIR,
  MAX_COMMANDS_PER_LIST,
  PLACEHOLDER_BOT_ID,
  checkIcon,
  checkLocalizationCoverage,
  commandLists,
  fillPlaceholders,
  placeholdersIn,
  readJsonFile,
  readManifest,
  resolveManifest,
  unicodeSafePattern,
  validateAgainstBundledSchema,
  validateAppPackage,
  type LocalizationJson,
  type TeamsManifestJson,
} from '../../scripts/manifestCheck';
import { renderColorIcon, renderOutlineIcon } from '../../scripts/makeIcons';
import { ManifestValidationError, applyEnvironment, buildAppPackage } from '../../scripts/packageApp';
import { decodePng, encodePng, readPngHeader } from '../../scripts/png';

/** What an environment file would give the placeholders (env/.env.dev after provisioning, say). */
const SAMPLE_VALUES = {
  TEAMS_APP_ID: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
  BOT_ID: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  APP_VERSION: '1.2.3',
};

/** The committed manifest with its placeholders filled, as a package would carry it. */
function filledManifest(): TeamsManifestJson {
  const { manifest, missing } = resolveManifest(readManifest(), SAMPLE_VALUES);
  assert.deepEqual(missing, []);
  return manifest;
}

/** teamsApp/zipAppPackage's own expansion (@microsoft/teamsfx-core 3.1.3, utils/common.js), for comparison. */
function expandLikeTheToolkit(content: string, env: Record<string, string>): string {
  const toolkitPlaceholder = /\${{ *[a-zA-Z_][a-zA-Z0-9_]* *}}/g;
  for (const placeholder of content.match(toolkitPlaceholder) ?? []) {
    const value = env[placeholder.slice(3, -2).trim()];
    if (value) content = content.replace(placeholder, value);
  }
  return content;
}

function englishLocalization(): LocalizationJson {
  return readJsonFile<LocalizationJson>(path.join(MANIFEST_DIR, 'en-us.json'));
}

/** A fresh copy of manifest/ in a temp folder, so tests can break files without touching the real ones. */
function copyManifestDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'signin-desk-manifest-'));
  cpSync(MANIFEST_DIR, dir, { recursive: true });
  return dir;
}

describe('Teams app manifest', () => {
  const tempDirs: string[] = [];
  const realFetch = globalThis.fetch;

  before(() => {
    // Schemas must come from the bundled copies; any attempt to download one fails the test.
    globalThis.fetch = () => Promise.reject(new Error('tests must not use the network'));
  });
  after(() => {
    globalThis.fetch = realFetch;
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  function tempDir(): string {
    const dir = copyManifestDir();
    tempDirs.push(dir);
    return dir;
  }

  describe('schema', () => {
    it('manifest.json, its placeholders filled, is valid against the bundled v1.24 schema', async () => {
      const manifest = filledManifest();
      assert.equal(manifest.manifestVersion, '1.24');
      assert.deepEqual(await validateAgainstBundledSchema(manifest, 'manifest.json'), []);
    });

    it('an unfilled placeholder is a problem, not a package', async () => {
      const problems = (await validateAppPackage(readManifest())).join('\n');
      assert.match(problems, /\$\{\{BOT_ID\}\} is not filled in/);
      assert.match(problems, /\$\{\{TEAMS_APP_ID\}\} is not filled in/);
    });

    it("the library's own $schema lookup also resolves offline", async () => {
      type Manifest = Parameters<typeof AppManifestUtils.validateAgainstSchema>[0];
      assert.deepEqual(
        await AppManifestUtils.validateAgainstSchema(filledManifest() as unknown as Manifest),
        [],
      );
    });

    it('en-us.json is valid against the bundled localization schema', async () => {
      assert.deepEqual(await validateAgainstBundledSchema(englishLocalization(), 'en-us.json'), []);
    });

    it('the whole package passes every check', async () => {
      assert.deepEqual(await validateAppPackage(filledManifest()), []);
    });

    it('rejects a deliberately broken manifest', async () => {
      const broken = filledManifest() as Partial<TeamsManifestJson>;
      delete broken.accentColor;
      broken.name = { short: 'Sign-in Desk with a name that is far too long' };
      const [bot] = filledManifest().bots ?? [];
      assert.ok(bot);
      broken.bots = [{ ...bot, scopes: ['personal', 'everyone'] }];
      const problems = (await validateAgainstBundledSchema(broken, 'manifest.json')).join('\n');
      assert.match(problems, /accentColor/);
      assert.match(problems, /\/name\/short must NOT have more than 30 characters/);
      assert.match(problems, /\/bots\/0\/scopes\/1 must be equal to one of the allowed values/);
    });

    it('rejects a broken localization file', async () => {
      const broken = { ...englishLocalization(), 'name.short': 'x'.repeat(31), 'bots[0].unknown': 'x' };
      const problems = (await validateAgainstBundledSchema(broken, 'en-us.json')).join('\n');
      assert.match(problems, /name\.short/);
      assert.match(problems, /additional properties/);
    });

    it('refuses schemas that are not bundled instead of downloading them', async () => {
      const manifest = { ...filledManifest(), $schema: 'https://example.com/schema.json' };
      const problems = await validateAgainstBundledSchema(manifest, 'manifest.json');
      assert.match(problems.join('\n'), /not a https:\/\/developer\.microsoft\.com\/json-schemas\/teams/);
    });

    it('escapes the lone "]" of the Teams localization schema for unicode regexps', () => {
      const pattern = '^activities.activityTypes\\[\\b([0-9]|1[01][0-9])\\b]\\.description$';
      const safe = unicodeSafePattern(pattern);
      assert.doesNotThrow(() => new RegExp(safe, 'u'));
      assert.ok(new RegExp(safe, 'u').test('activities.activityTypes[7].description'));
      assert.equal(unicodeSafePattern('^[a-z]+$'), '^[a-z]+$');
    });
  });

  describe('placeholders', () => {
    it("the committed manifest carries the Agents Toolkit's placeholders, and only those the packager fills", () => {
      const raw = readFileSync(path.join(MANIFEST_DIR, 'manifest.json'), 'utf8');
      assert.deepEqual(placeholdersIn(raw), ['APP_VERSION', 'TEAMS_APP_ID', 'BOT_ID']);
      const manifest = readManifest();
      assert.equal(manifest.id, '${{TEAMS_APP_ID}}');
      assert.equal(manifest.version, '${{APP_VERSION}}');
      assert.equal(manifest.bots?.[0].botId, '${{BOT_ID}}');
      // Resource-specific consent goes to the bot's own Entra app.
      assert.equal(manifest.webApplicationInfo?.id, '${{BOT_ID}}');
      assert.deepEqual(placeholdersIn(readFileSync(path.join(MANIFEST_DIR, 'en-us.json'), 'utf8')), []);
    });

    it('fills them exactly as the Toolkit does', () => {
      const raw = readFileSync(path.join(MANIFEST_DIR, 'manifest.json'), 'utf8');
      const ours = fillPlaceholders(raw, SAMPLE_VALUES);
      assert.deepEqual(ours.missing, []);
      assert.equal(ours.text, expandLikeTheToolkit(raw, SAMPLE_VALUES));
      assert.deepEqual(applyEnvironment(readManifest(), SAMPLE_VALUES).manifest, JSON.parse(ours.text));
    });

    it('leaves a placeholder without a value in place and names it', () => {
      const { text, missing } = fillPlaceholders('{"a":"${{ BOT_ID }}","b":"${{NOPE}}","c":"${{EMPTY}}"}', {
        BOT_ID: 'x"y',
        EMPTY: '',
      });
      assert.equal(text, '{"a":"x\\"y","b":"${{NOPE}}","c":"${{EMPTY}}"}');
      assert.deepEqual(missing, ['NOPE', 'EMPTY']);
    });
  });

  describe('content', () => {
    const manifest = filledManifest();

    it('is a Japanese-default app with an en-us localization', () => {
      assert.equal(manifest.localizationInfo?.defaultLanguageTag, 'ja-jp');
      assert.deepEqual(manifest.localizationInfo?.additionalLanguages, [
        { languageTag: 'en-us', file: 'en-us.json' },
      ]);
      assert.equal(manifest.name.short, 'Sign-in Desk');
      assert.equal(englishLocalization()['name.short'], 'Sign-in Desk');
    });

    it('is a bot in personal, team and group chat scopes, with file support', () => {
      const bot = manifest.bots?.[0];
      assert.equal(bot?.botId, SAMPLE_VALUES.BOT_ID);
      assert.deepEqual([...(bot?.scopes ?? [])].sort(), ['groupChat', 'personal', 'team']);
      // Files in personal chat: a user escalating to a person can attach a screenshot.
      assert.equal(bot?.supportsFiles, true);
    });

    it('has a personal and a team/groupChat command list with the commands the bot understands', () => {
      const lists = commandLists(manifest);
      assert.deepEqual(
        lists.map((l) => [...l.scopes].sort()),
        [['personal'], ['groupChat', 'team']],
      );
      for (const list of lists) {
        assert.ok(list.commands.length <= MAX_COMMANDS_PER_LIST);
        // Teams sends a command's title as the message text: the bot must recognise each one.
        for (const command of list.commands) {
          assert.ok(
            loadUnderstandingOnce().commands.command(command.title) ??
              recognizeTicketCommand(command.title, loadUnderstandingOnce().commands),
            `the bot does not understand '${command.title}'`,
          );
        }
        for (const command of list.commands) {
          assert.ok(command.title.length <= 32, command.title);
          // Descriptions in the default (ja-jp) manifest are Japanese.
          assert.match(command.description, /[\u3040-\u30ff\u4e00-\u9fff]/, command.description);
        }
      }
    });

    it('every command has an English title and description in en-us.json', () => {
      const english = englishLocalization();
      assert.deepEqual(checkLocalizationCoverage(manifest, english, 'en-us.json'), []);
      commandLists(manifest).forEach((list, i) =>
        list.commands.forEach((command, j) => {
          const key = `bots[0].commandLists[${i}].commands[${j}]`;
          assert.equal(english[`${key}.title`], command.title);
          assert.match(
            String(english[`${key}.description`]),
            /^[\x20-\x7e]+$/,
            `${key}.description is English`,
          );
        }),
      );
    });

    it('flags missing, renamed and stale command translations', () => {
      const english = englishLocalization();
      delete english['bots[0].commandLists[0].commands[0].description'];
      english['bots[0].commandLists[0].commands[1].title'] = 'begin';
      english['bots[0].commandLists[2].commands[0].title'] = 'ghost';
      const problems = checkLocalizationCoverage(manifest, english, 'en-us.json').join('\n');
      assert.match(problems, /missing "bots\[0\]\.commandLists\[0\]\.commands\[0\]\.description"/);
      assert.match(problems, /is "begin" but the command word is "start"/);
      assert.match(problems, /commandLists\[2\]\.commands\[0\]\.title" refers to a command that is not in/);
    });

    it('flags a manifest that references a file that does not exist', async () => {
      const broken = structuredClone(manifest);
      broken.icons.outline = 'missing.png';
      broken.icons.color = 'icons/color.png';
      const problems = (await validateAppPackage(broken)).join('\n');
      assert.match(problems, /references "missing\.png", which does not exist/);
      assert.match(problems, /"icons\/color\.png" must be a plain file name/);
    });
  });

  describe('icons', () => {
    const color = readFileSync(path.join(MANIFEST_DIR, 'color.png'));
    const outline = readFileSync(path.join(MANIFEST_DIR, 'outline.png'));

    it('color.png is 192x192', () => {
      assert.deepEqual(checkIcon(color, { width: 192, height: 192, outline: false }, 'color.png'), []);
      assert.equal(readPngHeader(color).width, 192);
    });

    it('outline.png is 32x32 RGBA, white on transparent', () => {
      assert.deepEqual(checkIcon(outline, { width: 32, height: 32, outline: true }, 'outline.png'), []);
      assert.equal(readPngHeader(outline).colorType, 6);
      const { data } = decodePng(outline);
      const alphas = new Set<number>();
      for (let i = 3; i < data.length; i += 4) alphas.add(data[i]);
      assert.ok(alphas.has(0), 'has a transparent background');
      assert.ok(alphas.has(255), 'has opaque white pixels');
    });

    it('rejects wrong sizes, opaque outlines and coloured outline pixels', () => {
      assert.match(
        checkIcon(outline, { width: 192, height: 192, outline: false }, 'x')[0],
        /must be 192x192/,
      );
      const coloured = renderOutlineIcon();
      coloured.data.set([47, 85, 151, 255], (16 * 32 + 16) * 4);
      assert.match(
        checkIcon(encodePng(coloured), { width: 32, height: 32, outline: true }, 'x').join(),
        /1 pixel\(s\) are neither transparent nor white \(first at x=16, y=16\)/,
      );
      const rgbOnly = Buffer.from(encodePng(renderOutlineIcon()));
      rgbOnly[8 + 8 + 9] = 2; // IHDR colour type byte: pretend RGB without alpha (CRC now wrong, caught too)
      assert.ok(checkIcon(rgbOnly, { width: 32, height: 32, outline: true }, 'x').length > 0);
    });

    it('committed icons match scripts/makeIcons.ts (run `npm run icons` after changing it)', () => {
      assert.deepEqual(decodePng(color).data, renderColorIcon().data);
      assert.deepEqual(decodePng(outline).data, renderOutlineIcon().data);
    });
  });

  describe('packaging', () => {
    const appId = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

    it('writes a flat zip with exactly manifest.json, the icons and en-us.json', async () => {
      const outFile = path.join(tempDir(), 'out', 'signin-desk.zip');
      const result = await buildAppPackage({ outFile, env: { MicrosoftAppId: appId, APP_VERSION: '2.3.4' } });
      assert.equal(result.zipPath, outFile);
      assert.deepEqual(result.warnings, []);

      const zip = new AdmZip(outFile);
      const names = zip.getEntries().map((e) => e.entryName);
      assert.deepEqual([...names].sort(), ['color.png', 'en-us.json', 'manifest.json', 'outline.png']);
      assert.ok(zip.getEntries().every((e) => !e.isDirectory && !e.entryName.includes('/')));

      const packaged = JSON.parse(zip.readAsText('manifest.json')) as TeamsManifestJson;
      assert.equal(packaged.bots?.[0].botId, appId);
      // Resource-specific consent (reading the support channel, to never post a ticket card twice) is the bot's app.
      assert.equal(packaged.webApplicationInfo?.id, appId);
      assert.deepEqual(packaged.authorization, {
        permissions: { resourceSpecific: [{ name: 'ChannelMessage.Read.Group', type: 'Application' }] },
      });
      assert.equal(packaged.version, '2.3.4');
      assert.equal(packaged.id, DEFAULT_TEAMS_APP_ID);
      assert.deepEqual(await validateAppPackage(packaged), []);
      assert.deepEqual(zip.readFile('outline.png'), readFileSync(path.join(MANIFEST_DIR, 'outline.png')));
      // The committed manifest keeps its placeholders.
      assert.equal(readManifest().bots?.[0].botId, '${{BOT_ID}}');
    });

    it('takes the Toolkit variable names too: BOT_ID over MicrosoftAppId, and TEAMS_APP_ID', () => {
      const { manifest } = applyEnvironment(readManifest(), {
        BOT_ID: appId,
        MicrosoftAppId: '11111111-2222-4333-8444-555555555555',
        TEAMS_APP_ID: SAMPLE_VALUES.TEAMS_APP_ID,
      });
      assert.equal(manifest.bots?.[0].botId, appId);
      assert.equal(manifest.id, SAMPLE_VALUES.TEAMS_APP_ID);
      assert.equal(manifest.version, DEFAULT_APP_VERSION);
    });

    it('warns when MicrosoftAppId is not set', () => {
      const { manifest, warnings } = applyEnvironment(readManifest(), {});
      assert.equal(manifest.bots?.[0].botId, PLACEHOLDER_BOT_ID);
      assert.equal(manifest.webApplicationInfo?.id, PLACEHOLDER_BOT_ID);
      assert.match(warnings.join(), /placeholder/);
    });

    it('refuses a placeholder nobody fills', () => {
      const manifest = { ...readManifest(), developer: { name: '${{DEVELOPER_NAME}}' } } as TeamsManifestJson;
      assert.throws(
        () => applyEnvironment(manifest, { MicrosoftAppId: appId }),
        /manifest\.json uses \$\{\{DEVELOPER_NAME\}\}, but DEVELOPER_NAME is not set/,
      );
      const filled = applyEnvironment(manifest, { MicrosoftAppId: appId, DEVELOPER_NAME: 'Contoso' });
      assert.deepEqual(filled.manifest.developer, { name: 'Contoso' });
    });

    it('rejects a MicrosoftAppId that is not a GUID and an APP_VERSION that is not x.y.z', () => {
      assert.throws(
        () => applyEnvironment(readManifest(), { MicrosoftAppId: 'my-bot', APP_VERSION: '1.0.0-beta' }),
        (error: unknown) =>
          error instanceof ManifestValidationError &&
          /MicrosoftAppId "my-bot" is not a GUID/.test(error.message) &&
          /APP_VERSION "1\.0\.0-beta"/.test(error.message),
      );
    });

    it('refuses to package an invalid manifest and writes nothing', async () => {
      const dir = tempDir();
      const manifest = readManifest(dir) as Partial<TeamsManifestJson>;
      delete manifest.accentColor;
      writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      const outFile = path.join(dir, 'out', 'broken.zip');
      await assert.rejects(
        buildAppPackage({ outFile, manifestDir: dir, env: { MicrosoftAppId: appId } }),
        (error: unknown) => error instanceof ManifestValidationError && /accentColor/.test(error.message),
      );
      assert.throws(() => readFileSync(outFile), /ENOENT/);
    });
  });
});
