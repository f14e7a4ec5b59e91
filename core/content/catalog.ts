import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { LANGUAGES, type Language } from '../language';
import { isSpecificKeyword, matchKeywordsWithKeyword } from '../textMatching';
import {
  flowContentSchema,
  textsSchema,
  type FlowContent,
  type Procedure,
  type Question,
  type ScriptInfo,
  type Step,
  type Texts,
} from './schema';

/** Knowledge files per language, merged into one Flow; each keeps its own first question. */
export const FLOW_FILES = ['signin-repair', 'activation', 'account'] as const;
export type FlowName = (typeof FLOW_FILES)[number];
/** UI text files per language, merged into one key space. */
export const TEXT_FILES = ['texts', 'licensing', 'admin', 'tickets', 'pc-check'] as const;

export class ContentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Content is invalid:\n- ${problems.join('\n- ')}`);
    this.name = 'ContentError';
  }
}

/** One language's view of the sign-in repair knowledge, indexed by id. */
export class Flow {
  private readonly questions: Map<string, Question>;
  private readonly procedures: Map<string, Procedure>;
  private readonly steps: Map<string, Step>;
  private readonly scripts: Map<string, ScriptInfo>;

  constructor(
    readonly content: FlowContent,
    private readonly starts: Partial<Record<FlowName, string>> = {},
    /** Which flow file each question and procedure comes from. */
    private readonly owners: Map<string, FlowName> = new Map(),
  ) {
    this.questions = new Map(content.questions.map((q) => [q.id, q]));
    this.procedures = new Map(content.procedures.map((p) => [p.id, p]));
    this.steps = new Map(content.steps.map((s) => [s.id, s]));
    this.scripts = new Map(content.scripts.map((s) => [s.id, s]));
  }

  /** The first question of the sign-in repair flow. */
  get startQuestion(): Question {
    return this.question(this.content.start);
  }
  /** The first question of a flow. */
  startOf(flow: FlowName): Question {
    const id = this.starts[flow];
    if (!id) throw new Error(`No flow '${flow}'`);
    return this.question(id);
  }
  /** The flow a question or procedure belongs to (the file it is written in). */
  flowOf(questionOrProcedureId: string): FlowName | undefined {
    return this.owners.get(questionOrProcedureId);
  }
  /**
   * The procedure of a flow that words name through a specific answer to one of its questions (「ループ」 →
   * the sign-in loop fix), when exactly one does.
   */
  procedureNamedIn(flow: FlowName, text: string): string | undefined {
    const named = new Set<string>();
    for (const question of this.content.questions) {
      if (this.owners.get(question.id) !== flow) continue;
      const match = matchKeywordsWithKeyword(text, question.choices);
      if (match && isSpecificKeyword(match.keyword) && 'procedure' in match.choice.next)
        named.add(match.choice.next.procedure);
    }
    return named.size === 1 ? [...named][0] : undefined;
  }
  hasQuestion(id: string): boolean {
    return this.questions.has(id);
  }
  hasProcedure(id: string): boolean {
    return this.procedures.has(id);
  }
  question(id: string): Question {
    return mustGet(this.questions, id, 'question');
  }
  procedure(id: string): Procedure {
    return mustGet(this.procedures, id, 'procedure');
  }
  step(id: string): Step {
    return mustGet(this.steps, id, 'step');
  }
  script(id: string): ScriptInfo {
    return mustGet(this.scripts, id, 'script');
  }
  /** Scripts keyed by their download file name. */
  scriptByFileName(fileName: string): ScriptInfo | undefined {
    return this.content.scripts.find((s) => s.fileName === fileName);
  }
}

function mustGet<T>(map: Map<string, T>, id: string, kind: string): T {
  const value = map.get(id);
  if (value === undefined) throw new Error(`Unknown ${kind} '${id}'`);
  return value;
}

/**
 * All content, validated once at start-up: schema, cross-references, script files, and parity between
 * languages (the same ids and keys in every language, so no user meets a half-translated flow).
 */
export class ContentCatalog {
  private constructor(
    private readonly flows: Record<Language, Flow>,
    private readonly texts: Record<Language, Texts>,
    private readonly scriptTexts: Map<string, string>,
  ) {}

  static load(contentDir: string): ContentCatalog {
    const problems: string[] = [];
    const flows = {} as Record<Language, Flow>;
    const texts = {} as Record<Language, Texts>;
    const present = (file: string) =>
      LANGUAGES.some((language) => existsSync(join(contentDir, language, file)));
    // A file may be absent in every language (a flow not written yet), but not in just one.
    const flowFiles = FLOW_FILES.filter((name) => present(`${name}.json`));
    const textFiles = TEXT_FILES.filter((name) => present(`${name}.json`));
    for (const language of LANGUAGES) {
      const parts: { name: string; content: FlowContent }[] = [];
      for (const name of flowFiles) {
        const data = parseFile(join(contentDir, language, `${name}.json`), flowContentSchema, problems);
        if (!data) continue;
        if (data.language !== language)
          problems.push(`${language}/${name}.json says language '${data.language}'`);
        parts.push({ name, content: data });
      }
      const merged = mergeFlows(parts);
      if (merged && parts.length === flowFiles.length) {
        problems.push(...crossReferenceProblems(merged.content).map((p) => `${language}: ${p}`));
        for (const [name, start] of Object.entries(merged.starts))
          if (!merged.content.questions.some((q) => q.id === start))
            problems.push(`${language}/${name}.json: start question '${start}' does not exist`);
        flows[language] = new Flow(merged.content, merged.starts, merged.owners);
      }
      const languageTexts: Texts = {};
      for (const name of textFiles) {
        const data = parseFile(join(contentDir, language, `${name}.json`), textsSchema, problems);
        for (const [key, value] of Object.entries(data ?? {})) {
          if (key in languageTexts) problems.push(`${language}/${name}.json repeats text '${key}'`);
          languageTexts[key] = value;
        }
      }
      texts[language] = languageTexts;
    }
    const scriptTexts = new Map<string, string>();
    const reference = flows[LANGUAGES[0]];
    if (reference) {
      for (const script of reference.content.scripts) {
        const path = join(contentDir, 'scripts', script.fileName);
        if (!existsSync(path)) problems.push(`script file scripts/${script.fileName} is missing`);
        else
          scriptTexts.set(
            script.id,
            readFileSync(path, 'utf8')
              .replace(/^\uFEFF/, '')
              .replace(/\r\n/g, '\n'),
          );
      }
    }
    if (problems.length === 0) problems.push(...parityProblems(flows, texts));
    if (problems.length > 0) throw new ContentError(problems);
    return new ContentCatalog(flows, texts, scriptTexts);
  }

  flow(language: Language): Flow {
    return this.flows[language];
  }

  /** A UI text with {placeholders} filled in. Unknown keys are a programming error, caught by tests. */
  text(language: Language, key: string, params: Record<string, string | number> = {}): string {
    const template = this.texts[language][key];
    if (template === undefined) throw new Error(`Unknown text key '${key}'`);
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
  }

  hasText(key: string): boolean {
    return LANGUAGES.every((language) => key in this.texts[language]);
  }

  /** The script's text with LF line endings, exactly as in the source article. */
  scriptText(scriptId: string): string {
    const text = this.scriptTexts.get(scriptId);
    if (text === undefined) throw new Error(`Unknown script '${scriptId}'`);
    return text;
  }
}

function parseFile<T>(
  path: string,
  schema: {
    safeParse(
      data: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  problems: string[],
): T | undefined {
  if (!existsSync(path)) {
    problems.push(`${path} is missing`);
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    problems.push(`${path} is not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues)
      problems.push(`${path} at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return undefined;
  }
  return result.data;
}

function mergeFlows(
  parts: { name: string; content: FlowContent }[],
):
  | { content: FlowContent; starts: Partial<Record<FlowName, string>>; owners: Map<string, FlowName> }
  | undefined {
  if (parts.length === 0) return undefined;
  const owners = new Map<string, FlowName>();
  for (const part of parts)
    for (const item of [...part.content.questions, ...part.content.procedures])
      owners.set(item.id, part.name as FlowName);
  const [first] = parts;
  return {
    content: {
      ...first.content,
      questions: parts.flatMap((p) => p.content.questions),
      procedures: parts.flatMap((p) => p.content.procedures),
      steps: parts.flatMap((p) => p.content.steps),
      scripts: parts.flatMap((p) => p.content.scripts),
      related: parts.flatMap((p) => p.content.related),
    },
    starts: Object.fromEntries(parts.map((p) => [p.name, p.content.start])),
    owners,
  };
}

function duplicates(ids: string[]): string[] {
  return ids.filter((id, index) => ids.indexOf(id) !== index);
}

function crossReferenceProblems(flow: FlowContent): string[] {
  const problems: string[] = [];
  const questionIds = new Set(flow.questions.map((q) => q.id));
  const procedureIds = new Set(flow.procedures.map((p) => p.id));
  const stepIds = new Set(flow.steps.map((s) => s.id));
  const scriptIds = new Set(flow.scripts.map((s) => s.id));
  for (const [kind, ids] of [
    ['question', flow.questions.map((q) => q.id)],
    ['procedure', flow.procedures.map((p) => p.id)],
    ['step', flow.steps.map((s) => s.id)],
    ['script', flow.scripts.map((s) => s.id)],
  ] as const) {
    for (const dup of duplicates([...ids])) problems.push(`${kind} id '${dup}' is defined twice`);
  }
  if (!questionIds.has(flow.start)) problems.push(`start question '${flow.start}' does not exist`);
  for (const question of flow.questions) {
    for (const dup of duplicates(question.choices.map((c) => c.id)))
      problems.push(`question '${question.id}' has choice '${dup}' twice`);
    for (const choice of question.choices) {
      if ('procedure' in choice.next && !procedureIds.has(choice.next.procedure))
        problems.push(
          `choice '${question.id}/${choice.id}' leads to unknown procedure '${choice.next.procedure}'`,
        );
      if ('question' in choice.next && !questionIds.has(choice.next.question))
        problems.push(
          `choice '${question.id}/${choice.id}' leads to unknown question '${choice.next.question}'`,
        );
    }
  }
  for (const procedure of flow.procedures) {
    for (const stepId of procedure.steps)
      if (!stepIds.has(stepId)) problems.push(`procedure '${procedure.id}' uses unknown step '${stepId}'`);
    if (procedure.continueWith && !questionIds.has(procedure.continueWith.question))
      problems.push(
        `procedure '${procedure.id}' continues with unknown question '${procedure.continueWith.question}'`,
      );
    for (const fallback of procedure.fallbacks)
      if (!procedureIds.has(fallback))
        problems.push(`procedure '${procedure.id}' falls back to unknown procedure '${fallback}'`);
  }
  for (const step of flow.steps) {
    if (step.whenNotHelped && !procedureIds.has(step.whenNotHelped.procedure))
      problems.push(`step '${step.id}' offers unknown procedure '${step.whenNotHelped.procedure}'`);
    for (const code of step.code)
      if ('script' in code && !scriptIds.has(code.script))
        problems.push(`step '${step.id}' shows unknown script '${code.script}'`);
  }
  const used = new Set(flow.procedures.flatMap((p) => p.steps));
  for (const step of flow.steps)
    if (!used.has(step.id)) problems.push(`step '${step.id}' is used by no procedure`);
  return problems;
}

/** The structure every language must share: ids, choices, step lists, code and warning counts, text keys. */
function structureOf(flow: FlowContent): unknown {
  return {
    start: flow.start,
    questions: flow.questions.map((q) => ({
      id: q.id,
      help: !!q.help,
      choices: q.choices.map((c) => ({ id: c.id, next: c.next })),
    })),
    procedures: flow.procedures.map((p) => ({
      id: p.id,
      steps: p.steps,
      fallbacks: p.fallbacks,
      source: p.source.url,
    })),
    steps: flow.steps.map((s) => ({
      id: s.id,
      warnings: s.warnings.length,
      notes: s.notes.length,
      code: s.code.map((c) => ('script' in c ? c.script : c.language)),
      links: s.links.map((l) => l.url),
      checkpoint: s.checkpoint,
    })),
    scripts: flow.scripts.map((s) => ({ id: s.id, fileName: s.fileName, language: s.language })),
    related: flow.related.map((l) => l.url),
  };
}

function idsOf(flow: FlowContent): Record<string, string[]> {
  return {
    question: flow.questions.map((q) => q.id),
    choice: flow.questions.flatMap((q) => q.choices.map((c) => `${q.id}/${c.id}`)),
    procedure: flow.procedures.map((p) => p.id),
    step: flow.steps.map((s) => s.id),
    script: flow.scripts.map((s) => s.id),
  };
}

function parityProblems(flows: Record<Language, Flow>, texts: Record<Language, Texts>): string[] {
  const problems: string[] = [];
  const [reference, ...others] = LANGUAGES;
  const referenceStructure = JSON.stringify(structureOf(flows[reference].content));
  const referenceKeys = Object.keys(texts[reference]).sort();
  const referenceIds = idsOf(flows[reference].content);
  for (const language of others) {
    const ids = idsOf(flows[language].content);
    for (const [kind, expected] of Object.entries(referenceIds)) {
      for (const id of expected)
        if (!ids[kind].includes(id))
          problems.push(`${kind} '${id}' is in ${reference} but missing in ${language}`);
      for (const id of ids[kind])
        if (!expected.includes(id))
          problems.push(`${kind} '${id}' is in ${language} but missing in ${reference}`);
    }
    if (problems.length === 0 && JSON.stringify(structureOf(flows[language].content)) !== referenceStructure)
      problems.push(
        `${language}/signin-repair.json does not have the same structure as ${reference}/signin-repair.json`,
      );
    const keys = Object.keys(texts[language]).sort();
    for (const key of referenceKeys)
      if (!keys.includes(key)) problems.push(`text '${key}' is missing in ${language}`);
    for (const key of keys)
      if (!referenceKeys.includes(key)) problems.push(`text '${key}' is missing in ${reference}`);
  }
  return problems;
}
