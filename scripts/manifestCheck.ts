// Teams app package checks shared by `npm run package` and test/manifest. Everything here works offline:
// JSON schemas come from the copies bundled in @microsoft/app-manifest, never from developer.microsoft.com.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodePng, readPngHeader } from './png';

/** The folder holding package.json; found by walking up so this also works when compiled into dist/scripts. */
export const REPO_ROOT = findRepoRoot(__dirname);
export const MANIFEST_DIR = path.join(REPO_ROOT, 'manifest');
/** The bot ID a package gets when neither BOT_ID nor MicrosoftAppId is set: it uploads, but nobody answers. */
export const PLACEHOLDER_BOT_ID = '00000000-0000-0000-0000-000000000000';
/** This app's identity in a tenant's catalog when TEAMS_APP_ID is not set (the Toolkit sets it per environment). */
export const DEFAULT_TEAMS_APP_ID = 'ad376866-73af-42e9-bfbb-4892964bc224';
export const DEFAULT_APP_VERSION = '1.0.0';
export const COLOR_ICON_SIZE = 192;
export const OUTLINE_ICON_SIZE = 32;
export const MAX_COMMANDS_PER_LIST = 12;
// The schema allows 128, but Teams truncates command titles in the command menu well before that.
export const MAX_COMMAND_TITLE_LENGTH = 32;

export interface BotCommand {
  title: string;
  description: string;
}

export interface BotCommandList {
  scopes: string[];
  commands: BotCommand[];
}

/** The parts of a Teams manifest these checks read; the JSON schema covers the rest. */
export interface TeamsManifestJson {
  $schema?: string;
  manifestVersion: string;
  version: string;
  id: string;
  name: { short: string; full?: string };
  icons: { color: string; outline: string; color32x32?: string };
  accentColor: string;
  localizationInfo?: {
    defaultLanguageTag: string;
    defaultLanguageFile?: string;
    additionalLanguages?: { languageTag: string; file: string }[];
  };
  bots?: { botId: string; scopes: string[]; commandLists?: BotCommandList[]; [key: string]: unknown }[];
  webApplicationInfo?: { id: string; resource?: string };
  [key: string]: unknown;
}

/** A Teams localization file: flat "json.path": "string" pairs. */
export type LocalizationJson = Record<string, unknown>;

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '..');
  }
}

export function readJsonFile<T>(file: string): T {
  // Editors on Windows like to add a BOM, which JSON.parse rejects.
  return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as T;
}

export function readManifest(dir = MANIFEST_DIR): TeamsManifestJson {
  return readJsonFile<TeamsManifestJson>(path.join(dir, 'manifest.json'));
}

/**
 * The `${{NAME}}` placeholders of the committed manifest, filled per environment: by `npm run package`, and by the
 * Microsoft 365 Agents Toolkit's teamsApp/zipAppPackage from env/.env.<environment>. Same syntax as the Toolkit's.
 */
const PLACEHOLDER = /\$\{\{ *([A-Za-z_][A-Za-z0-9_]*) *\}\}/g;

export type PlaceholderValues = Record<string, string | undefined>;

/** The placeholder names in a text, each once, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/**
 * Fills the placeholders of a JSON text. Values are JSON-escaped, so any string stays a string; a placeholder whose
 * value is missing or empty is left in place and listed, as the Toolkit refuses such a package too.
 */
export function fillPlaceholders(
  jsonText: string,
  values: PlaceholderValues,
): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const text = jsonText.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined || value === '') {
      missing.add(name);
      return whole;
    }
    return JSON.stringify(value).slice(1, -1);
  });
  return { text, missing: [...missing] };
}

/** A copy of the manifest with its placeholders filled; `missing` names those that had no value. */
export function resolveManifest(
  manifest: TeamsManifestJson,
  values: PlaceholderValues,
): { manifest: TeamsManifestJson; missing: string[] } {
  const { text, missing } = fillPlaceholders(JSON.stringify(manifest), values);
  return { manifest: JSON.parse(text) as TeamsManifestJson, missing };
}

