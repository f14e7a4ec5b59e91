import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FLOW_FILES } from '../content/catalog';

/**
 * Error codes and messages users paste ("0xCAA70004", "AADSTS50126: …", 「ライセンスのない製品」), looked up in
 * content/errorCodes.json. Every entry cites the public Microsoft page it was written from; the loader refuses an
 * entry whose source is missing or not on a Microsoft documentation host.
 *
 * How codes are written in the file, and how they match typed text (after NFKC folding and lower-casing, so
 * "ｅｒｒｏｒ　０ｘｃａａ７０００４" finds 0xCAA70004):
 * - `0x` + 8 hex digits (0xCAA70004): matched only with the 0x prefix, as a whole token. "CAA70004" alone does not
 *   match: without the prefix it is too easily part of something else, and every message that shows these codes
 *   shows the prefix.
 * - `AADSTS` + digits (AADSTS50126): matched as a whole number, so AADSTS50126 is not found in "AADSTS501261".
 * - a plain 3-4 digit number (400, 1001): matched only as a whole number (not in "14000", nor as a group of a phone
 *   number such as 03-1234-400) and only in an error context: "エラー400", "error 400", "error code: 400",
 *   "400 エラー", "[400]" or 【400】.
 * Patterns (literal message texts) match as substrings.
 */

export const FIXED_BY = ['user', 'admin', 'network'] as const;
export type FixedBy = (typeof FIXED_BY)[number];

/** Hosts a source may be on; GitHub only for repositories of the MicrosoftDocs organisation. */
export const SOURCE_HOSTS = [
  'learn.microsoft.com',
  'support.microsoft.com',
  'github.com/MicrosoftDocs/',
] as const;

const nonEmpty = z.string().trim().min(1);
const id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'ids are kebab-case');
const CODE_FORMAT = /^(?:0x[0-9A-F]{8}|AADSTS\d{5,7}|\d{3,4})$/;

/** True for an https URL on learn.microsoft.com, support.microsoft.com or github.com/MicrosoftDocs/<repo>/. */
export function isAllowedSourceUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.port) return false;
  const host = parsed.hostname.toLowerCase();
  if (host === 'learn.microsoft.com' || host === 'support.microsoft.com') return true;
  return host === 'github.com' && /^\/MicrosoftDocs\/[^/]+\/./.test(parsed.pathname);
}

const localizedSchema = z.object({ title: nonEmpty, explanation: nonEmpty }).strict();

/** The seed articles the bot's procedures come from (content/*.json cites them per procedure). */
export const SEED_ARTICLES = [
  '000_6cd66bac58cb165a.txt',
  '001_1744a6b3d6f7de02.txt',
  '002_e6c27c308582fcdc.txt',
] as const;

/**
 * The public Microsoft page an explanation was written from. A code that no Microsoft page explains (1001,
 * error 400, the consumer messages) cites the seed article the bot's procedure comes from instead (`seed`), and
 * the card says that it is that article, not Microsoft documentation.
 */
const sourceSchema = z
  .object({
    title: nonEmpty,
    url: z
      .string()
      .refine(isAllowedSourceUrl, { error: `must be an https:// URL on ${SOURCE_HOSTS.join(', ')}` })
      .optional(),
    seed: z.enum(SEED_ARTICLES).optional(),
  })
  .strict()
  .refine((source) => (source.url === undefined) !== (source.seed === undefined), {
    error:
      'needs a url on a Microsoft documentation host, or (only where none explains the code) a seed article',
    path: ['url'],
  });

export const errorCodeEntrySchema = z
  .object({
    id,
    /** As shown to users; see the module comment for the three accepted forms. */
    codes: z
      .array(
        z.string().regex(CODE_FORMAT, {
          error:
            'codes are 0x + 8 upper-case hex digits (0xCAA70004), AADSTS + digits, or a 3-4 digit number',
        }),
      )
      .default([]),
    /** Literal message texts (either language), matched as substrings after folding. */
    patterns: z.array(z.string().trim().min(4)).default([]),
    /** Who can fix it: the user, an admin, or the network team. */
    who: z.enum(FIXED_BY),
    /** The bot flow that fits. */
    flow: z.enum(FLOW_FILES),
    /**
     * `work`: a Microsoft Entra (work or school) error. Its explanation is not shown to someone who says the
     * account is a personal one, even when the same words appear on the consumer sign-in page.
     */
    accounts: z.enum(['work', 'any']).default('any'),
    /** The procedure that fixes it, when the source gives one: the bot goes straight there. */
    procedure: id.optional(),
    ja: localizedSchema,
    en: localizedSchema,
    /** The public Microsoft page the explanation was written from; or, where none exists, the seed article. */
    source: sourceSchema,
  })
  .strict()
  .refine((entry) => entry.codes.length + entry.patterns.length > 0, {
    error: 'needs at least one code or pattern',
    path: ['codes'],
  });

export const errorCodeFileSchema = z.object({ entries: z.array(errorCodeEntrySchema).min(1) }).strict();

export type ErrorCodeEntry = z.infer<typeof errorCodeEntrySchema>;
export interface ErrorCodeTable {
  readonly entries: readonly ErrorCodeEntry[];
}

export class ErrorCodeTableError extends Error {
  constructor(
    readonly origin: string,
    readonly problems: string[],
  ) {
    super(`${origin} is invalid:\n- ${problems.join('\n- ')}`);
    this.name = 'ErrorCodeTableError';
  }
}

