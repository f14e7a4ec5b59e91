import { loadUnderstandingOnce } from '../helpers/testBot';
import assert from 'node:assert/strict';
import { nodesOf, stringsOf } from '../helpers/testBot';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ContentCatalog } from '../../core/content/catalog';
import type { FlowContent, Step } from '../../core/content/schema';
import { LANGUAGES, type Language } from '../../core/language';
import { scriptDownloadBody } from '../../bot/server';
import { DiagnosisViews } from '../../views/diagnosisViews';

/**
 * Every script, path, URL, file name and warning that users copy or act on must be exactly what the source
 * article says. The seed fixture is a verbatim copy of that article (see test/fixtures/seeds/README.md).
 */

const ROOT = path.resolve(__dirname, '..', '..');
const SEED_FILE = path.join(ROOT, 'test', 'fixtures', 'seeds', 'office-signin-reset.ja.txt');
const SCRIPT_FILE = path.join(ROOT, 'content', 'scripts', 'Signoutofwamaccounts.ps1');
const BASE_URL = 'http://localhost:3978';

const normaliseLineEndings = (text: string): string => text.replace(/\r\n?/g, '\n');

const seed = normaliseLineEndings(readFileSync(SEED_FILE, 'utf8'));
const scriptFileText = readFileSync(SCRIPT_FILE, 'utf8');

