/**
 * Reads the block that the "Check my PC" script (content/scripts/CheckMyPc.ps1) prints, as a user pastes it into
 * the chat. Teams may have joined its lines, curled its quotes or cut it short; anything without the header line
 * is not a check and is left alone (no guessing).
 */

/** The Office choices of the sign-in repair's first question (content: question `office-product`). */
export type OfficeProductChoice =
  'office-2013-2016' | 'office-2019-later' | 'microsoft-365-apps' | 'consumer-office';

export type OfficeChannel =
  | 'Current'
  | 'CurrentPreview'
  | 'MonthlyEnterprise'
  | 'SemiAnnual'
  | 'SemiAnnualPreview'
  | 'Beta'
  | 'LTSC2019'
  | 'LTSC2021'
  | 'LTSC2024';

export interface PcFacts {
  formatVersion: number;
  windows?: { edition: string; version: string; major: number; build: number };
  clickToRun?: {
    /** Product release ids, e.g. O365ProPlusRetail, HomeBusiness2019Retail. */
    products: string[];
    version: string;
    /** Known channels by name; an unknown channel URL or id as it was printed. */
    channel?: OfficeChannel | string;
    sharedComputerActivation: boolean;
  };
  msi?: { name: string; version: string };
  /** Accounts signed in to Office: work or school (AD, OrgId) or personal Microsoft account (LiveId). */
  officeAccounts: { email: string; kind: 'work' | 'personal' | 'other' }[];
  join: { azureAd?: boolean; domain?: boolean; workplace?: boolean; primaryRefreshToken?: boolean };
  /** Office was looked for (the Click-to-Run and MSI lines arrived): without them, "no Office" is not known. */
  officeRead: boolean;
  /** The Office identities line arrived: without it, "nobody signed in" is not known. */
  accountsRead: boolean;
  /** Work or school accounts in Windows' account manager; undefined where the script could not read them. */
  wamAccounts?: string[];
  localAdmin?: boolean;
  /** TLS 1.2 for WinHTTP: only Windows older than 10 needs it set. */
  tls12?: 'on' | 'off' | 'notNeeded';
  signInReachable?: boolean;
  /** The end line was missing: the paste was cut short, and facts after the cut are unknown. */
  truncated: boolean;
}

export type PcCheckReading =
  | { kind: 'facts'; facts: PcFacts }
  | { kind: 'notACheck' }
  /** A newer script than this bot reads: say so rather than misread it. */
  | { kind: 'unsupportedVersion'; version: number };

export const SUPPORTED_FORMAT = 1;

// Bounded runs of "=": these run on every message, and an unbounded one backtracks badly on a wall of "=".
const HEADER = /={3,40}\s{0,5}Sign-in Desk PC check v(\d{1,3})\s{0,5}={3,40}/i;
const END = /={3,40}\s{0,5}end\s{0,5}={3,40}/i;
/** What the script prints is far shorter; anything beyond is not read (and cannot blow up a card). */
const MAX_BLOCK = 8000;
const MAX_ACCOUNTS = 10;
const MAX_VALUE = 200;
const KEYS = [
  'windows',
  'office.c2r',
  'office.msi',
  'office.identities',
  'join',
  'wam',
  'admin',
  'tls12',
  'signin',
];

/** Update channels by the id in their CDN URL or their UpdateChannel name (Microsoft 365 Apps deployment docs). */
const CHANNELS: Record<string, OfficeChannel> = {
  '492350f6-3a01-4f97-b9c0-c7c6ddf67d60': 'Current',
  '64256afe-f5d9-4f86-8936-8840a6a4f5be': 'CurrentPreview',
  '55336b82-a18d-4dd6-b5f6-9e5095c314a6': 'MonthlyEnterprise',
  '7ffbc6bf-bc32-4f92-8982-f9dd17fd3114': 'SemiAnnual',
  'b8f9b850-328d-4355-9145-c59439a0c4cf': 'SemiAnnualPreview',
  '5440fd1f-7ecb-4221-8110-145efaa6372f': 'Beta',
  'f2e724c1-748f-4b47-8fb8-8e0d210e9208': 'LTSC2019',
  '5030841d-c919-4594-8d2d-84ae4f96e58e': 'LTSC2021',
  '7983bac0-e531-40cf-be00-fd24fe66619c': 'LTSC2024',
};