/** A localization file's text with its placeholders filled, or the problem that stops it. */
export function resolveLocalizationText(
  file: string,
  dir: string,
  values: PlaceholderValues,
): { text: string; problems: string[] } {
  const raw = readFileSync(path.join(dir, file), 'utf8').replace(/^\uFEFF/, '');
  const { text, missing } = fillPlaceholders(raw, values);
  return { text, problems: missing.map((name) => `${file}: uses \${{${name}}}, but ${name} is not set`) };
}

type AppManifestModule = typeof import('@microsoft/app-manifest');
let appManifestModule: Promise<AppManifestModule> | undefined;

function loadAppManifestModule(): Promise<AppManifestModule> {
  appManifestModule ??= import('@microsoft/app-manifest').catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    // @microsoft/app-manifest requires fs-extra without declaring it as a dependency.
    const hint = message.includes('fs-extra') ? ' (it needs fs-extra; keep fs-extra in devDependencies)' : '';
    throw new Error(`cannot load @microsoft/app-manifest${hint}: ${message}`);
  });
  return appManifestModule;
}

const SCHEMA_HOST = 'https://developer.microsoft.com';

/**
 * Maps a Teams schema URL (with or without a locale segment such as /en-us/) to the copy bundled in
 * @microsoft/app-manifest. Throws instead of falling back to the network.
 */
export function bundledSchemaPath(schemaUrl: string): string {
  const match =
    /^https:\/\/developer\.microsoft\.com(?:\/[a-z]{2}(?:-[a-z]{2})?)?(\/json-schemas\/teams\/[^?#]+\.json)$/i.exec(
      schemaUrl,
    );
  if (!match) throw new Error(`$schema ${schemaUrl} is not a ${SCHEMA_HOST}/json-schemas/teams/... URL`);
  const packageDir = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const file = path.join(packageDir, 'build', match[1]);
  if (!existsSync(file)) {
    throw new Error(`$schema ${schemaUrl} is not bundled in @microsoft/app-manifest (looked for ${file})`);
  }
  return file;
}

/**
 * Ajv compiles patterns with the `u` flag, under which a lone `]` is a syntax error. The Teams localization
 * schemas (v1.16 onwards, still in v1.24) contain `...\b]\.description$`; see MicrosoftDocs/msteams-docs#8858.
 * Escaping such brackets keeps the meaning the schema authors intended.
 */
export function unicodeSafePattern(pattern: string): string {
  try {
    new RegExp(pattern, 'u');
    return pattern;
  } catch {
    let out = '';
    let inClass = false;
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i];
      if (ch === '\\') {
        out += ch + (pattern[i + 1] ?? '');
        i++;
      } else if (ch === '[' && !inClass) {
        inClass = true;
        out += ch;
      } else if (ch === ']') {
        out += inClass ? ch : '\\]';
        inClass = false;
      } else {
        out += ch;
      }
    }
    return out;
  }
}

function withUnicodeSafePatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withUnicodeSafePatterns);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pattern' && typeof value === 'string') {
      out[key] = unicodeSafePattern(value);
    } else if (key === 'patternProperties' && value !== null && typeof value === 'object') {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([p, sub]) => [unicodeSafePattern(p), withUnicodeSafePatterns(sub)]),
      );
    } else {
      out[key] = withUnicodeSafePatterns(value);
    }
  }
  return out;
}

export function loadBundledSchema(schemaUrl: string): object {
  return withUnicodeSafePatterns(readJsonFile<object>(bundledSchemaPath(schemaUrl))) as object;
}

/**
 * Validates a manifest or localization file against the bundled schema named by its own `$schema`.
 * Returns readable problems; an empty array means valid.
 */
export async function validateAgainstBundledSchema(doc: object, label: string): Promise<string[]> {
  const schemaUrl = (doc as { $schema?: unknown }).$schema;
  if (typeof schemaUrl !== 'string') return [`${label}: $schema is missing`];
  let schema: object;
  try {
    schema = loadBundledSchema(schemaUrl);
  } catch (error) {
    return [`${label}: ${error instanceof Error ? error.message : String(error)}`];
  }
  const { AppManifestUtils } = await loadAppManifestModule();
  type Args = Parameters<typeof AppManifestUtils.validateAgainstSchema>;
  // Passing the schema explicitly means the library never takes its "fetch from the web" fallback.
  const errors = await AppManifestUtils.validateAgainstSchema(doc as Args[0], schema as Args[1]);
  return errors.map((e) => `${label}: ${e.trim() || '(root)'}`);
}

