import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ErrorCodeTableError,
  findErrorCodes,
  isAllowedSourceUrl,
  loadErrorCodes,
  parseErrorCodeTable,
  type ErrorCodeTable,
} from '../../core/errorCodes/errorCodeLookup';

const FILE = path.resolve(__dirname, '..', '..', 'content', 'errorCodes.json');

type RawEntry = Record<string, unknown> & { id: string; codes?: string[]; patterns?: string[] };
const raw = (): { entries: RawEntry[] } => JSON.parse(readFileSync(FILE, 'utf8'));

/**
 * Codes and messages the table must cover. Left out because no public Microsoft page for them could be found and
 * checked (an entry without a verified source must not ship): Microsoft account "Error 400", Office "Something went
 * wrong [1001]", 0x8004FC12, and the seed's 「問題が発生したため、現在はサインインできません」,
 * 「やりとりをつくれません」 and 「一時プロファイルでサインインしました」. Add them here with their entry.
 */
/** Seed 002 explains these; no Microsoft documentation page does (checked offline when they were added). */
const SEED_CITED = [
  'office-error-1001',
  'account-error-400',
  'account-cannot-sign-in-now',
  'account-locked-interaction',
  'windows-temporary-profile',
];

const REQUIRED_CODES = [
  '0xCAA70004',
  '0xCAA70007',
  '0xCAA82EE2',
  '0xCAA20003',
  '0xC004F074',
  'AADSTS50053',
  'AADSTS50055',
  'AADSTS50057',
  'AADSTS50076',
  'AADSTS50079',
  'AADSTS50126',
  'AADSTS53003',
  'AADSTS700016',
];
const REQUIRED_PATTERNS = [
  'Unlicensed Product',
  'ライセンスのない製品',
  'Your account or password is incorrect',
  'ユーザー名またはパスワードが正しくありません',
];

const ALLOWED_HOSTS = ['learn.microsoft.com', 'support.microsoft.com', 'github.com'];

function ids(table: ErrorCodeTable, text: string): string[] {
  return findErrorCodes(table, text).map((entry) => entry.id);
}

