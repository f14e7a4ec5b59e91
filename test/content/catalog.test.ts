import { loadUnderstandingOnce } from '../helpers/testBot';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContentCatalog, ContentError } from '../../core/content/catalog';
import type { Choice, FlowContent, Procedure, Step } from '../../core/content/schema';
import { LANGUAGES, type Language } from '../../core/language';
import { matchKeywords } from '../../core/textMatching';
import { DiagnosisViews } from '../../views/diagnosisViews';

const ROOT = path.resolve(__dirname, '..', '..');
const CONTENT_DIR = path.join(ROOT, 'content');

type Json = Record<string, unknown>;

/** A fresh copy of content/ in a temp folder, so tests can break it without touching the real files. */
function copyContent(tempDirs: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'signin-desk-content-'));
  tempDirs.push(dir);
  cpSync(CONTENT_DIR, dir, { recursive: true });
  return dir;
}

function editJson<T = Json>(dir: string, file: string, edit: (data: T) => void): void {
  const filePath = path.join(dir, file);
  const data = JSON.parse(readFileSync(filePath, 'utf8')) as T;
  edit(data);
  writeFileSync(filePath, JSON.stringify(data, null, 2));
}

const editFlow = (dir: string, language: Language, edit: (flow: FlowContent) => void) =>
  editJson<FlowContent>(dir, `${language}/signin-repair.json`, edit);

/** Loads the content and expects a ContentError with a problem that mentions every one of `needles`. */
function expectContentError(dir: string, ...needles: string[]): ContentError {
  let caught: unknown;
  try {
    ContentCatalog.load(dir);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ContentError, `expected a ContentError, got ${String(caught)}`);
  assert.ok(
    caught.problems.some((p) => needles.every((n) => p.includes(n))),
    `no problem mentions ${needles.map((n) => `'${n}'`).join(' and ')}:\n${caught.problems.join('\n')}`,
  );
  for (const needle of needles) assert.ok(caught.message.includes(needle), 'the message lists the problems');
  return caught;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

/** The argument text of a call starting at `open` (the index of its "("), up to the matching ")". */
function callArguments(source: string, open: number): string {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < source.length; i++) {
    const ch = source[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return source.slice(open + 1, i);
  }
  return source.slice(open + 1);
}

/**
 * Text keys used by the code: string literals that look like keys ("welcome.title") in the arguments of
 * calls to text(...), t(...) (a local shorthand) and notice(...), including both arms of a ternary.
 */
function textKeysUsedIn(files: string[]): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const call of source.matchAll(/(?:\.text|\bt|\.notice)\(/g)) {
      const args = callArguments(source, call.index + call[0].length - 1);
      for (const literal of args.matchAll(/'([a-zA-Z0-9]+(?:\.[a-zA-Z0-9]+)+)'/g)) {
        const where = keys.get(literal[1]) ?? [];
        where.push(path.relative(ROOT, file));
        keys.set(literal[1], where);
      }
    }
  }
  return keys;
}