/** The contents of the seed's ``` fenced blocks, each with its final newline (the line before the fence). */
function fencedBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```[ \t]*$/gm)].map((m) => m[1]);
}

/** The seed outside its fenced blocks: prose, links and warnings. */
const seedProse = seed.replace(/^```[^\n]*\n[\s\S]*?^```[ \t]*$/gm, '');

/** Every url a flow links to: step links, procedure sources, related links. */
function linkUrls(flow: FlowContent): Set<string> {
  return new Set([
    ...flow.steps.flatMap((s) => s.links.map((l) => l.url)),
    ...flow.procedures.map((p) => p.source.url),
    ...flow.related.map((l) => l.url),
  ]);
}

function inlineSnippetTexts(step: Step): string[] {
  return step.code.flatMap((c) => ('text' in c ? [c.text] : []));
}

function codeBlocksOf(content: unknown): { codeSnippet: string; fallbackText: string }[] {
  return nodesOf(content)
    .filter((n) => n.type === 'CodeBlock')
    .map((n) => {
      const fallback = n.fallback as { type: string; inlines: { type: string; text: string }[] };
      assert.equal(fallback.type, 'RichTextBlock');
      assert.equal(fallback.inlines.length, 1);
      assert.equal(fallback.inlines[0].type, 'TextRun');
      return { codeSnippet: n.codeSnippet as string, fallbackText: fallback.inlines[0].text };
    });
}

function openUrlsOf(content: unknown): string[] {
  return nodesOf(content)
    .filter((n) => n.type === 'Action.OpenUrl')
    .map((n) => n.url as string);
}

describe('seed fidelity: every script and path is byte-identical to the seed', () => {
  let catalog: ContentCatalog;
  let views: DiagnosisViews;
  const flow = (language: Language): FlowContent => catalog.flow(language).content;

  const blocks = fencedBlocks(seed);
  const powerShellBlocks = blocks.filter((b) => b.includes('Add-Type'));
  const explorerBlocks = blocks.filter((b) => b.includes('%LOCALAPPDATA%'));
  const seedPaths = [...new Set(seed.match(/%LOCALAPPDATA%\\[^\s]+/g) ?? [])];
  const seedUrls = [...new Set(seedProse.match(/https?:\/\/[^\s)\]<>"]+/g) ?? [])];
  const seedWarnings = [
    ...new Set(
      seed
        .split('\n')
        .filter((line) => line.trimStart().startsWith('※'))
        .map((line) =>
          line
            .trimStart()
            .slice(1)
            .trim()
            // Markdown escapes in the article source (\[, \]) are not part of the text readers see.
            .replace(/\\([[\]\\*_`#()-])/g, '$1'),
        ),
    ),
  ];

  before(() => {
    catalog = ContentCatalog.load(path.join(ROOT, 'content'));
    views = new DiagnosisViews(catalog, BASE_URL, loadUnderstandingOnce().commands);
  });

  describe('the seed fixture itself', () => {
    it('has the fenced blocks the tests rely on', () => {
      assert.equal(blocks.length, 3, 'two Explorer step lists and one PowerShell script');
      assert.equal(powerShellBlocks.length, 1);
      assert.equal(explorerBlocks.length, 2);
      assert.equal(explorerBlocks[0], explorerBlocks[1], 'the article repeats the same five steps');
      assert.equal(explorerBlocks[0].split('\n').filter(Boolean).length, 5);
    });

    it('has the paths, URLs and warnings the tests rely on', () => {
      assert.deepEqual(seedPaths, [
        '%LOCALAPPDATA%\\Packages\\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\\AC\\TokenBroker\\Accounts',
        '%LOCALAPPDATA%\\Packages\\Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy\\AC\\TokenBroker\\Accounts',
      ]);
      assert.deepEqual([...seedUrls].sort(), [
        'https://docs.microsoft.com/ja-jp/office/troubleshoot/activation/reset-office-365-proplus-activation-state',
        'https://docs.microsoft.com/ja-jp/office/troubleshoot/activation/sign-in-issues',
        'https://download.microsoft.com/download/8/e/f/8ef13ae0-6aa8-48a2-8697-5b1711134730/WPJCleanUp.zip',
        'https://officesupportjp.github.io/blog/cl0m75al4001gmcvse36w64dv/index.html',
      ]);
      assert.equal(seedWarnings.length, 4, `warnings found: ${JSON.stringify(seedWarnings)}`);
      assert.ok(seedWarnings.some((w) => w.startsWith('管理者権限は不要です')));
      assert.ok(seedWarnings.some((w) => w.startsWith('Azure AD や AD に接続済みの項目を')));
      assert.ok(seedWarnings.includes('事象が発生しているユーザーにてご実施ください。'));
      assert.ok(seedWarnings.some((w) => w.includes('[Windows によって PC が保護されました]')));
    });
  });

  describe('scripts and code snippets', () => {
    it('Signoutofwamaccounts.ps1 equals the seed PowerShell block', () => {
      // Line endings are normalised to LF on both sides. Only a difference in the presence of one trailing
      // newline at the very end would be tolerated; today both end with exactly one "\n", so it is exact.
      const stripOneTrailingNewline = (text: string) => text.replace(/\n$/, '');
      const fromFile = normaliseLineEndings(scriptFileText.replace(/^\uFEFF/, ''));
      assert.equal(stripOneTrailingNewline(fromFile), stripOneTrailingNewline(powerShellBlocks[0]));
      assert.equal(fromFile, powerShellBlocks[0], 'also byte-identical including the final newline');
    });

    it('the catalog serves the script exactly as the seed has it', () => {
      const scriptId = flow('ja').scripts.find((s) => s.fileName === 'Signoutofwamaccounts.ps1')?.id;
      assert.ok(scriptId, 'ja content declares Signoutofwamaccounts.ps1');
      assert.equal(catalog.scriptText(scriptId), powerShellBlocks[0]);
    });

    it('the Japanese five-step Explorer block is byte-identical to the ja snippet of delete-token-broker-cache', () => {
      const step = catalog.flow('ja').step('delete-token-broker-cache');
      const fiveSteps = inlineSnippetTexts(step).filter((t) => t.startsWith('1. '));
      assert.equal(fiveSteps.length, 1);
      assert.ok(
        Buffer.from(fiveSteps[0], 'utf8').equals(Buffer.from(explorerBlocks[0], 'utf8')),
        `ja snippet differs from the seed:\n${JSON.stringify(fiveSteps[0])}\n${JSON.stringify(explorerBlocks[0])}`,
      );
    });
  });

  describe('paths', () => {
    for (const language of LANGUAGES) {
      it(`every %LOCALAPPDATA% path is a complete snippet and inside the step list (${language})`, () => {
        const step = catalog.flow(language).step('delete-token-broker-cache');
        const snippets = inlineSnippetTexts(step);
        for (const seedPath of seedPaths) {
          assert.ok(snippets.includes(seedPath), `${language}: no snippet is exactly ${seedPath}`);
          const fiveSteps = snippets.find((t) => t.startsWith('1. '));
          assert.ok(fiveSteps?.includes(seedPath), `${language}: the step list lacks ${seedPath}`);
        }
        // And nowhere in the content is a mangled variant (e.g. a single backslash lost in escaping).
        const allPaths = stringsOf(flow(language)).flatMap((s) => s.match(/%LOCALAPPDATA%\\[^\s]+/g) ?? []);
        assert.ok(allPaths.length >= seedPaths.length * 2);
        for (const p of allPaths) assert.ok(seedPaths.includes(p), `${language}: path not in the seed: ${p}`);
      });
    }
  });

  describe('URLs', () => {
    it('every URL in the seed appears in the ja content as a link', () => {
      const urls = linkUrls(flow('ja'));
      const strings = stringsOf(flow('ja'));
      for (const url of seedUrls) {
        assert.ok(urls.has(url), `ja has no link to ${url}`);
        assert.ok(strings.some((s) => s.includes(url)));
      }
    });

    it('the WPJCleanUp download and the reset article are linked in every language', () => {
      const wpj = seedUrls.find((u) => u.endsWith('/WPJCleanUp.zip'));
      const reset = seedUrls.find((u) => u.includes('reset-office-365-proplus-activation-state'));
      assert.ok(wpj && reset);
      for (const language of LANGUAGES) {
        const urls = linkUrls(flow(language));
        assert.ok(urls.has(wpj), `${language} lacks ${wpj}`);
        assert.ok(urls.has(reset), `${language} lacks ${reset}`);
        const wpjSnippets = inlineSnippetTexts(catalog.flow(language).step('download-wpjcleanup'));
        assert.ok(
          wpjSnippets.includes(wpj),
          `${language}: the WPJCleanUp URL is offered as a copyable snippet`,
        );
      }
    });

    it('every procedure cites the seed article as its source', () => {
      const articleId = /^id: (\S+)$/m.exec(seed)?.[1];
      assert.equal(articleId, 'cl0m6umvg001gi4vsgppfcmk0');
      for (const language of LANGUAGES)
        for (const procedure of flow(language).procedures.filter((p) =>
          signinRepairProcedureIds(language).includes(p.id),
        ))
          assert.equal(
            procedure.source.url,
            `https://officesupportjp.github.io/blog/${articleId}/index.html`,
          );
    });
  });

  describe('file names', () => {
    const fileNames = [
      'OLicenseCleanup.zip',
      'OLicenseCleanup.vbs',
      'WPJCleanUp.zip',
      'WPJCleanp.cmd',
      'CleanupTool',
      'Signoutofwamaccounts.ps1',
    ];

    it('every file name is spelled as in the seed (including the seed’s own "WPJCleanp.cmd")', () => {
      for (const name of fileNames) assert.ok(seed.includes(name), `${name} is not in the seed`);
    });

    for (const language of LANGUAGES) {
      it(`every file name appears in ${language}`, () => {
        const strings = stringsOf(flow(language));
        for (const name of fileNames)
          assert.ok(
            strings.some((s) => s.includes(name)),
            `${language} never mentions ${name}`,
          );
      });
    }
  });

  describe('warnings', () => {
    it('every ※ warning of the seed is a verbatim warning or note in ja', () => {
      const entries = flow('ja').steps.flatMap((s) => [...s.warnings, ...s.notes]);
      for (const warning of seedWarnings)
        assert.ok(entries.includes(warning), `ja lacks the warning: ${warning}`);
    });
  });

  describe('rendered cards', () => {
    for (const language of LANGUAGES) {
      it(`the Signoutofwamaccounts.ps1 step card carries the script exactly (${language})`, () => {
        const card = views.step(language, 'signout-wam-accounts-script', 0);
        const code = codeBlocksOf(card.content);
        assert.equal(code.length, 1);
        assert.equal(code[0].codeSnippet, scriptFileText);
        assert.equal(code[0].fallbackText, scriptFileText);
        assert.equal(code[0].codeSnippet, powerShellBlocks[0]);
        const powerShell = nodesOf(card.content).find((n) => n.type === 'CodeBlock');
        assert.equal(powerShell?.language, 'PowerShell');
        assert.ok(openUrlsOf(card.content).includes(`${BASE_URL}/downloads/Signoutofwamaccounts.ps1`));
      });

      it(`every BrokerPlugin step card carries the seed's paths exactly (${language})`, () => {
        const procedures = flow(language).procedures.filter((p) =>
          p.steps.includes('delete-token-broker-cache'),
        );
        assert.ok(procedures.length >= 4);
        const expected = inlineSnippetTexts(catalog.flow(language).step('delete-token-broker-cache'));
        for (const procedure of procedures) {
          const card = views.step(
            language,
            procedure.id,
            procedure.steps.indexOf('delete-token-broker-cache'),
          );
          const code = codeBlocksOf(card.content);
          assert.deepEqual(
            code.map((c) => c.codeSnippet),
            expected,
          );
          for (const c of code) assert.equal(c.fallbackText, c.codeSnippet);
          for (const seedPath of seedPaths) assert.ok(code.some((c) => c.codeSnippet === seedPath));
          if (language === 'ja') assert.equal(code[0].codeSnippet, explorerBlocks[0]);
          assert.ok(
            openUrlsOf(card.content).includes(
              'https://docs.microsoft.com/ja-jp/office/troubleshoot/activation/sign-in-issues',
            ),
          );
        }
      });
    }

    it('the checklist card carries the same script and paths', () => {
      for (const language of LANGUAGES) {
        const snippets = codeBlocksOf(
          views.checklist(language, 'reset-m365-apps-admin', { answers: [], attempts: [] }).content,
        );
        for (const seedPath of seedPaths) assert.ok(snippets.some((c) => c.codeSnippet === seedPath));
        const script = codeBlocksOf(
          views.checklist(language, 'signout-wam-accounts-script', { answers: [], attempts: [] }).content,
        );
        assert.equal(script[0].codeSnippet, scriptFileText);
        assert.equal(script[0].fallbackText, scriptFileText);
      }
    });
  });

  describe('scriptDownloadBody', () => {
    const script = powerShellBlocks[0];

    it('starts with the UTF-8 BOM', () => {
      const body = scriptDownloadBody(script);
      assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    });

    it('has only CRLF line endings', () => {
      const body = scriptDownloadBody(script);
      let lineFeeds = 0;
      for (let i = 0; i < body.length; i++) {
        if (body[i] !== 0x0a) continue;
        lineFeeds++;
        assert.equal(body[i - 1], 0x0d, `bare LF at byte ${i}`);
      }
      assert.equal(lineFeeds, script.split('\n').length - 1);
      assert.ok(!body.includes(Buffer.from('\r\r\n')));
    });

    it('decodes back to the script', () => {
      const body = scriptDownloadBody(script);
      const decoded = new TextDecoder('utf-8').decode(body); // strips the BOM
      assert.equal(decoded.replace(/\r\n/g, '\n'), script);
      assert.equal(body.subarray(3).toString('utf8'), script.replace(/\n/g, '\r\n'));
    });

    it('does not double CRs when given CRLF text', () => {
      const crlf = script.replace(/\n/g, '\r\n');
      assert.ok(scriptDownloadBody(crlf).equals(scriptDownloadBody(script)));
    });
  });
});

/** The procedures that come from this seed: those in signin-repair.json (activation.json cites seed 001). */
function signinRepairProcedureIds(language: string): string[] {
  const file = path.join(__dirname, '..', '..', 'content', language, 'signin-repair.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { procedures: { id: string }[] }).procedures.map(
    (p) => p.id,
  );
}