/** Other names the Office Deployment Tool and older builds use for the same channels. */
const CHANNEL_ALIASES: Record<string, OfficeChannel> = {
  monthly: 'Current',
  insiderslow: 'CurrentPreview',
  firstreleasecurrent: 'CurrentPreview',
  broad: 'SemiAnnual',
  deferred: 'SemiAnnual',
  targeted: 'SemiAnnualPreview',
  firstreleasedeferred: 'SemiAnnualPreview',
  insiderfast: 'Beta',
  perpetualvl2019: 'LTSC2019',
  perpetualvl2021: 'LTSC2021',
  perpetualvl2024: 'LTSC2024',
};

export function parsePcCheck(pasted: string): PcCheckReading {
  // Cheap first: most messages are not a check.
  if (!/Sign-in\sDesk\sPC\scheck/i.test(pasted)) return { kind: 'notACheck' };
  // Curly quotes and non-breaking spaces from chat clients; then the block from its header on.
  const text = withoutHtml(pasted)
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u00a0/g, ' ');
  const header = HEADER.exec(text);
  if (!header) return { kind: 'notACheck' };
  const version = Number(header[1]);
  if (version > SUPPORTED_FORMAT) return { kind: 'unsupportedVersion', version };
  let body = text.slice(header.index + header[0].length, header.index + header[0].length + MAX_BLOCK);
  const end = END.exec(body);
  if (end) body = body.slice(0, end.index);
  const fields = fieldsOf(body);
  // The header alone (quoted in a question, say) is not a check.
  if (fields.size === 0) return { kind: 'notACheck' };
  const facts: PcFacts = {
    formatVersion: version,
    officeAccounts: [],
    officeRead: fields.has('office.c2r') && fields.has('office.msi'),
    accountsRead: fields.has('office.identities'),
    join: {},
    truncated: !end,
  };
  const windows = fields.get('windows');
  if (windows) {
    const [edition, versionText = ''] = windows.split('|').map((s) => s.trim());
    const [major = 0, , build = 0] = versionText.split('.').map(Number);
    facts.windows = { edition, version: versionText, major, build };
  }
  const c2r = fields.get('office.c2r');
  if (c2r && !/^none$/i.test(c2r)) {
    const [products = '', officeVersion = '', channel = '', shared = ''] = c2r
      .split('|')
      .map((s) => s.trim());
    facts.clickToRun = {
      products: products
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
      version: officeVersion,
      channel: channelOf(channel),
      sharedComputerActivation: /shared\s*=\s*1\b/i.test(shared),
    };
  }
  const msi = fields.get('office.msi');
  if (msi && !/^none$/i.test(msi)) {
    const [name, msiVersion = ''] = msi.split('|').map((s) => s.trim());
    facts.msi = { name, version: msiVersion };
  }
  for (const entry of (fields.get('office.identities') ?? '').split(';').slice(0, MAX_ACCOUNTS)) {
    const match = /([^\s();]+@[^\s();]+)\s*\(([^)]*)\)/.exec(entry);
    if (match) facts.officeAccounts.push({ email: match[1].toLowerCase(), kind: accountKind(match[2]) });
  }
  const join = fields.get('join') ?? '';
  const flag = (name: string) => {
    // はい/いいえ: a translated dsregcmd, should Windows ever print one (the script passes both through as YES/NO).
    const value = new RegExp(`${name}\\s*[=:]\\s*(YES|NO|はい|いいえ)`, 'i').exec(join)?.[1];
    return value === undefined ? undefined : /^(yes|はい)$/i.test(value);
  };
  facts.join = {
    azureAd: flag('azuread'),
    domain: flag('domain'),
    workplace: flag('workplace'),
    primaryRefreshToken: flag('prt'),
  };
  const wam = fields.get('wam');
  if (wam !== undefined && !/^unavailable$/i.test(wam))
    facts.wamAccounts = wam
      .split(';')
      .map((a) => a.trim().toLowerCase())
      .filter(Boolean)
      .slice(0, MAX_ACCOUNTS);
  const admin = fields.get('admin');
  if (admin) facts.localAdmin = /^yes/i.test(admin);
  const tls = fields.get('tls12');
  if (tls) facts.tls12 = /^on/i.test(tls) ? 'on' : /^off/i.test(tls) ? 'off' : 'notNeeded';
  const signin = fields.get('signin');
  if (signin) facts.signInReachable = /^yes/i.test(signin);
  return { kind: 'facts', facts };
}

