/**
 * `npm run eval:intents`: how the bot reads held-out messages it has never seen, the way it reads them at run time.
 * - First messages (test/fixtures/intents/heldout-v6.jsonl): straight to the right flow, a question first, or a
 *   wrong flow. The reading is the bot's whole first step: seed shortcuts, error codes, the recogniser, the
 *   personal-account rule and the "talk to a person" words.
 * - Mid-dialog messages (midDialog-m1.jsonl): the waiting card, then the text, read by the router's rule
 *   (answer, command, new problem, or "say what the card expects").
 * The splits are scored once; their mistakes are not printed (that would spend them). `--write` also writes
 * the tables into docs/intent-eval.md between the markers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../bot/paths';
import { ContentCatalog } from '../core/content/catalog';
import { flowOfIntent, readTypedText, namedProblem, type WaitingCard } from '../core/conversation/typedText';
import { loadUnderstanding } from '../core/intent/intentModel';
import type { Intent } from '../core/intent/recognizer';
import { understand } from '../core/intent/understand';
import type { Language } from '../core/language';
import { matchKeywordsWithKeyword } from '../core/textMatching';

const root = projectRoot();
const understanding = loadUnderstanding(join(root, 'content'));
const catalog = ContentCatalog.load(join(root, 'content'));
const { commands, recognizer, errorCodes, shortcuts } = understanding;

const readLines = <T>(file: string): T[] =>
  readFileSync(join(root, 'test', 'fixtures', 'intents', file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

type Outcome = 'right' | 'asked' | 'wrong';
const pct = (n: number, of: number) => `${((100 * n) / Math.max(of, 1)).toFixed(1)}%`;

// ---------- first messages ----------

function firstMessage(text: string, label: Intent): Outcome {
  if (commands.asksForPerson(text)) return label === 'human' ? 'right' : 'wrong';
  const reading = understand(text, recognizer, errorCodes);
  const problem = namedProblem({
    text,
    shortcut: shortcuts.find(text),
    errorCodes: reading.details.errorCodes,
    decision: reading.decision,
    accountType: reading.details.accountType,
  });
  if (problem) return flowOfIntent(label) === problem.flow ? 'right' : 'wrong';
  const decision = reading.decision;
  if (decision.kind === 'route') {
    if (decision.intent === 'human') return label === 'human' ? 'right' : 'wrong';
    if (decision.intent === 'menu') return label === 'menu' ? 'right' : 'asked';
  }
  // The menu, or a two-button question: right for "nothing to go on", otherwise one more turn.
  return label === 'menu' ? 'right' : 'asked';
}

// ---------- mid-dialog messages ----------

interface MidDialogLine {
  waiting: { kind: string; id?: string; procedure?: string; step?: string };
  text: string;
  lang: Language;
  expect: {
    kind: 'answer' | 'command' | 'switch' | 'unclear';
    choice?: string;
    command?: string;
    intent?: string;
  };
}

/** The typed choices each card accepts, as the dialogs build them (same words, from the same content). */
function choicesOf(line: MidDialogLine): { label: string; keywords: string[]; id: string }[] {
  const w = (list: Parameters<typeof commands.list>[0]) => commands.list(list);
  const text = (key: string) => catalog.text(line.lang, key);
  const flow = catalog.flow(line.lang);
  switch (line.waiting.kind) {
    case 'question':
      return [
        ...flow
          .question(line.waiting.id!)
          .choices.map((c) => ({ label: c.label, keywords: c.keywords, id: c.id })),
        { label: text('action.back'), keywords: w('back'), id: 'back' },
      ];
    case 'step':
      return [
        { label: text('action.back'), keywords: w('back'), id: 'back' },
        { label: text('step.done'), keywords: w('done'), id: 'done' },
        { label: text('step.notHelped'), keywords: w('notHelped'), id: 'notHelped' },
        { label: text('step.checklist'), keywords: w('checklist'), id: 'checklist' },
      ];
    case 'checklist':
      return [
        {
          label: text('checklist.submit'),
          keywords: w('allDone'),
          id: 'submit',
        },
      ];
    case 'verify':
      return [
        { label: text('verify.yes'), keywords: w('yes'), id: 'yes' },
        { label: text('verify.no'), keywords: w('no'), id: 'no' },
      ];
    case 'next': {
      const procedure = flow.procedure(line.waiting.procedure!);
      return [
        ...procedure.fallbacks.map((id) => ({ label: flow.procedure(id).title, keywords: [], id })),
        { label: text('next.person'), keywords: w('person'), id: 'person' },
      ];
    }
    case 'activation':
      return [
        { label: text('activation.continue'), keywords: [], id: 'continue' },
        { label: text('activation.person'), keywords: w('person'), id: 'person' },
        {
          label: text('activation.done'),
          keywords: w('thanks'),
          id: 'done',
        },
      ];
    case 'menu':
      return (['signin-repair', 'activation', 'account', 'person'] as const).map((id) => ({
        label: text(`menu.${id}`),
        keywords: [],
        id,
      }));
    case 'screenshot':
      return [
        {
          label: catalog.text(line.lang, 'escalation.screenshot.none'),
          keywords: w('noScreenshot'),
          id: 'none',
        },
      ];
    case 'confirm':
      return [
        {
          label: text('escalation.summary.send'),
          keywords: w('send'),
          id: 'send',
        },
        { label: text('escalation.summary.edit'), keywords: w('edit'), id: 'edit' },
      ];
    default:
      return [];
  }
}