/** Reads and checks an error code file; throws ErrorCodeTableError naming the file and the faulty entries. */
export function loadErrorCodes(path: string): ErrorCodeTable {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ErrorCodeTableError(path, [`cannot be read as JSON: ${(error as Error).message}`]);
  }
  return parseErrorCodeTable(data, path);
}

/** Checks already-parsed data: the schema, then ids, codes and patterns that occur in more than one entry. */
export function parseErrorCodeTable(data: unknown, origin = 'error code table'): ErrorCodeTable {
  const result = errorCodeFileSchema.safeParse(data);
  if (!result.success) {
    throw new ErrorCodeTableError(
      origin,
      result.error.issues.map((issue) => describeIssue(data, issue.path, issue.message)),
    );
  }
  const problems = duplicates(result.data.entries);
  if (problems.length > 0) throw new ErrorCodeTableError(origin, problems);
  return result.data;
}

/** "entry 'caa70004' (#1): source.url: must be …" for an issue inside an entry; the plain path otherwise. */
function describeIssue(data: unknown, path: PropertyKey[], message: string): string {
  if (path[0] === 'entries' && typeof path[1] === 'number') {
    const rest = path.slice(2).map(String).join('.');
    return `${entryLabel(data, path[1])}: ${rest ? `${rest}: ` : ''}${message}`;
  }
  return `${path.map(String).join('.') || '(file)'}: ${message}`;
}

function entryLabel(data: unknown, index: number): string {
  const entries = (data as { entries?: unknown } | null)?.entries;
  const entry = Array.isArray(entries) ? (entries[index] as { id?: unknown } | undefined) : undefined;
  return typeof entry?.id === 'string' ? `entry '${entry.id}' (#${index + 1})` : `entry #${index + 1}`;
}

function duplicates(entries: readonly ErrorCodeEntry[]): string[] {
  const problems: string[] = [];
  const seen = {
    id: new Map<string, string>(),
    code: new Map<string, string>(),
    pattern: new Map<string, string>(),
  };
  const check = (kind: keyof typeof seen, key: string, shown: string, entryId: string) => {
    const first = seen[kind].get(key);
    if (first === undefined) seen[kind].set(key, entryId);
    else problems.push(`entry '${entryId}': ${kind} ${shown} is already used by entry '${first}'`);
  };
  for (const entry of entries) {
    check('id', entry.id, `'${entry.id}'`, entry.id);
    for (const code of entry.codes) check('code', fold(code), code, entry.id);
    for (const pattern of entry.patterns) check('pattern', fold(pattern), `'${pattern}'`, entry.id);
  }
  return problems;
}

/** NFKC (full-width to ASCII, half-width katakana to full-width), lower case, whitespace runs to one space. */
function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ');
}

type Finder = (folded: string) => number;

const ERROR_WORD = '(?:error(?: code)?|エラー(?: ?コード| ?番号)?)';
const OPEN = '[\\[(「『"\'“]';
const CLOSE = '[\\])」』"\'”]';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function codeFinder(code: string): Finder {
  const c = escape(fold(code));
  let regex: RegExp;
  if (/^0x/.test(c)) regex = new RegExp(`(?<![0-9a-z])${c}(?![0-9a-z])`);
  else if (/^aadsts/.test(c)) regex = new RegExp(`(?<![0-9a-z])${c}(?!\\d)`);
  else {
    // A whole number: no digit next to it, nor a digit group joined by - . , / : (phone numbers, dates, 1,400).
    const alone = `(?<!\\d)(?<!\\d[-.,/:])${c}(?!\\d)(?![-.,/:]\\d)`;
    regex = new RegExp(
      [
        `${ERROR_WORD} ?[:#=]? ?${OPEN}? ?${alone}`,
        `[\\[【] ?${alone} ?[\\]】]`,
        `${alone} ?${CLOSE}? ?${ERROR_WORD}`,
      ].join('|'),
    );
  }
  return (folded) => folded.search(regex);
}

function patternFinder(pattern: string): Finder {
  const p = fold(pattern);
  return (folded) => folded.indexOf(p);
}

const finders = new WeakMap<ErrorCodeTable, { entry: ErrorCodeEntry; find: Finder[] }[]>();

function findersOf(table: ErrorCodeTable) {
  let list = finders.get(table);
  if (!list) {
    list = table.entries.map((entry) => ({
      entry,
      find: [...entry.codes.map(codeFinder), ...entry.patterns.map(patternFinder)],
    }));
    finders.set(table, list);
  }
  return list;
}

/**
 * The entries whose codes or message texts occur in `text`, in the order they first appear, each once.
 * Matching is case-insensitive and works on full-width text; see the module comment for the rules per code form.
 */
export function findErrorCodes(table: ErrorCodeTable, text: string): ErrorCodeEntry[] {
  const folded = fold(text);
  const hits: { entry: ErrorCodeEntry; at: number; order: number }[] = [];
  findersOf(table).forEach(({ entry, find }, order) => {
    const positions = find.map((f) => f(folded)).filter((at) => at >= 0);
    if (positions.length > 0) hits.push({ entry, at: Math.min(...positions), order });
  });
  return hits.sort((a, b) => a.at - b.at || a.order - b.order).map((hit) => hit.entry);
}