/**
 * Chat clients may deliver a pasted block as HTML (paragraphs, line breaks, entities): back to lines of text.
 * Only tags are removed; the block's own text has no angle brackets.
 */
function withoutHtml(pasted: string): string {
  if (!/<\/?(p|br|div|span)\b|&(nbsp|amp|lt|gt|quot|#39);/i.test(pasted)) return pasted;
  return pasted
    .replace(/<br\s*\/?>|<\/(p|div)>/gi, '\n')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * `key: value` pairs, also when the lines were joined: each known key starts a field wherever it stands, after a
 * line break, a space, or nothing at all (the Agents Playground drops the line breaks of a paste outright, so
 * "…10.0.22631office.c2r: …" arrives). A value cut off by truncation is kept as far as it goes.
 */
function fieldsOf(body: string): Map<string, string> {
  // No value the script prints holds a key and a colon ("admin@contoso.com" has no colon), so a key is a key.
  const pattern = new RegExp(`(${KEYS.map((k) => k.replace('.', '\\.')).join('|')}):`, 'g');
  const starts: { key: string; at: number; valueAt: number }[] = [];
  for (let m = pattern.exec(body); m; m = pattern.exec(body))
    starts.push({ key: m[1], at: m.index, valueAt: m.index + m[0].length });
  const fields = new Map<string, string>();
  starts.forEach((start, i) => {
    const value = body
      .slice(start.valueAt, starts[i + 1]?.at ?? body.length)
      .trim()
      .slice(
        0,
        start.key === 'office.identities' || start.key === 'wam' ? MAX_VALUE * MAX_ACCOUNTS : MAX_VALUE,
      );
    if (!fields.has(start.key)) fields.set(start.key, value);
  });
  return fields;
}

function channelOf(printed: string): OfficeChannel | string | undefined {
  if (!printed) return undefined;
  const id = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i
    .exec(printed)?.[0]
    ?.toLowerCase();
  if (id && CHANNELS[id]) return CHANNELS[id];
  const named = Object.values(CHANNELS).find((c) => c.toLowerCase() === printed.toLowerCase());
  return named ?? CHANNEL_ALIASES[printed.toLowerCase()] ?? printed;
}

function accountKind(provider: string): 'work' | 'personal' | 'other' {
  if (/^(ad|orgid)$/i.test(provider.trim())) return 'work';
  if (/^liveid$/i.test(provider.trim())) return 'personal';
  return 'other';
}

/**
 * Which Office this is, as the sign-in repair's first question asks it. Click-to-Run product ids name their
 * family and year; MSI Office exists only for 2013 and 2016. Undefined when nothing says.
 */
export function officeProductOf(facts: PcFacts): OfficeProductChoice | undefined {
  const products = facts.clickToRun?.products ?? [];
  if (products.some((p) => /^O365(ProPlus|Business|SmallBusPrem|AppsBasic|EduCloud)/i.test(p)))
    return 'microsoft-365-apps';
  // Microsoft 365 Personal and Family, and retail Office (Home & Business and the like, 2016 too): the seed's
  // note sends consumer products to the 2019-and-later steps.
  if (
    products.some(
      (p) =>
        /^O365HomePrem/i.test(p) ||
        /^(HomeBusiness|HomeStudent|Personal|Professional)(20\d\d)?Retail$/i.test(p),
    )
  )
    return 'consumer-office';
  if (products.some((p) => /20(19|21|24)/.test(p))) return 'office-2019-later';
  if (products.length > 0) return 'office-2013-2016';
  // MSI: 15.x is 2013, 16.x is 2016; older Office (2010, 14.x) is none of the article's versions: ask.
  if (facts.msi && /^1[56]\./.test(facts.msi.version)) return 'office-2013-2016';
  return undefined;
}