describe('ContentCatalog', () => {
  const tempDirs: string[] = [];
  after(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('the real content', () => {
    let catalog: ContentCatalog;
    before(() => {
      catalog = ContentCatalog.load(CONTENT_DIR);
    });

    it('loads', () => {
      for (const language of LANGUAGES) {
        const flow = catalog.flow(language);
        assert.equal(flow.content.language, language);
        assert.equal(flow.startQuestion.id, 'office-product');
        assert.ok(flow.content.procedures.length >= 7);
      }
    });

    it('has the same text keys in ja and en', () => {
      const keysOf = (language: Language) =>
        Object.keys(JSON.parse(readFileSync(path.join(CONTENT_DIR, language, 'texts.json'), 'utf8'))).sort();
      assert.deepEqual(keysOf('en'), keysOf('ja'));
      for (const key of keysOf('ja')) assert.ok(catalog.hasText(key));
    });

    it('has the same placeholders in each text in ja and en', () => {
      const texts = (language: Language) =>
        JSON.parse(readFileSync(path.join(CONTENT_DIR, language, 'texts.json'), 'utf8')) as Record<
          string,
          string
        >;
      const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const ja = texts('ja');
      const en = texts('en');
      for (const key of Object.keys(ja)) assert.deepEqual(placeholders(en[key]), placeholders(ja[key]), key);
    });

    it('has every text key the code uses', () => {
      const used = textKeysUsedIn([
        ...sourceFiles(path.join(ROOT, 'bot')),
        ...sourceFiles(path.join(ROOT, 'dialogs')),
        ...sourceFiles(path.join(ROOT, 'views')),
      ]);
      // The scan must find the keys it is meant to find, or this test proves nothing.
      assert.ok(used.size >= 40, `only ${used.size} keys found`);
      for (const known of [
        'welcome.hintShared',
        'verify.checkpointPrompt',
        'card.finishedDiagnosis',
        'error.generic',
        'tenant.refused',
      ])
        assert.ok(used.has(known), `the scan missed '${known}'`);
      const missing = [...used]
        .filter(([key]) => !catalog.hasText(key))
        .map(([key, files]) => `${key} (${files.join(', ')})`);
      assert.deepEqual(missing, [], 'text keys used in code but missing in content');
    });

    it('fills placeholders and refuses unknown keys', () => {
      assert.equal(catalog.text('en', 'step.progress', { current: 2, total: 6 }), 'Step 2 of 6');
      assert.equal(catalog.text('ja', 'step.progress', { current: 2, total: 6 }), '手順 2 / 6');
      assert.throws(() => catalog.text('en', 'no.such.key'), /Unknown text key 'no.such.key'/);
    });
  });

  describe('broken content is rejected with a clear message', () => {
    it('a procedure using an unknown step', () => {
      const dir = copyContent(tempDirs);
      editFlow(dir, 'ja', (flow) => flow.procedures[0].steps.push('no-such-step'));
      expectContentError(dir, 'ja', flow0(dir, 'ja').procedures[0].id, 'no-such-step');
    });

    it('a choice leading to an unknown procedure', () => {
      const dir = copyContent(tempDirs);
      editFlow(dir, 'en', (flow) => (flow.questions[0].choices[0].next = { procedure: 'no-such-procedure' }));
      expectContentError(dir, 'en', 'office-product/office-2013-2016', 'no-such-procedure');
    });

    it('a choice leading to an unknown question', () => {
      const dir = copyContent(tempDirs);
      editFlow(dir, 'ja', (flow) => (flow.questions[0].choices[2].next = { question: 'no-such-question' }));
      expectContentError(dir, 'ja', 'no-such-question');
    });

    it('a procedure falling back to an unknown procedure', () => {
      const dir = copyContent(tempDirs);
      editFlow(dir, 'ja', (flow) => flow.procedures[0].fallbacks.push('no-such-fallback'));
      expectContentError(dir, 'ja', 'no-such-fallback');
    });

    it('a duplicate step id', () => {
      const dir = copyContent(tempDirs);
      editFlow(dir, 'ja', (flow) => flow.steps.push({ ...flow.steps[0] }));
      expectContentError(dir, 'ja', `step id '${flow0(dir, 'ja').steps[0].id}' is defined twice`);
    });

    it('a missing script file', () => {
      const dir = copyContent(tempDirs);
      rmSync(path.join(dir, 'scripts', 'Signoutofwamaccounts.ps1'));
      expectContentError(dir, 'scripts/Signoutofwamaccounts.ps1', 'missing');
    });

    it('a step that shows an unknown script', () => {
      const dir = copyContent(tempDirs);
      editFlow(dir, 'en', (flow) => {
        const step = flow.steps.find((s) => s.id === 'run-signout-wam-accounts-script');
        step!.code = [{ script: 'no-such-script' }];
      });
      expectContentError(dir, 'en', 'run-signout-wam-accounts-script', 'no-such-script');
    });

    it('a step used by no procedure', () => {
      const dir = copyContent(tempDirs);
      editFlow(dir, 'ja', (flow) => flow.steps.push({ ...flow.steps[0], id: 'orphan-step' }));
      expectContentError(dir, 'ja', 'orphan-step', 'used by no procedure');
    });

    it('en missing a step that a procedure still lists', () => {
      const dir = copyContent(tempDirs);
      editFlow(
        dir,
        'en',
        (flow) => (flow.steps = flow.steps.filter((s) => s.id !== 'delete-token-broker-cache')),
      );
      expectContentError(dir, 'en', 'delete-token-broker-cache');
    });

    it('en missing a step that ja has (removed everywhere in en)', () => {
      const dir = copyContent(tempDirs);
      editFlow(dir, 'en', (flow) => {
        flow.steps = flow.steps.filter((s) => s.id !== 'delete-token-broker-cache');
        for (const p of flow.procedures) p.steps = p.steps.filter((s) => s !== 'delete-token-broker-cache');
      });
      // en is consistent on its own; only the comparison with ja can catch this, and it names the step.
      expectContentError(dir, "step 'delete-token-broker-cache'", 'missing in en');
    });

    it('a text key missing in en', () => {
      const dir = copyContent(tempDirs);
      editJson<Record<string, string>>(
        dir,
        'en/texts.json',
        (texts) => delete texts['verify.checkpointPrompt'],
      );
      expectContentError(dir, `text 'verify.checkpointPrompt' is missing in en`);
    });

    it('a text key missing in ja', () => {
      const dir = copyContent(tempDirs);
      editJson<Record<string, string>>(dir, 'ja/texts.json', (texts) => delete texts['step.done']);
      expectContentError(dir, `text 'step.done' is missing in ja`);
    });

    it('invalid JSON', () => {
      const dir = copyContent(tempDirs);
      const file = path.join(dir, 'en', 'signin-repair.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/\}\s*$/, ''));
      expectContentError(dir, path.join('en', 'signin-repair.json'), 'is not valid JSON');
    });

    it('a missing content file', () => {
      const dir = copyContent(tempDirs);
      rmSync(path.join(dir, 'ja', 'texts.json'));
      expectContentError(dir, path.join('ja', 'texts.json'), 'is missing');
    });

    it('a non-https link', () => {
      const dir = copyContent(tempDirs);
      let index = -1;
      editFlow(dir, 'ja', (flow) => {
        index = flow.steps.findIndex((s) => (s.links ?? []).length > 0);
        flow.steps[index].links[0].url =
          'http://docs.microsoft.com/ja-jp/office/troubleshoot/activation/sign-in-issues';
      });
      expectContentError(dir, path.join('ja', 'signin-repair.json'), `steps.${index}.links.0.url`);
    });

    it('a language file that says another language', () => {
      const dir = copyContent(tempDirs);
      editFlow(dir, 'en', (flow) => (flow.language = 'ja'));
      expectContentError(dir, `en/signin-repair.json says language 'ja'`);
    });
  });

  describe('a new product version is a data change only', () => {
    const newStep = (language: Language): Step => ({
      id: 'check-office-2010-support',
      title: language === 'ja' ? 'Office 2010 のサポート状況を確認する' : 'Check Office 2010 support',
      text:
        language === 'ja'
          ? 'Office 2010 のサポートは終了しています。'
          : 'Office 2010 is no longer supported.',
      warnings: [language === 'ja' ? '更新プログラムは提供されません。' : 'No updates are released.'],
      factWarnings: [],
      notes: [],
      code: [
        { caption: 'Path', language: 'PlainText', text: 'C:\\Program Files\\Microsoft Office\\Office14' },
      ],
      links: [
        { title: 'Office 2010', url: 'https://learn.microsoft.com/lifecycle/products/microsoft-office-2010' },
      ],
      checkpoint: false,
    });
    const newProcedure = (language: Language, source: Procedure['source']): Procedure => ({
      id: 'reset-office-2010',
      title: language === 'ja' ? 'Office 2010 の場合' : 'For Office 2010',
      intro: language === 'ja' ? 'Office 2010 の手順です。' : 'Steps for Office 2010.',
      steps: ['sign-out-quit-office', 'check-office-2010-support'],
      fallbacks: ['signout-wam-accounts-script'],
      source,
    });
    const newChoice = (language: Language): Choice => ({
      id: 'office-2010',
      label: 'Office 2010',
      description: language === 'ja' ? 'サポートが終了した Office 2010' : 'Office 2010, no longer supported',
      keywords: ['2010'],
      next: { procedure: 'reset-office-2010' },
    });

    it('loads and renders without any code change', () => {
      const dir = copyContent(tempDirs);
      for (const language of LANGUAGES)
        editFlow(dir, language, (flow) => {
          flow.questions[0].choices.push(newChoice(language));
          flow.procedures.push(newProcedure(language, flow.procedures[0].source));
          flow.steps.push(newStep(language));
        });
      const catalog = ContentCatalog.load(dir);
      const views = new DiagnosisViews(catalog, 'http://localhost:3978', loadUnderstandingOnce().commands);
      for (const language of LANGUAGES) {
        const flow = catalog.flow(language);
        const choice = matchKeywords('Office 2010', flow.startQuestion.choices);
        assert.equal(choice?.id, 'office-2010', 'typing the version picks the new choice');

        const question = JSON.stringify(views.question(flow.startQuestion).content);
        assert.ok(question.includes('"choice":"office-2010"'));

        const card = JSON.stringify(views.step(language, 'reset-office-2010', 1).content);
        assert.ok(card.includes(JSON.stringify(newStep(language).title)));
        assert.ok(card.includes(`⚠ ${newStep(language).warnings[0]}`));
        assert.ok(card.includes(JSON.stringify('C:\\Program Files\\Microsoft Office\\Office14')));
        assert.ok(card.includes('"step":"check-office-2010-support"'));
        assert.ok(
          card.includes(JSON.stringify(catalog.text(language, 'step.progress', { current: 2, total: 2 }))),
        );

        const checklist = JSON.stringify(
          views.checklist(language, 'reset-office-2010', { answers: [], attempts: [] }).content,
        );
        assert.ok(checklist.includes(`2. ${newStep(language).title}`));
      }
    });

    it('but adding it to one language only is refused', () => {
      const dir = copyContent(tempDirs);
      editFlow(dir, 'ja', (flow) => {
        flow.questions[0].choices.push(newChoice('ja'));
        flow.procedures.push(newProcedure('ja', flow.procedures[0].source));
        flow.steps.push(newStep('ja'));
      });
      expectContentError(dir, "choice 'office-product/office-2010'", 'missing in en');
    });
  });
});

/** The (unedited parts of the) flow file in a temp content folder. */
function flow0(dir: string, language: Language): FlowContent {
  return JSON.parse(readFileSync(path.join(dir, language, 'signin-repair.json'), 'utf8')) as FlowContent;
}
