/**
 * `npm run eval:intents`: how the bot reads held-out messages it has never seen, the way it reads them at run time.
 * - First messages (test/fixtures/intents/heldout-v7.jsonl): straight to the right flow, a question first, or a
 *   wrong flow. The reading is the bot's whole first step: seed shortcuts, error codes, the recogniser, the
 *   personal-account rule and the "talk to a person" words.
 * - Mid-dialog messages (midDialog-m3.jsonl): the waiting card, then the text, read by the router's rule
 *   (answer, command, new problem, or "say what the card expects").
 * The splits are scored once; their mistakes are not printed (that would spend them). `--write` also writes
 * the tables into docs/intent-eval.md between the markers. Tuning uses scripts/tuneUnderstanding.ts instead.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../bot/paths';
import { ContentCatalog } from '../core/content/catalog';
import { loadUnderstanding } from '../core/intent/intentModel';
import type { Intent } from '../core/intent/recognizer';
import type { Language } from '../core/language';
import { scorer, type MidDialogLine, type Outcome } from './understandingScoring';

const FIRST_MESSAGES = 'heldout-v7.jsonl';
const MID_DIALOG = 'midDialog-m3.jsonl';

const root = projectRoot();
const { firstMessage, midDialog } = scorer(
  loadUnderstanding(join(root, 'content')),
  ContentCatalog.load(join(root, 'content')),
);

const readLines = <T>(file: string): T[] =>
  readFileSync(join(root, 'test', 'fixtures', 'intents', file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

const pct = (n: number, of: number) => `${((100 * n) / Math.max(of, 1)).toFixed(1)}%`;

// ---------- report ----------

function table(title: string, outcomes: { outcome: Outcome; group: string }[]): string {
  const groups = ['all', ...new Set(outcomes.map((o) => o.group))];
  const rows = groups.map((g) => {
    const of = outcomes.filter((o) => g === 'all' || o.group === g);
    const n = (k: Outcome) => of.filter((o) => o.outcome === k).length;
    return `| ${g} | ${of.length} | ${pct(n('right'), of.length)} | ${pct(n('asked'), of.length)} | ${pct(n('wrong'), of.length)} (${n('wrong')}) |`;
  });
  return [
    `### ${title}`,
    '',
    '| | messages | straight to the right place | a question first | wrong |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

const first = readLines<{ text: string; intent: Intent; lang: Language }>(FIRST_MESSAGES).map((u) => ({
  outcome: firstMessage(u.text, u.intent),
  group: u.intent,
}));
const mid = readLines<MidDialogLine>(MID_DIALOG).map((line) => ({
  outcome: midDialog(line),
  group: `${line.expect.kind}`,
}));
const report = [
  table(`First messages (held-out ${FIRST_MESSAGES}, ${first.length} messages)`, first),
  '',
  table(
    `Mid-dialog messages (held-out ${MID_DIALOG}, ${mid.length} messages: the waiting card, then the text)`,
    mid,
  ),
].join('\n');
process.stdout.write(`${report}\n`);

if (process.argv.includes('--write')) {
  const path = join(root, 'docs', 'intent-eval.md');
  const doc = readFileSync(path, 'utf8');
  const start = '<!-- eval:understanding -->';
  const end = '<!-- /eval:understanding -->';
  const block = `${start}\n${report}\n${end}`;
  writeFileSync(
    path,
    doc.includes(start) ? doc.replace(new RegExp(`${start}[\\s\\S]*${end}`), block) : `${doc}\n${block}\n`,
  );
}
