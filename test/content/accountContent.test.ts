import assert from 'node:assert/strict';
import { stringsOf } from '../helpers/testBot';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ContentCatalog } from '../../core/content/catalog';
import type { FlowContent } from '../../core/content/schema';
import { LANGUAGES, type Language } from '../../core/language';
import { matchKeywords } from '../../core/textMatching';

/**
 * The Microsoft account (consumer) sign-in flow (content/<lang>/account.json) against its source article.
 * The seed fixture is a verbatim copy of that article (see test/fixtures/seeds/README.md).
 */

const ROOT = path.resolve(__dirname, '..', '..');
const CONTENT_DIR = path.join(ROOT, 'content');
const SEED_FILE = path.join(ROOT, 'test', 'fixtures', 'seeds', 'microsoft-account-signin.ja.txt');
const SEED_SHA256 = '091f192afd7dba9cfa981e2a1ca99ad430676457b36b7de06715c9cfa03b8a42';
/** The article has no address of its own; its procedures cite the support site it sends readers to. */
const SOURCE_URL = 'https://support.microsoft.com/';
const SOURCE_TITLES: Record<Language, string> = {
  ja: 'Microsoftアカウントにサインインできない原因と解決方法',
  en: "Can't sign in to your Microsoft account: causes and fixes",
};
/** Links the content adds beyond the seed: the account recovery form the seed names without an address. */
const EXTRA_URLS = ['https://account.live.com/acsr'];

const seedBytes = readFileSync(SEED_FILE);
const seed = seedBytes.toString('utf8');
const seedUrls = [...new Set(seed.match(/https?:\/\/[^\s)\]<>"」]+/g) ?? [])];

const account = (language: Language): FlowContent =>
  JSON.parse(readFileSync(path.join(CONTENT_DIR, language, 'account.json'), 'utf8')) as FlowContent;

const contains = (flow: FlowContent, text: string): boolean => stringsOf(flow).some((s) => s.includes(text));

/** Every url the file links to: step links, procedure sources, related links. */
function linkUrls(flow: FlowContent): Set<string> {
  return new Set([
    ...flow.steps.flatMap((s) => (s.links ?? []).map((l) => l.url)),
    ...flow.procedures.map((p) => p.source.url),
    ...(flow.related ?? []).map((l) => l.url),
  ]);
}

/** The seed's list items under the nth line that is the heading, up to the next line that is not a list item. */
function seedListAfter(heading: string, occurrence = 1): string[] {
  const lines = seed.split('\n');
  const starts = lines.flatMap((line, index) => (line === heading ? [index] : []));
  const start = starts[occurrence - 1];
  assert.ok(start !== undefined, `the seed has no line "${heading}" (#${occurrence})`);
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('- ')) break;
    items.push(line.slice(2));
  }
  assert.ok(items.length > 0, `the seed has no list after "${heading}"`);
  return items;
}

