import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { foldText, isOneOf } from '../textMatching';

/**
 * The words that work at any point of a conversation (content/commands.json): help, cancel, restart, back, a
 * person, and the ticket words. Kept as data per language so a translator can add a synonym without code; both
 * languages are always understood, whatever the conversation's language.
 */
const words = z.array(z.string().trim().min(1)).min(1);
const perLanguage = z.object({ ja: words, en: words }).strict();

export const commandWordsSchema = z
  .object({
    $comment: z.string().optional(),
    help: perLanguage,
    cancel: perLanguage,
    restart: perLanguage,
    back: perLanguage,
    end: perLanguage,
    person: z.object({ phrases: perLanguage, words: perLanguage }).strict(),
    myTickets: perLanguage,
    queue: perLanguage,
    resume: perLanguage,
    noScreenshot: perLanguage,
    /** Typed answers to the cards' own buttons: yes/no, done / didn't work, show as checklist. */
    yes: perLanguage,
    no: perLanguage,
    done: perLanguage,
    notHelped: perLanguage,
    checklist: perLanguage,
    /** The checklist's "All done", "that's all" after the licence verdict, Send / Edit on the ticket summary. */
    allDone: perLanguage,
    thanks: perLanguage,
    send: perLanguage,
    edit: perLanguage,
  })
  .strict();

export type CommandWordsData = z.infer<typeof commandWordsSchema>;

/** Commands a typed message can carry anywhere. `person` is "I want to talk to a person". */
export type GlobalCommand = 'help' | 'cancel' | 'restart' | 'back' | 'person' | 'resume';
export type WordList = Exclude<keyof CommandWordsData, '$comment' | 'person'>;

export class CommandWords {
  constructor(private readonly data: CommandWordsData) {}

  static load(path: string): CommandWords {
    const result = commandWordsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!result.success)
      throw new Error(
        `${path} is invalid: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    return new CommandWords(result.data);
  }

  /** Both languages' words of one list ('person': its phrases and words). */
  list(name: WordList | 'person'): string[] {
    if (name === 'person')
      return [
        ...this.data.person.phrases.ja,
        ...this.data.person.phrases.en,
        ...this.data.person.words.ja,
        ...this.data.person.words.en,
      ];
    return [...this.data[name].ja, ...this.data[name].en];
  }

  /** True when the whole message is one of the list's words. */
  is(name: WordList | 'person', text: string): boolean {
    return isOneOf(text, this.list(name));
  }

  /** True when typed words ask for a person: a phrase anywhere, or a short word as the whole message. */
  asksForPerson(text: string): boolean {
    const folded = foldText(text);
    const phrases = [...this.data.person.phrases.ja, ...this.data.person.phrases.en];
    return (
      phrases.some((phrase) => folded.includes(foldText(phrase))) ||
      isOneOf(text, [...this.data.person.words.ja, ...this.data.person.words.en])
    );
  }

  /** The global command a typed message is, if any. */
  command(text: string): GlobalCommand | undefined {
    for (const name of ['help', 'cancel', 'restart', 'back', 'resume'] as const)
      if (this.is(name, text)) return name;
    return this.asksForPerson(text) ? 'person' : undefined;
  }
}
