// Builds the Teams app package (a flat zip) from manifest/. Run with `npm run package`.
// manifest/manifest.json carries the Microsoft 365 Agents Toolkit's ${{NAME}} placeholders, so the Toolkit's
// teamsApp/zipAppPackage and this script fill the same file. Here they come from the environment:
//   BOT_ID or MicrosoftAppId  the bot's Entra app (client) ID: bots[0].botId and webApplicationInfo.id (RSC)
//   TEAMS_APP_ID              optional; the app's ID in the tenant's catalog (default: this project's fixed ID)
//   APP_VERSION               optional app version (x.y.z); Teams only picks up an updated package if this grows
// Any other placeholder someone adds is filled from the variable of the same name.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import {
  DEFAULT_APP_VERSION,
  DEFAULT_TEAMS_APP_ID,
  MANIFEST_DIR,
  PLACEHOLDER_BOT_ID,
  REPO_ROOT,
  localizationFiles,
  readManifest,
  referencedFiles,
  resolveLocalizationText,
  resolveManifest,
  validateAppPackage,
  type PlaceholderValues,
  type TeamsManifestJson,
} from './manifestCheck';

export const DEFAULT_PACKAGE_PATH = path.join(REPO_ROOT, 'appPackage', 'build', 'signin-desk.zip');

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
// Same rule as the schema's "semver" definition; Teams rejects pre-release suffixes.
const VERSION = /^([0-9]|[1-9][0-9]*)\.([0-9]|[1-9][0-9]*)\.([0-9]|[1-9][0-9]*)$/;

export class ManifestValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`The Teams app manifest is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ManifestValidationError';
  }
}

export interface EnvironmentOverrides {
  /** The Toolkit's name for the bot's app ID; wins over MicrosoftAppId. */
  BOT_ID?: string;
  MicrosoftAppId?: string;
  TEAMS_APP_ID?: string;
  APP_VERSION?: string;
  [name: string]: string | undefined;
}

/** The value of every placeholder the packager knows, checked, plus the warnings worth printing. */
export function placeholderValuesFrom(env: EnvironmentOverrides): {
  values: PlaceholderValues;
  problems: string[];
  warnings: string[];
} {
  const problems: string[] = [];
  const warnings: string[] = [];
  const given = (name: string) => env[name]?.trim() || undefined;

  const botIdSource = given('BOT_ID') ? 'BOT_ID' : 'MicrosoftAppId';
  let botId = given(botIdSource);
  if (botId && !GUID.test(botId)) {
    problems.push(`${botIdSource} "${botId}" is not a GUID (expected the bot's app ID)`);
  } else if (!botId) {
    botId = PLACEHOLDER_BOT_ID;
    warnings.push(
      `bots[0].botId is the placeholder ${PLACEHOLDER_BOT_ID}; set MicrosoftAppId (or BOT_ID) or the bot will not answer`,
    );
  }
  const teamsAppId = given('TEAMS_APP_ID') ?? DEFAULT_TEAMS_APP_ID;
  if (!GUID.test(teamsAppId)) problems.push(`TEAMS_APP_ID "${teamsAppId}" is not a GUID`);
  const version = given('APP_VERSION') ?? DEFAULT_APP_VERSION;
  if (!VERSION.test(version)) problems.push(`APP_VERSION "${version}" must look like 1.2.3`);

  return {
    values: { ...env, BOT_ID: botId, TEAMS_APP_ID: teamsAppId, APP_VERSION: version },
    problems,
    warnings,
  };
}

/** Returns a copy of the manifest with its placeholders filled from `env`, plus warnings worth printing. */
export function applyEnvironment(
  manifest: TeamsManifestJson,
  env: EnvironmentOverrides,
): { manifest: TeamsManifestJson; warnings: string[]; values: PlaceholderValues } {
  const { values, problems, warnings } = placeholderValuesFrom(env);
  const resolved = resolveManifest(manifest, values);
  problems.push(
    ...resolved.missing.map((name) => `manifest.json uses \${{${name}}}, but ${name} is not set`),
  );
  if (problems.length > 0) throw new ManifestValidationError(problems);
  return { manifest: resolved.manifest, warnings, values };
}

export interface PackageOptions {
  /** Where to write the zip; its folder is created. */
  outFile: string;
  /** Folder holding manifest.json and the files it references. */
  manifestDir?: string;
  env?: EnvironmentOverrides;
}

export interface PackageResult {
  zipPath: string;
  manifest: TeamsManifestJson;
  /** Names of the zip entries, all at the root. */
  entries: string[];
  warnings: string[];
}

/** Validates the (customised) manifest and writes the zip. Throws ManifestValidationError on any problem. */
export async function buildAppPackage(options: PackageOptions): Promise<PackageResult> {
  const manifestDir = options.manifestDir ?? MANIFEST_DIR;
  const { manifest, warnings, values } = applyEnvironment(readManifest(manifestDir), options.env ?? {});

  const problems = await validateAppPackage(manifest, manifestDir, values);
  if (problems.length > 0) throw new ManifestValidationError(problems);

  const zip = new AdmZip();
  zip.addFile('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
  // validateAppPackage has already made sure these are plain names of existing files.
  const localizations = new Set(localizationFiles(manifest));
  for (const file of new Set(referencedFiles(manifest))) {
    const content = localizations.has(file)
      ? Buffer.from(resolveLocalizationText(file, manifestDir, values).text, 'utf8')
      : readFileSync(path.join(manifestDir, file));
    zip.addFile(file, content);
  }
  const zipPath = path.resolve(options.outFile);
  mkdirSync(path.dirname(zipPath), { recursive: true });
  await zip.writeZipPromise(zipPath, { overwrite: true });
  return { zipPath, manifest, entries: zip.getEntries().map((e) => e.entryName), warnings };
}

async function main(): Promise<void> {
  const result = await buildAppPackage({ outFile: DEFAULT_PACKAGE_PATH, env: process.env });
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  console.log(`Teams app package (version ${result.manifest.version}): ${result.zipPath}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