/** Key sentences and words of the seed, each of which the Japanese content carries verbatim. */
const KEY_PHRASES = [
  // The six error patterns.
  'ユーザー名またはパスワードが正しくありません',
  '問題が発生したため、現在はサインインできません',
  'アカウントにサインインできません',
  'エラー400',
  'サインインループ',
  'やりとりをつくれません',
  // Windows and Office.
  '一時プロファイルでサインインしました',
  '問題が発生しました[1001]',
  // The five causes.
  '連続して10回サインインに失敗すると、セキュリティのため1分間アカウントがロックされます。',
  'さらに失敗を繰り返すと、ロック時間が長くなります。',
  '古いキャッシュやCookieが残っていると、サインイン情報が正しく処理されないことがあります。',
  '二段階認証を設定している場合、認証コードが届かなかったり、Microsoft Authenticatorで承認できないとサインインが完了しません。',
  '個人用のMicrosoftアカウントと、職場や学校のアカウントを持っている人は要注意です。',
  '職場のOfficeやTeamsにアクセスする場合は、個人用アカウントではサインインできません。必ず法人用のメールアドレスを使いましょう。',
  'Microsoftのパスワードは大文字と小文字を区別します。「Password123」と「password123」は別のパスワードとして扱われるので注意してください。',
  // Basic fixes.
  'CapsLock',
  '半角と全角',
  '数字の0とアルファベットのO、数字の1とアルファベットのl',
  'パスワード入力欄の右側にある「目のアイコン」をクリックすると、入力したパスワードが表示されます。',
  '「アカウント」→「ユーザーの情報」をクリック',
  'パスワードを忘れた場合、セキュリティ上の理由から元のパスワードを確認することはできません。',
  'セキュリティコードが届かない場合は、迷惑メールフォルダも確認してください。',
  'Wi-Fiの電波強度は十分か(3本以上が目安)',
  // Advanced.
  '削除後、ブラウザを再起動してから再度サインインを試してください。',
  'プライベートモードでサインインできた場合、通常モードのブラウザのキャッシュやCookieに問題があることが分かります。',
  '資格情報マネージャー',
  'Windows資格情報',
  'login.live.com',
  'login.microsoftonline.com',
  'スマホの日時設定',
  'アカウント復旧フォーム',
  '最初のロックは1分間です。',
  '1分間',
  'ロック中に何度も試すと、さらにロック時間が延びてしまいます',
  '待っている間に、パスワードリセットを行って正しいパスワードを設定すると確実です',
  // Windows.
  'F4',
  'セーフモードでサインインできた場合は、通常モードで最近インストールしたソフトをアンインストールしてみましょう。',
  '別のアカウントでサインインできた場合、元のアカウントのプロファイルに問題がある可能性があります。',
  '一時プロファイルで作成・変更したファイルは、サインアウトすると消えてしまいます。大切な作業がある場合は、USBメモリなど外部ストレージに保存してください。',
  // Office.
  '何も表示されない場合は、ライセンスが割り当てられていない可能性があります。会社の管理者に確認しましょう。',
  'このエラーは、ユーザーIDまたはパスワードが間違っている時に表示されます。',
  // FAQ.
  '本人確認には時間がかかり(数日〜数週間)、必ずしも復旧できるとは限りません。',
  'メールボックスが容量オーバーになっていないか確認',
  '入力したメールアドレスでMicrosoftアカウントが作成されていない可能性があります。',
  '特に「login.live.com」や「login.microsoftonline.com」からのCookieを許可する必要があります。',
  // Prevention and support.
  'LastPass、1Password',
  '「高度なセキュリティ オプション」をクリック',
  '「サインインまたは確認する新しい方法を追加する」から追加',
  '3〜6ヶ月に一度はパスワードを変更することをおすすめします。',
  '「サインインヘルパー」を使って診断',
  '必要に応じてチャットまたは電話でサポートを受ける',
];

/** Step lists the content repeats line for line: [seed heading, its occurrence, step id]. */
const VERBATIM_LISTS: [string, number, string][] = [
  ['パスワードリセットの手順:', 1, 'account-reset-password'],
  ['Google Chromeの場合:', 1, 'account-clear-cache-chrome'],
  ['Microsoft Edgeの場合:', 1, 'account-clear-cache-edge'],
  ['更新方法(Chrome):', 1, 'account-update-chrome'],
  ['更新方法(Edge):', 1, 'account-update-edge'],
  ['対処法1: すべてのアカウントからサインアウトする', 1, 'account-loop-sign-out-all'],
  ['対処法2: プライベートブラウズ(シークレットモード)を使う', 1, 'account-loop-private-window'],
  ['対処法3: 認証情報をリセットする', 1, 'account-loop-credential-manager'],
  ['セーフモードで起動する方法:', 1, 'account-windows-safe-mode'],
  ['対処法:', 1, 'account-windows-temp-profile-restart'],
  ['手順:', 1, 'account-office-sign-out-in'],
  ['対処法:', 2, 'account-office-error-1001-fix'],
  ['A: 以下を確認してください。', 1, 'account-reset-email-missing'],
  [
    'A: 入力したメールアドレスでMicrosoftアカウントが作成されていない可能性があります。',
    1,
    'account-no-such-account',
  ],
  ['問い合わせ時に準備する情報:', 1, 'account-support-info'],
];

