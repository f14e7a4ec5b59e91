import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FLOW_FILES } from '../content/catalog';
import { foldText, containsKeyword } from '../textMatching';

/**
 * Problems that a seed article answers with one specific remedy (content/shortcuts.json): the garbled sign-out
 * script, a broken "Access work or school" entry. A message that names one goes straight to its procedure
 * instead of through the version questions.
 */
const id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'ids are kebab-case');

export const shortcutSchema = z
  .object({
    id,
    /** The seed and section the remedy comes from. */
    source: z.string().trim().min(1),
    flow: z.enum(FLOW_FILES),
    procedure: id,
    /** Each group must have one of its terms in the message. */
    all: z.array(z.array(z.string().trim().min(2)).min(1)).min(1),
  })
  .strict();

export const shortcutFileSchema = z
  .object({ $comment: z.string().optional(), shortcuts: z.array(shortcutSchema) })
  .strict();

export type Shortcut = z.infer<typeof shortcutSchema>;

export class Shortcuts {
  constructor(readonly all: readonly Shortcut[]) {}

  static load(path: string): Shortcuts {
    const result = shortcutFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!result.success)
      throw new Error(
        `${path} is invalid: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    return new Shortcuts(result.data.shortcuts);
  }

  /** The first shortcut whose every group has a term in the text. */
  find(text: string): Shortcut | undefined {
    const folded = foldText(text);
    return this.all.find((shortcut) =>
      shortcut.all.every((group) => group.some((term) => containsKeyword(folded, foldText(term)))),
    );
  }
}
