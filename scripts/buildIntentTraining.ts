/**
 * `npm run intents:training`: copies the training split of the labelled set (test/fixtures/intents) to
 * content/intents/training.jsonl, which the bot trains on. The held-out split stays out of the bot.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../bot/paths';
import { loadUtterances } from '../core/intent/intentModel';

const root = projectRoot();
const training = loadUtterances(join(root, 'test', 'fixtures', 'intents', 'utterances.jsonl')).filter(
  (u) => u.split === 'train',
);
writeFileSync(
  join(root, 'content', 'intents', 'training.jsonl'),
  training.map((u) => JSON.stringify({ text: u.text, intent: u.intent })).join('\n') + '\n',
);
process.stdout.write(`content/intents/training.jsonl: ${training.length} examples\n`);