/** The six things to have ready before contacting support, as each language words them. */
const SUPPORT_ITEMS: Record<Language, string[]> = {
  ja: [
    '使用しているメールアドレス(ユーザー名)',
    '表示されるエラーメッセージ',
    'スクリーンショット',
    '試した解決方法',
    '使用しているデバイスとOS',
    'ブラウザの種類とバージョン',
  ],
  en: [
    'The email address (user name) you use',
    'The error message you see',
    'a screenshot',
    "The fixes you've already tried",
    'Your device and operating system',
    'Your browser and its version',
  ],
};

/** The real English UI names of the menus the seed walks through. */
const ENGLISH_UI_NAMES: Record<string, string[]> = {
  'account-clear-cache-chrome': [
    '**Settings** > **Privacy and security**',
    '**Delete browsing data**',
    '**All time**',
    '**Cookies and other site data**',
    '**Cached images and files**',
    '**Delete data**',
  ],
  'account-clear-cache-edge': [
    '**Settings and more** (…) > **Settings**',
    '**Privacy, search, and services**',
    'Under **Clear browsing data**, select **Choose what to clear**',
    '**All time**',
    '**Cookies and other site data**',
    '**Cached images and files**',
    '**Clear now**',
  ],
  'account-update-chrome': ['**About Chrome**', '**Relaunch**'],
  'account-update-edge': ['**About Microsoft Edge**'],
  'account-loop-sign-out-all': ['**Use another account**', '**Sign out**'],
  'account-loop-credential-manager': ['**Credential Manager**', '**Windows Credentials**', '**Remove**'],
  'account-windows-safe-mode': [
    '**Power**',
    'Hold down **Shift** while you select **Restart**',
    '**Troubleshoot**',
    '**Advanced options** > **Startup Settings** > **Restart**',
    'press **F4** to **Enable Safe Mode**',
  ],
  'account-check-which-account': ['**Settings**', '**Accounts** > **Your info**'],
  'account-office-sign-out-in': ['**File** > **Account**', 'Under **User Information**, select **Sign out**'],
  'account-add-verification-methods': [
    '**Advanced security options**',
    '**Add a new way to sign in or verify**',
  ],
  'account-reset-password': ['**Forgot password?**', '**Next**'],
};

type Node = { kind: 'question' | 'procedure'; id: string } | { kind: 'check'; id: 'licence' };