/** A valid entry for hand-made tables; `overrides` replace its fields (undefined removes one). */
function entry(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    id,
    codes: [],
    who: 'user',
    flow: 'account',
    ja: { title: 'タイトル', explanation: '説明です。' },
    en: { title: 'Title', explanation: 'Explanation.' },
    source: {
      title: 'Reference',
      url: 'https://learn.microsoft.com/entra/identity-platform/reference-error-codes',
    },
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

function expectRejected(entries: unknown[], ...needles: string[]): void {
  assert.throws(
    () => parseErrorCodeTable({ entries }, 'test table'),
    (error: unknown) => {
      assert.ok(
        error instanceof ErrorCodeTableError,
        `expected an ErrorCodeTableError, got ${String(error)}`,
      );
      for (const needle of needles) {
        assert.ok(error.message.includes(needle), `'${needle}' missing from:\n${error.message}`);
      }
      return true;
    },
  );
}

describe('error code lookup', () => {
  let table: ErrorCodeTable;
  before(() => {
    table = loadErrorCodes(FILE);
  });

  describe('content/errorCodes.json', () => {
    it('loads', () => {
      assert.ok(table.entries.length >= REQUIRED_CODES.length);
    });

    it('gives every entry a source: an https URL on a Microsoft documentation host, or the seed article', () => {
      // Checked on the raw file, independently of the loader's schema.
      for (const e of raw().entries) {
        const source = e.source as { title?: unknown; url?: unknown; seed?: unknown } | undefined;
        assert.ok(source, `entry '${e.id}' has no source`);
        assert.ok(
          typeof source.title === 'string' && source.title.trim(),
          `entry '${e.id}': source has no title`,
        );
        if (source.seed !== undefined) {
          // Only codes that no Microsoft page explains may cite the seed article (test/fixtures/seeds/).
          assert.ok(SEED_CITED.includes(e.id as string), `entry '${e.id}' cites a seed, not Microsoft`);
          assert.equal(source.url, undefined, `entry '${e.id}': a url or a seed, not both`);
          continue;
        }
        assert.ok(typeof source.url === 'string', `entry '${e.id}': source has no url`);
        const url = new URL(source.url);
        assert.equal(url.protocol, 'https:', `entry '${e.id}': ${source.url} is not https`);
        assert.ok(ALLOWED_HOSTS.includes(url.hostname), `entry '${e.id}': ${url.hostname} is not allowed`);
        if (url.hostname === 'github.com') {
          assert.match(
            url.pathname,
            /^\/MicrosoftDocs\/[^/]+\/blob\//,
            `entry '${e.id}': not a MicrosoftDocs file`,
          );
        }
        assert.ok(isAllowedSourceUrl(source.url));
      }
    });

    it('covers the required codes and messages', () => {
      const codes = table.entries.flatMap((e) => e.codes);
      const patterns = table.entries.flatMap((e) => e.patterns);
      for (const code of REQUIRED_CODES) assert.ok(codes.includes(code), `${code} is missing`);
      for (const pattern of REQUIRED_PATTERNS)
        assert.ok(patterns.includes(pattern), `'${pattern}' is missing`);
    });

    it('finds every code and pattern of every entry, alone and inside a sentence', () => {
      for (const e of table.entries) {
        // A bare number (400, 1001) is a code only in an error context: "error 400", 「エラー400」, "[1001]".
        const codes = e.codes.map((code) => (/^\d+$/.test(code) ? `[${code}]` : code));
        for (const needle of [...codes, ...e.patterns]) {
          assert.deepEqual(ids(table, needle), [e.id], needle);
          assert.deepEqual(ids(table, `Word で「${needle}」と表示されます。`), [e.id], needle);
          assert.deepEqual(ids(table, `I get ${needle.toLowerCase()}, what now?`), [e.id], needle);
        }
      }
    });

    it('has explanations in both languages, Japanese in です/ます', () => {
      for (const e of table.entries) {
        assert.match(e.ja.explanation, /(です|ます|ください)。/, e.id);
        assert.doesNotMatch(e.en.explanation, /[ぁ-んァ-ン]/, e.id);
      }
    });
  });

  describe('matching', () => {
    it('ignores case', () => {
      assert.deepEqual(ids(table, '0xcaa70004'), ['caa70004']);
      assert.deepEqual(ids(table, '0XCAA70004'), ['caa70004']);
      assert.deepEqual(ids(table, 'aadsts50126'), ['aadsts50126']);
    });

    it('finds codes inside longer text', () => {
      assert.deepEqual(ids(table, 'Teams のサインインで「エラー 0xCAA82EE2」が出ました'), ['caa82ee2']);
      assert.deepEqual(
        ids(
          table,
          "Sorry, but we're having trouble signing you in. AADSTS50126: Error validating credentials due to invalid " +
            'username or password. Trace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333',
        ),
        ['aadsts50126'],
      );
    });

    it('folds full-width text (NFKC)', () => {
      assert.deepEqual(ids(table, 'ｅｒｒｏｒ　０ｘｃａａ７０００４'), ['caa70004']);
      assert.deepEqual(ids(table, 'ＡＡＤＳＴＳ５３００３'), ['aadsts53003']);
      assert.deepEqual(ids(table, 'ﾕｰｻﾞｰ名またはﾊﾟｽﾜｰﾄﾞが正しくありません'), ['aadsts50126']);
    });

    it('needs the 0x prefix for hex codes and a whole token', () => {
      assert.deepEqual(ids(table, 'CAA70004'), []);
      assert.deepEqual(ids(table, 'error CAA70004'), []);
      assert.deepEqual(ids(table, '0xCAA700041'), []);
      assert.deepEqual(ids(table, '10xCAA70004'), []);
      assert.deepEqual(ids(table, '(0xCAA70004)'), ['caa70004']);
    });

    it('matches AADSTS codes as whole numbers', () => {
      assert.deepEqual(ids(table, 'AADSTS500531'), []);
      assert.deepEqual(ids(table, 'AADSTS5005'), []);
      assert.deepEqual(ids(table, 'AADSTS700016.'), ['aadsts700016']);
      assert.deepEqual(ids(table, 'AADSTS7000160'), []);
    });

    it('finds the Japanese and English messages', () => {
      assert.deepEqual(ids(table, 'Office に「ライセンスのない製品」と表示されます'), ['unlicensed-product']);
      assert.deepEqual(ids(table, 'The title bar says UNLICENSED PRODUCT'), ['unlicensed-product']);
      assert.deepEqual(ids(table, 'Your account or password is incorrect. If you forgot it, reset it.'), [
        'aadsts50126',
      ]);
      assert.deepEqual(ids(table, '「ユーザー名またはパスワードが正しくありません。」と出ます'), [
        'aadsts50126',
      ]);
    });

    it('returns entries in the order they appear, each once', () => {
      assert.deepEqual(ids(table, 'First AADSTS53003, then 0xCAA70004, again aadsts53003 and 0xcaa70004'), [
        'aadsts53003',
        'caa70004',
      ]);
      // Two codes of one entry.
      assert.deepEqual(ids(table, '0xCAA80000 and later 0xCAA70007'), ['caa70007']);
      assert.deepEqual(ids(table, 'ライセンスのない製品 / Unlicensed Product / AADSTS50055'), [
        'unlicensed-product',
        'aadsts50055',
      ]);
    });

    it('finds nothing in unrelated text', () => {
      assert.deepEqual(ids(table, ''), []);
      assert.deepEqual(ids(table, 'Outlook が起動しません'), []);
    });
  });

  describe('numbers such as 400 and 1001', () => {
    // The real table has no numeric codes yet (no verified source), so these rules are checked on a hand-made one.
    const numbers = parseErrorCodeTable({
      entries: [entry('error-400', { codes: ['400'] }), entry('error-1001', { codes: ['1001'] })],
    });

    it('match in an error context', () => {
      for (const text of [
        'エラー400',
        'エラー 400 が出ます',
        'ｴﾗｰ４００',
        'エラーコード: 400',
        'error 400',
        'Error: 400',
        'ERROR CODE 400',
        '400 エラー',
        '400エラーになります',
        'It says 400 error',
        '[400]',
        '［４００］',
        '【400】',
        'Error 400.',
      ]) {
        assert.deepEqual(ids(numbers, text), ['error-400'], text);
      }
      for (const text of [
        'Something went wrong [1001]',
        '問題が発生しました [1001]',
        'error 1001',
        'エラー1001',
      ]) {
        assert.deepEqual(ids(numbers, text), ['error-1001'], text);
      }
    });

    it('match only as a whole number', () => {
      for (const text of [
        '14000',
        'error 14000',
        'error 4000',
        'エラー4001',
        '[1400]',
        'error 400-1234',
        '電話は 03-1234-400 エラー',
        '090-400-1234',
        'error 1,400',
        'エラー 10010',
        '[10011]',
      ]) {
        assert.deepEqual(ids(numbers, text), [], text);
      }
    });

    it('do not match without an error context', () => {
      for (const text of ['400', 'about 400 users', '1001', 'Room 1001', '400 1234']) {
        assert.deepEqual(ids(numbers, text), [], text);
      }
    });
  });

  describe('broken tables are rejected', () => {
    const good = () => entry('good', { codes: ['0xCAA70004'] });

    it('accepts the hand-made valid entry', () => {
      assert.equal(parseErrorCodeTable({ entries: [good()] }).entries.length, 1);
    });

    it('without a source', () => {
      expectRejected(
        [good(), entry('no-source', { codes: ['0xCAA70007'], source: undefined })],
        "'no-source'",
        'source',
      );
    });

    it('with a source without a URL or title', () => {
      expectRejected(
        [entry('no-url', { codes: ['0xCAA70007'], source: { title: 'x' } })],
        "'no-url'",
        'source.url',
      );
      expectRejected(
        [entry('no-title', { codes: ['0xCAA70007'], source: { url: 'https://learn.microsoft.com/x' } })],
        "'no-title'",
        'source.title',
      );
    });

    it('with an http URL', () => {
      expectRejected(
        [
          entry('http', {
            codes: ['0xCAA70007'],
            source: { title: 'x', url: 'http://learn.microsoft.com/x' },
          }),
        ],
        "'http'",
        'source.url',
        'https',
      );
    });

    it('with a source on another host', () => {
      for (const url of [
        'https://example.com/learn.microsoft.com',
        'https://learn.microsoft.com.example.com/x',
        'https://officesupportjp.github.io/blog/x',
        'https://github.com/someone/SupportArticles-docs/blob/main/x.md',
        'https://github.com/MicrosoftDocs',
        'https://learn.microsoft.com:8443/x',
        'not a url',
      ]) {
        expectRejected(
          [entry('other-host', { codes: ['0xCAA70007'], source: { title: 'x', url } })],
          "'other-host'",
        );
      }
    });

    it('with a code used twice', () => {
      expectRejected(
        [good(), entry('again', { codes: ['0xCAA70007', '0xCAA70004'] })],
        "'again'",
        '0xCAA70004',
        "'good'",
      );
    });

    it('with an id or a pattern used twice', () => {
      expectRejected([good(), entry('good', { codes: ['0xCAA70007'] })], "id 'good'");
      expectRejected(
        [entry('a', { patterns: ['Unlicensed Product'] }), entry('b', { patterns: ['unlicensed  product'] })],
        "entry 'b'",
        'pattern',
      );
    });

    it('with a badly written code, or neither codes nor patterns', () => {
      expectRejected([entry('lower', { codes: ['0xcaa70004'] })], "'lower'", 'codes.0');
      expectRejected([entry('no-prefix', { codes: ['CAA70004'] })], "'no-prefix'");
      expectRejected([entry('empty', {})], "'empty'", 'at least one code or pattern');
    });

    it('with an unknown flow or who', () => {
      expectRejected([entry('flow', { codes: ['0xCAA70007'], flow: 'billing' })], "'flow'", 'flow');
      expectRejected([entry('who', { codes: ['0xCAA70007'], who: 'helpdesk' })], "'who'", 'who');
    });

    it('from a file, naming the file', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'signin-desk-error-codes-'));
      try {
        const file = path.join(dir, 'errorCodes.json');
        writeFileSync(
          file,
          JSON.stringify({ entries: [entry('no-source', { codes: ['400'], source: undefined })] }),
        );
        assert.throws(
          () => loadErrorCodes(file),
          (e: Error) => e.message.includes(file) && /no-source/.test(e.message),
        );
        writeFileSync(file, '{ "entries": [');
        assert.throws(
          () => loadErrorCodes(file),
          (e: Error) => e.message.includes(file) && /JSON/.test(e.message),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