function waitingCardOf(line: MidDialogLine): WaitingCard {
  const flow = catalog.flow(line.lang);
  const kind = line.waiting.kind === 'menu' ? 'flowChoice' : (line.waiting.kind as WaitingCard['kind']);
  const owner = line.waiting.id ?? line.waiting.procedure;
  return {
    kind,
    ...(owner && flow.flowOf(owner) ? { flow: flow.flowOf(owner) } : {}),
    ...(line.waiting.id ? { question: line.waiting.id } : {}),
    ...(line.waiting.procedure ? { procedure: line.waiting.procedure } : {}),
    ...(line.waiting.step ? { step: line.waiting.step } : {}),
  };
}

function midDialog(line: MidDialogLine): Outcome {
  const waiting = waitingCardOf(line);
  const match = matchKeywordsWithKeyword(line.text, choicesOf(line));
  const reading = understand(line.text, recognizer, errorCodes);
  const decision = readTypedText({
    text: line.text,
    waiting,
    answerKeyword: match?.keyword,
    acceptsAnyText: waiting.kind === 'escalationForm',
    command: commands.command(line.text),
    shortcut: shortcuts.find(line.text),
    errorCodes: reading.details.errorCodes,
    decision: reading.decision,
    accountType: reading.details.accountType,
  });
  const expect = line.expect;
  // At the menu, a named problem is the answer that picks its flow.
  if (waiting.kind === 'flowChoice' && decision.kind === 'newProblem')
    return expect.kind === 'answer' && expect.choice === decision.problem.flow ? 'right' : 'wrong';
  switch (expect.kind) {
    case 'answer':
      if (decision.kind !== 'answer') return decision.kind === 'unclear' ? 'asked' : 'wrong';
      if (waiting.kind === 'escalationForm') return 'right';
      return match?.choice.id === expect.choice ? 'right' : 'wrong';
    case 'command': {
      if (decision.kind === 'command') return decision.command === expect.command ? 'right' : 'wrong';
      // "Back" and "a person" are also the card's own buttons where it has them.
      const own = decision.kind === 'answer' && match?.choice.id === expect.command;
      return own ? 'right' : decision.kind === 'unclear' ? 'asked' : 'wrong';
    }
    case 'switch':
      if (decision.kind === 'newProblem')
        return decision.problem.flow === flowOfIntent(expect.intent as Intent) ? 'right' : 'wrong';
      if (decision.kind === 'correction')
        return flowOfIntent(expect.intent as Intent) === waiting.flow ? 'right' : 'wrong';
      return decision.kind === 'clarify' || decision.kind === 'unclear' ? 'asked' : 'wrong';
    case 'unclear':
      return decision.kind === 'unclear' || decision.kind === 'clarify' ? 'right' : 'wrong';
  }
}

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

const first = readLines<{ text: string; intent: Intent; lang: Language }>('heldout-v6.jsonl').map((u) => ({
  outcome: firstMessage(u.text, u.intent),
  group: u.intent,
}));
const mid = readLines<MidDialogLine>('midDialog-m1.jsonl').map((line) => ({
  outcome: midDialog(line),
  group: `${line.expect.kind}`,
}));
const report = [
  table('First messages (held-out v6, 200 messages)', first),
  '',
  table('Mid-dialog messages (held-out m1, 240 messages: the waiting card, then the text)', mid),
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
