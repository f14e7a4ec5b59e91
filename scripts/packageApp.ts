// Builds the Teams app package (a flat zip) from manifest/. Run with `npm run package`.
//   MicrosoftAppId  the bot's Entra app (client) ID; replaces the placeholder bots[0].botId
//   APP_VERSION     optional app version (x.y.z); Teams only picks up an updated package if this grows
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import {
  MANIFEST_DIR,
  PLACEHOLDER_BOT_ID,
  REPO_ROOT,
  readManifest,
  referencedFiles,
  validateAppPackage,
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
  MicrosoftAppId?: string;
  APP_VERSION?: string;
}

/** Returns a copy of the manifest with env-specific values applied, plus warnings worth printing. */
export function applyEnvironment(
  manifest: TeamsManifestJson,
  env: EnvironmentOverrides,
): { manifest: TeamsManifestJson; warnings: string[] } {
  const result = structuredClone(manifest);
  const problems: string[] = [];
  const warnings: string[] = [];

  const appId = env.MicrosoftAppId?.trim();
  if (appId) {
    if (!GUID.test(appId))
      problems.push(`MicrosoftAppId "${appId}" is not a GUID (expected the bot's app ID)`);
    else if (!result.bots?.[0]) problems.push('MicrosoftAppId is set but manifest.json has no bots[0]');
    else {
      result.bots[0].botId = appId;
      // Resource-specific consent is granted to the same Entra app as the bot.
      if (result.webApplicationInfo) result.webApplicationInfo.id = appId;
    }
  }
  if (result.bots?.[0]?.botId === PLACEHOLDER_BOT_ID) {
    warnings.push(
      `bots[0].botId is still the placeholder ${PLACEHOLDER_BOT_ID}; set MicrosoftAppId or the bot will not answer`,
    );
  }

  const version = env.APP_VERSION?.trim();
  if (version) {
    if (!VERSION.test(version)) problems.push(`APP_VERSION "${version}" must look like 1.2.3`);
    else result.version = version;
  }

  if (problems.length > 0) throw new ManifestValidationError(problems);
  return { manifest: result, warnings };
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
  const { manifest, warnings } = applyEnvironment(readManifest(manifestDir), options.env ?? {});

  const problems = await validateAppPackage(manifest, manifestDir);
  if (problems.length > 0) throw new ManifestValidationError(problems);

  const zip = new AdmZip();
  zip.addFile('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
  // validateAppPackage has already made sure these are plain names of existing files.
  for (const file of new Set(referencedFiles(manifest))) {
    zip.addFile(file, readFileSync(path.join(manifestDir, file)));
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
