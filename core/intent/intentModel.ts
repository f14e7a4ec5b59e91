import { CommandWords } from '../conversation/commandWords';
import { Shortcuts } from '../conversation/shortcuts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadErrorCodes, type ErrorCodeTable } from '../errorCodes/errorCodeLookup';
import { z } from 'zod';
import { INTENTS, IntentRecognizer, type Intent, type LabelledUtterance, type Lexicon } from './recognizer';

const intent = z.enum(INTENTS);
const lexiconSchema = z.object(
  Object.fromEntries(
    INTENTS.map((name) => [
      name,
      z.array(z.object({ term: z.string().min(1), weight: z.number().positive() })),
    ]),
  ) as Record<Intent, z.ZodArray<z.ZodObject<{ term: z.ZodString; weight: z.ZodNumber }>>>,
);
const utteranceSchema = z.object({
  text: z.string().min(1),
  intent,
  lang: z.enum(['ja', 'en']),
  split: z.enum(['train', 'heldout']),
  tags: z.array(z.string()).default([]),
});
export type Utterance = z.infer<typeof utteranceSchema>;
const trainingSchema = z.object({ text: z.string().min(1), intent });

export function loadLexicon(path: string): Lexicon {
  return lexiconSchema.parse(JSON.parse(readFileSync(path, 'utf8'))) as Lexicon;
}

/** The labelled utterances (JSON lines), each with its split; a bad line is reported with its number. */
export function loadUtterances(path: string): Utterance[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, number }) => {
      const result = utteranceSchema.safeParse(JSON.parse(line));
      if (!result.success)
        throw new Error(`${path}:${number}: ${result.error.issues.map((i) => i.message).join('; ')}`);
      return result.data;
    });
}

/**
 * The bot's training examples (content/intents/training.jsonl): the training split of the labelled set in
 * test/fixtures/intents/, copied by scripts/buildIntentTraining.ts. The held-out split never ships.
 */
export function loadTraining(path: string): LabelledUtterance[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, index) => {
      const result = trainingSchema.safeParse(JSON.parse(line));
      if (!result.success)
        throw new Error(`${path}:${index + 1}: ${result.error.issues.map((i) => i.message).join('; ')}`);
      return result.data;
    });
}

/** Everything free-text understanding needs: the recogniser, error codes, command words and the seeds' shortcuts. */
export interface Understanding {
  recognizer: IntentRecognizer;
  errorCodes: ErrorCodeTable;
  commands: CommandWords;
  shortcuts: Shortcuts;
}

/** Everything free-text understanding needs, from the content folder. */
export function loadUnderstanding(contentDir: string): Understanding {
  const recognizer = IntentRecognizer.train(
    loadTraining(join(contentDir, 'intents', 'training.jsonl')),
    loadLexicon(join(contentDir, 'intents', 'lexicon.json')),
  );
  return {
    recognizer,
    errorCodes: loadErrorCodes(join(contentDir, 'errorCodes.json')),
    commands: CommandWords.load(join(contentDir, 'commands.json')),
    shortcuts: Shortcuts.load(join(contentDir, 'shortcuts.json')),
  };
}
