import { z } from 'zod';
import { PC_FACT_CONDITIONS } from '../pcCheck/pcFindings';

/**
 * The shape of the knowledge files under content/<language>/. Dialogs interpret these; adding a product
 * version, a question or a step is a data change only. Cross-references are checked in validateContent().
 */

const id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'ids are kebab-case');
const nonEmpty = z.string().trim().min(1);
/** Button titles: Teams cuts longer ones off without an ellipsis on narrow cards. */
const buttonLabel = z.string().trim().min(1).max(40);

export const linkSchema = z
  .object({ title: nonEmpty, url: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }) })
  .strict();

/** A code snippet: either inline text (shown verbatim) or a reference to a shared script file. */
export const codeSchema = z.union([
  z
    .object({
      caption: nonEmpty.optional(),
      language: z.enum(['PlainText', 'PowerShell', 'DOS', 'Bash']),
      // Not trimmed: a snippet is copied character for character, trailing newline included.
      text: z.string().min(1),
    })
    .strict(),
  z.object({ caption: nonEmpty.optional(), script: id }).strict(),
]);

export const stepSchema = z
  .object({
    id,
    title: nonEmpty,
    /** Markdown subset Teams renders (bold, links, lists). Trusted: written by us, never by users. */
    text: nonEmpty,
    warnings: z.array(nonEmpty).default([]),
    /** Warnings shown first, in bold, when the user's pasted PC check shows the fact (a joined PC, say). */
    factWarnings: z
      .array(z.object({ when: z.enum(PC_FACT_CONDITIONS), text: nonEmpty }).strict())
      .default([]),
    notes: z.array(nonEmpty).default([]),
    code: z.array(codeSchema).default([]),
    links: z.array(linkSchema).default([]),
    /** After this step, ask whether the problem is gone before going on (the seed's "check first" cases). */
    checkpoint: z.boolean().default(false),
    /** The remedy the seed ties to this step failing (step 4 of the reset → WPJCleanUp), offered right then. */
    whenNotHelped: z.object({ procedure: id }).strict().optional(),
  })
  .strict();

export const procedureSchema = z
  .object({
    id,
    title: nonEmpty,
    /** Short text for a button offering this procedure (long titles are cut off on narrow cards). */
    buttonLabel: z.string().trim().min(1).max(30).optional(),
    intro: nonEmpty,
    steps: z.array(id).min(1),
    /** Procedures offered, in order, when the user says this one did not help. A person is always offered last. */
    fallbacks: z.array(id).default([]),
    /** A question offered first when this did not help, e.g. "reset activation for your Office version". */
    continueWith: z.object({ question: id, label: buttonLabel }).strict().optional(),
    source: linkSchema,
  })
  .strict();

/**
 * Where an answer leads: a procedure to walk, a further question (in any flow file), or the licence check
 * that the activation diagnosis starts with (`{ "check": "licence" }`).
 */
export const nextSchema = z.union([
  z.object({ procedure: id }).strict(),
  z.object({ question: id }).strict(),
  z.object({ check: z.literal('licence') }).strict(),
]);

export const choiceSchema = z
  .object({
    id,
    label: buttonLabel,
    description: nonEmpty.optional(),
    /** Words that pick this choice when typed (matched after NFKC folding and lower-casing). */
    keywords: z.array(nonEmpty).default([]),
    next: nextSchema,
  })
  .strict();

export const questionSchema = z
  .object({
    id,
    prompt: nonEmpty,
    help: z.object({ title: nonEmpty, text: nonEmpty }).strict().optional(),
    /**
     * Said when the answer came from the user's own words rather than a button, with {choice} for the choice's
     * label. Written for this question; without it the bot uses the neutral diagnosis.answerInferred text.
     */
    ack: z.string().trim().min(1).includes('{choice}').optional(),
    choices: z.array(choiceSchema).min(2).max(6),
  })
  .strict();

export const scriptSchema = z
  .object({
    id,
    fileName: z.string().regex(/^[A-Za-z0-9._-]+$/),
    language: z.enum(['PowerShell', 'DOS', 'PlainText']),
    title: nonEmpty,
  })
  .strict();

export const flowContentSchema = z
  .object({
    language: z.enum(['ja', 'en']),
    /** The first question of the flow. */
    start: id,
    questions: z.array(questionSchema).min(1),
    procedures: z.array(procedureSchema).min(1),
    steps: z.array(stepSchema).min(1),
    scripts: z.array(scriptSchema).default([]),
    related: z.array(linkSchema).default([]),
  })
  .strict();

/** UI texts: a flat map of message keys. Placeholders are {name}. */
export const textsSchema = z.record(z.string().regex(/^[a-zA-Z0-9.-]+$/), nonEmpty);

export type Link = z.infer<typeof linkSchema>;
export type CodeSnippet = z.infer<typeof codeSchema>;
export type Step = z.infer<typeof stepSchema>;
export type Procedure = z.infer<typeof procedureSchema>;
export type Choice = z.infer<typeof choiceSchema>;
export type Question = z.infer<typeof questionSchema>;
export type ScriptInfo = z.infer<typeof scriptSchema>;
export type FlowContent = z.infer<typeof flowContentSchema>;
export type Texts = z.infer<typeof textsSchema>;