/** Everything reachable from a question by following choices, fallbacks and continueWith questions. */
function reachableFrom(catalog: ContentCatalog, language: Language, startId: string): Set<string> {
  const flow = catalog.flow(language);
  const seen = new Set<string>();
  const queue: Node[] = [{ kind: 'question', id: startId }];
  while (queue.length > 0) {
    const node = queue.shift()!;
    const key = `${node.kind}:${node.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (node.kind === 'question') {
      for (const choice of flow.question(node.id).choices) {
        const next = choice.next;
        if ('question' in next) queue.push({ kind: 'question', id: next.question });
        else if ('procedure' in next) queue.push({ kind: 'procedure', id: next.procedure });
        else queue.push({ kind: 'check', id: next.check });
      }
    } else if (node.kind === 'procedure') {
      const procedure = flow.procedure(node.id);
      for (const fallback of procedure.fallbacks) queue.push({ kind: 'procedure', id: fallback });
      if (procedure.continueWith) queue.push({ kind: 'question', id: procedure.continueWith.question });
    }
  }
  return seen;
}

describe('Microsoft account sign-in content (account.json)', () => {
  let catalog: ContentCatalog;

  before(() => {
    catalog = ContentCatalog.load(CONTENT_DIR);
  });

  describe('the seed fixture', () => {
    it('is the article byte for byte', () => {
      assert.equal(createHash('sha256').update(seedBytes).digest('hex'), SEED_SHA256);
    });

    it('has the URLs, shortcuts and sentences the tests rely on', () => {
      assert.deepEqual(seedUrls, [
        'https://portal.office.com/account',
        'https://account.live.com/username/recover',
        'https://account.microsoft.com/security',
        'https://support.microsoft.com/',
      ]);
      assert.ok(seed.includes('Chrome: Ctrl + Shift + N(Mac:Command + Shift + N)'));
      assert.ok(seed.includes('Safari: Command + Shift + N'));
      for (const phrase of KEY_PHRASES) assert.ok(seed.includes(phrase), `not in the seed: ${phrase}`);
    });
  });

  describe('loading', () => {
    it('loads, in both languages, with account-where as the start of the account flow', () => {
      for (const language of LANGUAGES) {
        const flow = catalog.flow(language);
        assert.equal(flow.startOf('account').id, 'account-where');
        assert.equal(account(language).language, language);
        assert.ok(flow.hasProcedure('account-basic-fixes'));
      }
    });

    it('keeps its ids apart from the other flow files', () => {
      for (const language of LANGUAGES) {
        const flow = account(language);
        for (const id of [
          ...flow.questions.map((q) => q.id),
          ...flow.procedures.map((p) => p.id),
          ...flow.steps.map((s) => s.id),
        ])
          assert.match(id, /^account-/, `${language}: ${id}`);
      }
    });
  });

  describe('structure', () => {
    it('asks where sign-in fails first, with six answers', () => {
      for (const language of LANGUAGES) {
        const question = catalog.flow(language).question('account-where');
        assert.deepEqual(
          question.choices.map((c) => [c.id, c.next]),
          [
            ['browser', { question: 'account-type' }],
            ['windows', { question: 'account-windows' }],
            ['office-app', { question: 'account-office' }],
            ['verification', { question: 'account-verification' }],
            ['locked', { procedure: 'account-unlock' }],
            ['forgot', { question: 'account-forgot' }],
          ],
        );
      }
    });

    it('offers the six error patterns of the seed', () => {
      for (const language of LANGUAGES)
        assert.deepEqual(
          catalog
            .flow(language)
            .question('account-symptom')
            .choices.map((c) => [c.id, c.next]),
          [
            ['wrong-credentials', { procedure: 'account-basic-fixes' }],
            ['cannot-sign-in-now', { procedure: 'account-browser-fixes' }],
            ['error-400', { procedure: 'account-error-400' }],
            ['sign-in-loop', { procedure: 'account-sign-in-loop' }],
            ['locked', { procedure: 'account-unlock' }],
            ['temp-profile', { procedure: 'account-windows-temp-profile' }],
          ],
        );
    });

    it('hands a work or school account over to the licence check or the Office sign-in reset', () => {
      for (const language of LANGUAGES) {
        const flow = catalog.flow(language);
        const next = (questionId: string, choiceId: string) =>
          flow.question(questionId).choices.find((c) => c.id === choiceId)?.next;
        assert.deepEqual(next('account-type', 'work-or-school'), { check: 'licence' });
        assert.deepEqual(next('account-office', 'work-licence'), { check: 'licence' });
        assert.deepEqual(next('account-office', 'work-reset'), { question: 'office-product' });
        assert.deepEqual(next('account-office-work', 'check-licence'), { check: 'licence' });
        assert.deepEqual(
          flow.procedure('account-office-licence').continueWith?.question,
          'account-office-work',
        );
        assert.deepEqual(flow.procedure('account-office-sign-out').continueWith?.question, 'office-product');
      }
    });

    it('has the five basic fixes, one step each, and goes on to the advanced fixes and then support', () => {
      for (const language of LANGUAGES) {
        const flow = catalog.flow(language);
        const basic = flow.procedure('account-basic-fixes');
        assert.deepEqual(basic.steps, [
          'account-check-input',
          'account-check-which-account',
          'account-reset-password',
          'account-try-another-browser',
          'account-check-connection',
        ]);
        assert.deepEqual(basic.fallbacks.slice(0, 2), ['account-browser-fixes', 'account-sign-in-loop']);
        assert.deepEqual(flow.procedure('account-browser-fixes').steps, [
          'account-clear-cache-chrome',
          'account-clear-cache-edge',
          'account-update-chrome',
          'account-update-edge',
        ]);
        assert.deepEqual(flow.procedure('account-sign-in-loop').steps, [
          'account-loop-sign-out-all',
          'account-loop-private-window',
          'account-loop-credential-manager',
        ]);
        // Every way ends at the preparation for support (and then a person, which the dialog always adds).
        for (const procedure of account(language).procedures.filter(
          (p) => p.id !== 'account-prepare-for-support',
        ))
          assert.equal(
            procedure.fallbacks.at(-1),
            'account-prepare-for-support',
            `${language}: ${procedure.id}`,
          );
        assert.deepEqual(flow.procedure('account-prepare-for-support').fallbacks, []);
      }
    });

    it('answers the five FAQ and the prevention tips with one-step procedures', () => {
      for (const language of LANGUAGES) {
        const flow = catalog.flow(language);
        const procedures = flow.question('account-faq').choices.map((c) => {
          assert.ok('procedure' in c.next, c.id);
          return c.next.procedure;
        });
        assert.deepEqual(procedures, [
          'account-faq-username',
          'account-recovery-form',
          'account-faq-reset-email',
          'account-faq-no-account',
          'account-faq-signed-out',
          'account-prevention',
        ]);
        for (const id of procedures.slice(0, 5)) assert.equal(flow.procedure(id).steps.length, 1, id);
        assert.equal(flow.procedure('account-prevention').steps.length, 5);
      }
    });

    it('asks to try signing in again where the seed says so', () => {
      for (const language of LANGUAGES) {
        const checkpoints = account(language)
          .steps.filter((s) => s.checkpoint)
          .map((s) => s.id);
        assert.deepEqual(checkpoints, [
          'account-check-input',
          'account-reset-password',
          'account-clear-cache-chrome',
          'account-clear-cache-edge',
          'account-loop-sign-out-all',
          'account-stop-retrying',
          'account-lock-wait',
        ]);
      }
    });

    it('makes the data-loss and the "don\'t keep trying" advice warnings', () => {
      const ja = catalog.flow('ja');
      assert.ok(
        ja
          .step('account-windows-temp-profile-restart')
          .warnings.some((w) => w.includes('サインアウトすると消えてしまいます')),
      );
      assert.ok(ja.step('account-lock-wait').warnings.some((w) => w.includes('何度も試さない')));
      const en = catalog.flow('en');
      assert.ok(en.step('account-windows-temp-profile-restart').warnings.some((w) => w.includes('lost')));
      assert.ok(en.step('account-lock-wait').warnings.some((w) => w.includes("Don't keep trying")));
    });

    it('picks the right answer from typed text', () => {
      const cases: [Language, string, string, string][] = [
        ['ja', 'account-where', 'パソコンの起動時にサインインできない', 'windows'],
        ['ja', 'account-where', '認証コードが届かない', 'verification'],
        ['ja', 'account-where', 'パスワードを忘れました', 'forgot'],
        ['ja', 'account-symptom', 'サインイン画面に何度も戻される', 'sign-in-loop'],
        ['ja', 'account-type', '会社のアカウントです', 'work-or-school'],
        ['ja', 'account-office', '法人のライセンスを確認したい', 'work-licence'],
        ['ja', 'account-forgot', 'パスワードリセットのメールが届かない', 'reset-email-missing'],
        ['en', 'account-where', 'my account is locked', 'locked'],
        ['en', 'account-symptom', 'it says your account or password is incorrect', 'wrong-credentials'],
        ['en', 'account-type', "I don't know", 'not-sure'],
        ['en', 'account-office', 'something went wrong 1001', 'error-1001'],
        ['en', 'account-faq', "it says the account doesn't exist", 'account-not-found'],
      ];
      for (const [language, questionId, text, expected] of cases) {
        const choices = catalog.flow(language).question(questionId).choices;
        assert.equal(matchKeywords(text, choices)?.id, expected, `${language}: "${text}"`);
      }
    });

    it('cites the same source for every procedure', () => {
      for (const language of LANGUAGES)
        for (const procedure of account(language).procedures)
          assert.deepEqual(
            procedure.source,
            { title: SOURCE_TITLES[language], url: SOURCE_URL },
            procedure.id,
          );
    });
  });

  describe('reachability', () => {
    for (const language of LANGUAGES) {
      it(`reaches every question and procedure from account-where (${language})`, () => {
        const reached = reachableFrom(catalog, language, 'account-where');
        const flow = account(language);
        for (const question of flow.questions)
          assert.ok(
            reached.has(`question:${question.id}`),
            `${language}: question ${question.id} is unreachable`,
          );
        for (const procedure of flow.procedures)
          assert.ok(
            reached.has(`procedure:${procedure.id}`),
            `${language}: procedure ${procedure.id} is unreachable`,
          );
        assert.ok(reached.has('check:licence'), 'the licence check');
        assert.ok(reached.has('question:office-product'), 'the Office sign-in reset');
      });
    }
  });

  describe('seed fidelity', () => {
    for (const language of LANGUAGES) {
      it(`links every URL of the seed byte for byte (${language})`, () => {
        const flow = account(language);
        const urls = linkUrls(flow);
        for (const url of seedUrls) {
          assert.ok(urls.has(url), `${language} has no link to ${url}`);
          assert.ok(
            flow.steps.some((s) => s.text.includes(url)),
            `${language}: no step text shows ${url}`,
          );
        }
        // And no mangled copy: every URL anywhere in the file is the seed's or a known addition.
        const found = stringsOf(flow).flatMap((s) => s.match(/https?:\/\/[^\s)\]"]+/g) ?? []);
        for (const url of found)
          assert.ok(seedUrls.includes(url) || EXTRA_URLS.includes(url), `${language}: unexpected URL ${url}`);
      });

      it(`gives the private-window shortcuts exactly, as snippets (${language})`, () => {
        const step = catalog.flow(language).step('account-loop-private-window');
        const snippets = step.code.map((c) => ('text' in c ? [c.language, c.text] : ['script', c.script]));
        assert.deepEqual(snippets, [
          ['PlainText', 'Ctrl + Shift + N'],
          ['PlainText', 'Command + Shift + N'],
          ['PlainText', 'Ctrl + Shift + N'],
          ['PlainText', 'Command + Shift + N'],
        ]);
        for (const shortcut of ['Ctrl + Shift + N', 'Command + Shift + N'])
          assert.ok(step.text.includes(shortcut), `${language}: ${shortcut}`);
        assert.ok(step.text.includes('Safari: Command + Shift + N'));
        assert.ok(step.text.includes('Edge: Ctrl + Shift + N'));
      });

      it(`lists all six things to prepare before contacting support (${language})`, () => {
        const flow = catalog.flow(language);
        const step = flow.step('account-support-info');
        for (const item of SUPPORT_ITEMS[language])
          assert.ok(step.text.includes(item), `${language}: ${item}`);
        assert.ok(step.text.includes(SOURCE_URL));
        assert.ok(step.links.some((l) => l.url === SOURCE_URL));
        assert.ok(step.text.includes(language === 'ja' ? 'サインインヘルパー' : 'Sign-in helper'));
      });
    }

    it('carries every key sentence of the seed in the Japanese content', () => {
      const ja = account('ja');
      for (const phrase of KEY_PHRASES) assert.ok(contains(ja, phrase), `ja lacks: ${phrase}`);
    });

    it('repeats the seed’s step lists line for line in Japanese', () => {
      const flow = catalog.flow('ja');
      for (const [heading, occurrence, stepId] of VERBATIM_LISTS) {
        const text = flow.step(stepId).text;
        for (const item of seedListAfter(heading, occurrence))
          assert.ok(text.includes(item), `${stepId} lacks the seed line "${item}"`);
      }
    });

    it('mentions the Credential Manager entries and the cookie sites in both languages', () => {
      for (const language of LANGUAGES) {
        const flow = catalog.flow(language);
        for (const stepId of ['account-loop-credential-manager', 'account-allow-cookies'])
          for (const host of ['login.live.com', 'login.microsoftonline.com'])
            assert.ok(flow.step(stepId).text.includes(host), `${language}/${stepId}: ${host}`);
      }
    });

    it('uses the real English UI names', () => {
      const en = catalog.flow('en');
      for (const [stepId, names] of Object.entries(ENGLISH_UI_NAMES))
        for (const name of names)
          assert.ok(en.step(stepId).text.includes(name), `en/${stepId} lacks ${name}`);
    });
  });
});