export interface IconExpectation {
  width: number;
  height: number;
  /** Outline icons must be white on a transparent background. */
  outline: boolean;
}

export function checkIcon(png: Buffer, expected: IconExpectation, label: string): string[] {
  let header;
  try {
    header = readPngHeader(png);
  } catch (error) {
    return [`${label}: ${error instanceof Error ? error.message : String(error)}`];
  }
  const problems: string[] = [];
  if (header.width !== expected.width || header.height !== expected.height) {
    problems.push(
      `${label}: must be ${expected.width}x${expected.height} pixels, is ${header.width}x${header.height}`,
    );
  }
  if (!expected.outline) return problems;
  if (header.colorType !== 4 && header.colorType !== 6) {
    problems.push(`${label}: must have an alpha channel (PNG colour type 4 or 6, is ${header.colorType})`);
    return problems;
  }
  let image;
  try {
    image = decodePng(png);
  } catch (error) {
    problems.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    return problems;
  }
  let offending = 0;
  let first = '';
  let visible = 0;
  for (let i = 0; i < image.width * image.height; i++) {
    const [r, g, b, a] = image.data.subarray(i * 4, i * 4 + 4);
    if (a === 0) continue;
    visible++;
    if (r !== 255 || g !== 255 || b !== 255) {
      if (offending++ === 0) first = ` (first at x=${i % image.width}, y=${Math.floor(i / image.width)})`;
    }
  }
  if (offending > 0) {
    problems.push(`${label}: ${offending} pixel(s) are neither transparent nor white${first}`);
  }
  if (visible === 0) problems.push(`${label}: is fully transparent`);
  return problems;
}

export function commandLists(manifest: TeamsManifestJson): BotCommandList[] {
  return manifest.bots?.[0]?.commandLists ?? [];
}

export function checkCommands(manifest: TeamsManifestJson): string[] {
  const problems: string[] = [];
  commandLists(manifest).forEach((list, i) => {
    const where = `manifest.json bots[0].commandLists[${i}]`;
    if (list.commands.length > MAX_COMMANDS_PER_LIST) {
      problems.push(`${where}: ${list.commands.length} commands, Teams allows ${MAX_COMMANDS_PER_LIST}`);
    }
    const seen = new Set<string>();
    list.commands.forEach((command, j) => {
      if (command.title.trim() === '') problems.push(`${where}.commands[${j}]: empty title`);
      if (command.title.length > MAX_COMMAND_TITLE_LENGTH) {
        problems.push(
          `${where}.commands[${j}]: title "${command.title}" is over ${MAX_COMMAND_TITLE_LENGTH} chars`,
        );
      }
      if (seen.has(command.title)) problems.push(`${where}: duplicate command title "${command.title}"`);
      seen.add(command.title);
    });
  });
  return problems;
}

