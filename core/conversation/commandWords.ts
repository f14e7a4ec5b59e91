import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { containsKeyword, foldText, isOneOf } from '../textMatching';

/**
 * The words that work at any point of a conversation (content/commands.json): help, cancel, restart, back, a
 * person, and the ticket words. Kept as data per language so a translator can add a synonym without code; both
 * languages are always understood, whatever the conversation's language.
 */
const words = z.array(z.string().trim().min(1)).min(1);
const perLanguage = z.object({ ja: words, en: words }).strict();

/** The commands that steer the conversation, typed alone or inside a short sentence. */
const steering = { help: perLanguage, cancel: perLanguage, restart: perLanguage, back: perLanguage };

export const commandWordsSchema = z
  .object({
    $comment: z.string().optional(),
    ...steering,
    end: perLanguage,
    person: z.object({ phrases: perLanguage, words: perLanguage }).strict(),
    myTickets: perLanguage,
    queue: perLanguage,
    resume: perLanguage,
    /** "Check my PC": how to run the check. */
    pcCheck: perLanguage,
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
    /** The activation card's "Continue with the checks on this PC". */
    continueChecks: perLanguage,
    send: perLanguage,
    edit: perLanguage,
    /** Words that say the user has changed their mind (「やっぱり」, "actually"): a named problem wins then. */
    changeOfMind: perLanguage,
    /** Parts of a command that count anywhere in a short message that names no problem. */
    inShortMessages: z.object({ $comment: z.string().optional(), ...steering }).strict(),
  })
  .strict();

export type CommandWordsData = z.infer<typeof commandWordsSchema>;

/** Commands a typed message can carry anywhere. `person` is "I want to talk to a person". */
export type GlobalCommand = 'help' | 'cancel' | 'restart' | 'back' | 'person' | 'resume' | 'pcCheck';
export type WordList = Exclude<keyof CommandWordsData, '$comment' | 'person' | 'inShortMessages'>;

/** Short enough that a command word in it is the point of the message: 「ヘルプお願いします」, "can we start over". */
const isShort = (folded: string) =>
  /[\u3040-\u30ff\u4e00-\u9fff]/u.test(folded) ? folded.length <= 16 : folded.split(' ').length <= 7;

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
    for (const name of ['help', 'cancel', 'restart', 'back', 'resume', 'pcCheck'] as const)
      if (this.is(name, text)) return name;
    return this.asksForPerson(text) ? 'person' : undefined;
  }

  /**
   * A command said in a few more words (「いったん中止で」, "show me the help"): read only after the message was
   * found to name no problem, so "help, Outlook won't sign in" stays a problem.
   */
  /** True when the words say the user changed their mind: 「やっぱりライセンスの問題でした」, "actually it's…". */
  changesMind(text: string): boolean {
    const folded = foldText(text);
    return this.list('changeOfMind').some((word) => containsKeyword(folded, foldText(word)));
  }

  commandInShortMessage(text: string): GlobalCommand | undefined {
    const folded = foldText(text);
    if (!isShort(folded)) return undefined;
    const names = (['help', 'cancel', 'restart', 'back'] as const).filter((name) => {
      const { ja, en } = this.data.inShortMessages[name];
      return [...ja, ...en].some((word) => containsKeyword(folded, foldText(word)));
    });
    return names.length === 1 ? names[0] : undefined;
  }
}
