/**
 * `npm run tune:intents`: the figures to tune against, never the held-out ones. First messages are scored by
 * 5-fold cross-validation over the training lines of test/fixtures/intents/utterances.jsonl (the recogniser is
 * trained on four folds and reads the fifth); mid-dialog messages by the retired split midDialog-train.jsonl.
 * `--errors` prints every miss, which is allowed here because these lines are training data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../bot/paths';
import { ContentCatalog } from '../core/content/catalog';
import { loadLexicon, loadUnderstanding, loadUtterances } from '../core/intent/intentModel';
import { DEFAULT_SETTINGS, DEFAULT_THRESHOLDS, IntentRecognizer } from '../core/intent/recognizer';
import { scorer, type MidDialogLine, type Outcome } from './understandingScoring';

const FOLDS = 5;
const root = projectRoot();
const fixtures = join(root, 'test', 'fixtures', 'intents');
const understanding = loadUnderstanding(join(root, 'content'));
const catalog = ContentCatalog.load(join(root, 'content'));
const lexicon = loadLexicon(join(root, 'content', 'intents', 'lexicon.json'));
const lines = loadUtterances(join(fixtures, 'utterances.jsonl')).filter((u) => u.split === 'train');
const showErrors = process.argv.includes('--errors');
// Overrides to try, e.g. THRESHOLDS='{"margin":0.3}' SETTINGS='{"requireAgreement":false}'.
const thresholds = { ...DEFAULT_THRESHOLDS, ...JSON.parse(process.env.THRESHOLDS ?? '{}') };
const settings = { ...DEFAULT_SETTINGS, ...JSON.parse(process.env.SETTINGS ?? '{}') };

const count = (outcomes: Outcome[]) => {
  const n = (k: Outcome) => outcomes.filter((o) => o === k).length;
  const pct = (k: Outcome) => `${((100 * n(k)) / outcomes.length).toFixed(1)}%`;
  return `right ${pct('right')}, asked ${pct('asked')}, wrong ${pct('wrong')} (${n('wrong')} of ${outcomes.length})`;
};

const first: Outcome[] = [];
for (let fold = 0; fold < FOLDS; fold++) {
  const training = lines.filter((_, i) => i % FOLDS !== fold);
  const recognizer = IntentRecognizer.train(training, lexicon, thresholds, settings);
  const { firstMessage } = scorer({ ...understanding, recognizer }, catalog);
  lines.forEach((line, i) => {
    if (i % FOLDS !== fold) return;
    const outcome = firstMessage(line.text, line.intent);
    first.push(outcome);
    if (showErrors && outcome !== 'right')
      process.stdout.write(`first ${outcome}\t${line.intent}\t${line.text}\n`);
  });
}

const { midDialog } = scorer(understanding, catalog);
const mid = readFileSync(join(fixtures, 'midDialog-train.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as MidDialogLine)
  .map((line) => {
    const outcome = midDialog(line);
    if (showErrors && outcome !== 'right')
      process.stdout.write(
        `mid ${outcome}\t${JSON.stringify(line.waiting)}\t${JSON.stringify(line.expect)}\t${line.text}\n`,
      );
    return outcome;
  });

process.stdout.write(`first messages (${FOLDS}-fold cross-validation): ${count(first)}\n`);
process.stdout.write(`mid-dialog (midDialog-train.jsonl): ${count(mid)}\n`);