const LOCALIZED_COMMAND_KEY = /^bots\[0\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.(title|description)$/;

/**
 * Every command needs a translated title and description, and the title must stay the literal command word:
 * Teams sends the title text to the bot, which matches on those words in every language.
 */
export function checkLocalizationCoverage(
  manifest: TeamsManifestJson,
  localization: LocalizationJson,
  label: string,
): string[] {
  const problems: string[] = [];
  const lists = commandLists(manifest);
  lists.forEach((list, i) => {
    list.commands.forEach((command, j) => {
      const prefix = `bots[0].commandLists[${i}].commands[${j}]`;
      const title = localization[`${prefix}.title`];
      const description = localization[`${prefix}.description`];
      if (title === undefined)
        problems.push(`${label}: missing "${prefix}.title" for command "${command.title}"`);
      else if (title !== command.title) {
        problems.push(
          `${label}: "${prefix}.title" is "${String(title)}" but the command word is "${command.title}"`,
        );
      }
      if (typeof description !== 'string' || description.trim() === '') {
        problems.push(`${label}: missing "${prefix}.description" for command "${command.title}"`);
      }
    });
  });
  for (const key of Object.keys(localization)) {
    const match = LOCALIZED_COMMAND_KEY.exec(key);
    if (match && lists[Number(match[1])]?.commands[Number(match[2])] === undefined) {
      problems.push(`${label}: "${key}" refers to a command that is not in manifest.json`);
    }
  }
  return problems;
}

export function localizationFiles(manifest: TeamsManifestJson): string[] {
  const info = manifest.localizationInfo;
  if (!info) return [];
  return [
    ...(info.defaultLanguageFile ? [info.defaultLanguageFile] : []),
    ...(info.additionalLanguages ?? []).map((l) => l.file),
  ];
}

/** Files the manifest points at, as written in the manifest (relative to manifest.json). */
export function referencedFiles(manifest: TeamsManifestJson): string[] {
  const icons = [manifest.icons?.color, manifest.icons?.outline, manifest.icons?.color32x32];
  return [...icons.filter((f): f is string => typeof f === 'string'), ...localizationFiles(manifest)];
}

function schemaVersion(schemaUrl: unknown): string | undefined {
  return typeof schemaUrl === 'string' ? /\/teams\/(v[^/]+)\//.exec(schemaUrl)?.[1] : undefined;
}

/**
 * Runs every check against a manifest whose placeholders are filled and whose referenced files live in `dir`;
 * localization files are filled with `placeholderValues` first. Returns all problems found; an empty array means
 * the package is good.
 */
export async function validateAppPackage(
  manifest: TeamsManifestJson,
  dir = MANIFEST_DIR,
  placeholderValues: PlaceholderValues = {},
): Promise<string[]> {
  const problems = placeholdersIn(JSON.stringify(manifest)).map(
    (name) => `manifest.json: \${{${name}}} is not filled in`,
  );
  problems.push(...(await validateAgainstBundledSchema(manifest, 'manifest.json')));
  problems.push(...checkCommands(manifest));

  const files = referencedFiles(manifest);
  for (const file of files) {
    // The package is a flat zip, so every referenced file must sit next to manifest.json.
    if (file !== path.posix.basename(file) || file.includes('\\')) {
      problems.push(`manifest.json: "${file}" must be a plain file name (the app package has no folders)`);
    } else if (!existsSync(path.join(dir, file))) {
      problems.push(`manifest.json: references "${file}", which does not exist in ${dir}`);
    }
  }
  const readable = (file: string | undefined): file is string =>
    file !== undefined &&
    files.includes(file) &&
    file === path.posix.basename(file) &&
    existsSync(path.join(dir, file));

  if (readable(manifest.icons?.color)) {
    const size = { width: COLOR_ICON_SIZE, height: COLOR_ICON_SIZE, outline: false };
    problems.push(
      ...checkIcon(readFileSync(path.join(dir, manifest.icons.color)), size, manifest.icons.color),
    );
  }
  if (readable(manifest.icons?.outline)) {
    const size = { width: OUTLINE_ICON_SIZE, height: OUTLINE_ICON_SIZE, outline: true };
    problems.push(
      ...checkIcon(readFileSync(path.join(dir, manifest.icons.outline)), size, manifest.icons.outline),
    );
  }

  const info = manifest.localizationInfo;
  for (const extra of info?.additionalLanguages ?? []) {
    if (extra.languageTag.toLowerCase() === info?.defaultLanguageTag.toLowerCase()) {
      problems.push(`manifest.json: ${extra.languageTag} is both the default and an additional language`);
    }
  }
  for (const file of localizationFiles(manifest)) {
    if (!readable(file)) continue;
    let localization: LocalizationJson;
    try {
      const resolved = resolveLocalizationText(file, dir, placeholderValues);
      problems.push(...resolved.problems);
      localization = JSON.parse(resolved.text) as LocalizationJson;
    } catch (error) {
      problems.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    problems.push(...(await validateAgainstBundledSchema(localization, file)));
    if (schemaVersion(localization.$schema) !== schemaVersion(manifest.$schema)) {
      problems.push(`${file}: $schema version differs from manifest.json's (${String(manifest.$schema)})`);
    }
    problems.push(...checkLocalizationCoverage(manifest, localization, file));
  }
  return problems;
}
