/**
 * `npm run eval:intents`: trains the recogniser on the training split and reports on the held-out split,
 * which tuning never looks at. `--write` also saves the report to docs/intent-eval.md.
 */
import { writeFileSync } from 'node:fs';
import { projectRoot } from '../bot/paths';
import { join } from 'node:path';
import { loadErrorCodes } from '../core/errorCodes/errorCodeLookup';
import { loadLexicon, loadUtterances } from '../core/intent/intentModel';
import { INTENTS, IntentRecognizer, type Intent } from '../core/intent/recognizer';
import { understand } from '../core/intent/understand';

const root = projectRoot();
const utterances = loadUtterances(join(root, 'test', 'fixtures', 'intents', 'utterances.jsonl'));
// Trained on the training split only, exactly as the bot is (content/intents/training.jsonl is that split).
const recognizer = IntentRecognizer.train(
  utterances.filter((u) => u.split === 'train'),
  loadLexicon(join(root, 'content', 'intents', 'lexicon.json')),
);
const errorCodes = loadErrorCodes(join(root, 'content', 'errorCodes.json'));
const heldout = utterances.filter((u) => u.split === 'heldout');

const confusion = new Map<Intent, Map<Intent, number>>(
  INTENTS.map((i) => [i, new Map(INTENTS.map((j) => [j, 0]))]),
);
let correct = 0;
let wrong = 0;
let wrongButAsked = 0;
let routedWrong = 0;
let routedRight = 0;
let clarified = 0;
let menu = 0;
const mistakes: string[] = [];
for (const u of heldout) {
  const result = understand(u.text, recognizer, errorCodes);
  const top = result.ranked[0]?.intent ?? 'menu';
  confusion.get(u.intent)!.set(top, confusion.get(u.intent)!.get(top)! + 1);
  const decision = result.decision;
  if (decision.kind === 'clarify') clarified++;
  if (decision.kind === 'menu') menu++;
  if (top === u.intent) correct++;
  else {
    wrong++;
    // Not a wrong flow: the bot asked (two buttons, or the menu) instead of routing.
    if (decision.kind !== 'route') wrongButAsked++;
    mistakes.push(`${u.intent} → ${top} (${decision.kind}): ${u.text}`);
  }
  if (decision.kind === 'route') {
    if (decision.intent === u.intent) routedRight++;
    else routedWrong++;
  }
}

const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
const lines: string[] = [];
lines.push(`# Intent recogniser evaluation`, '');
lines.push(`Date: ${new Date().toISOString().slice(0, 10)}`);
lines.push(
  `Held-out split: ${heldout.length} utterances (${heldout.filter((u) => u.lang === 'ja').length} ja, ${heldout.filter((u) => u.lang === 'en').length} en); training split: ${utterances.length - heldout.length}.`,
  '',
);
lines.push(`| metric | value | target |`, `| --- | --- | --- |`);
lines.push(`| top-1 accuracy | ${pct(correct, heldout.length)} | ≥ 90% |`);
lines.push(
  `| wrong answers turned into a question (clarify or menu) | ${pct(wrongButAsked, wrong)} (${wrongButAsked}/${wrong}) | ≥ 95% |`,
);
lines.push(`| routed straight to the right flow | ${pct(routedRight, heldout.length)} | |`);
lines.push(`| routed to a wrong flow | ${pct(routedWrong, heldout.length)} (${routedWrong}) | |`);
lines.push(`| clarifying questions | ${pct(clarified, heldout.length)} | |`);
lines.push(`| menu shown | ${pct(menu, heldout.length)} | |`, '');
lines.push(`## Per intent`, '', `| intent | precision | recall | support |`, `| --- | --- | --- | --- |`);
for (const intent of INTENTS) {
  const tp = confusion.get(intent)!.get(intent)!;
  const predicted = INTENTS.reduce((sum, t) => sum + confusion.get(t)!.get(intent)!, 0);
  const actual = INTENTS.reduce((sum, p) => sum + confusion.get(intent)!.get(p)!, 0);
  lines.push(`| ${intent} | ${pct(tp, predicted)} | ${pct(tp, actual)} | ${actual} |`);
}
lines.push(
  '',
  `## Confusion matrix (rows: label, columns: top-1)`,
  '',
  `| | ${INTENTS.join(' | ')} |`,
  `| --- | ${INTENTS.map(() => '---').join(' | ')} |`,
);
for (const intent of INTENTS)
  lines.push(`| **${intent}** | ${INTENTS.map((p) => confusion.get(intent)!.get(p)).join(' | ')} |`);
// Held-out mistakes are not printed unless asked for: reading them while tuning would leak the split.
if (process.argv.includes('--show-mistakes'))
  lines.push('', `## Mistakes (label → top-1, decision)`, '', ...mistakes.map((m) => `- ${m}`), '');
else
  lines.push(
    '',
    `(${mistakes.length} held-out mistakes not shown; --show-mistakes prints them, which spends the split.)`,
    '',
  );

const report = lines.join('\n');
process.stdout.write(report + '\n');
if (process.argv.includes('--write')) writeFileSync(join(root, 'docs', 'intent-eval.md'), report);
const ok = correct / heldout.length >= 0.9 && (wrong === 0 || wrongButAsked / wrong >= 0.95);
process.exitCode = ok ? 0 : 1;
