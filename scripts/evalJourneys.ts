/**
 * `npm run eval:journeys`: plays the scripted users of test/fixtures/journeys/journeys.json against the real
 * bot (TestAdapter, sandbox Graph tenant) and reports how many turns each needed to reach its fix.
 * It is a report, not a test: whatever the bot does is recorded, and the exit code is 0 unless this script
 * itself breaks. `--markdown` prints Markdown (for docs/intent-eval.md); `--json` prints machine-readable results.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../bot/logger';
import { projectRoot } from '../bot/paths';
import type { Language } from '../core/language';
import { SANDBOX_USERS, SandboxFixture } from '../test/helpers/sandbox';
import {
  cardsOf,
  createTestBot,
  loadCatalog,
  stringsOf,
  submitDataOf,
  textsOf,
  TestConversation,
  type CardContent,
} from '../test/helpers/testBot';

// ---------- journeys ----------

interface Fix {
  procedure?: string;
  errorCode?: string;
  licenceCheck?: boolean;
}

interface Journey {
  id: string;
  language: Language;
  opening: string;
  answers: Record<string, string>;
  steps: Record<string, string>;
  fix: Fix;
  changeOfMind?: { afterTurns: number; says: string };
  /**
   * The problem starts at this step of a seed procedure the user was already following (the seed's supplement
   * for that step is the fix): turns count from the user's words at that step, and the procedure that led
   * there is not a wrong fix.
   */
  problemAtStep?: string;
  /** Procedures the seed sends the user through on the way to the fix (the basic fixes before the causes). */
  path?: string[];
}

/** Every user message counts; a journey that needs more than this is "not reached". */
const MAX_MESSAGES = 10;
const LOCALE: Record<Language, string> = { ja: 'ja-JP', en: 'en-US' };
const root = projectRoot();

function loadJourneys(): Journey[] {
  const raw: unknown = JSON.parse(
    readFileSync(join(root, 'test', 'fixtures', 'journeys', 'journeys.json'), 'utf8'),
  );
  if (!Array.isArray(raw)) throw new Error('journeys.json: expected an array');
  return raw.map((j: Journey) => ({ ...j, answers: j.answers ?? {}, steps: j.steps ?? {} }));
}

// ---------- what the content says (read at run time: the content is changing too) ----------

type FlowName = 'signin-repair' | 'activation' | 'account';

interface ErrorCodeInfo {
  id: string;
  flow: string;
  /** The procedure this code leads to, when it has one: its explanation is then part of that fix, not a wrong one. */
  procedure?: string;
  titles: string[];
}

/** Titles are matched in both languages: the bot may answer in the language of the text, not the locale. */
function loadErrorCodes(): ErrorCodeInfo[] {
  const raw = JSON.parse(readFileSync(join(root, 'content', 'errorCodes.json'), 'utf8')) as {
    entries?: {
      id: string;
      flow: string;
      procedure?: string;
      ja?: { title?: string };
      en?: { title?: string };
    }[];
  };
  return (raw.entries ?? []).map((e) => ({
    id: e.id,
    flow: e.flow,
    procedure: e.procedure,
    titles: [e.ja?.title, e.en?.title].filter((t): t is string => !!t),
  }));
}

function procedureIdsOf(language: Language, file: FlowName): Set<string> {
  const raw = JSON.parse(readFileSync(join(root, 'content', language, `${file}.json`), 'utf8')) as {
    procedures?: { id: string }[];
  };
  return new Set((raw.procedures ?? []).map((p) => p.id));
}

const errorCodes = loadErrorCodes();
const catalog = loadCatalog();

/** The menu option a user with this problem would pick. */
function flowOfFix(fix: Fix, language: Language): FlowName {
  if (fix.licenceCheck) return 'activation';
  if (fix.errorCode) {
    const flow = errorCodes.find((e) => e.id === fix.errorCode)?.flow;
    return flow === 'activation' || flow === 'account' ? flow : 'signin-repair';
  }
  if (fix.procedure && procedureIdsOf(language, 'account').has(fix.procedure)) return 'account';
  if (fix.procedure && procedureIdsOf(language, 'activation').has(fix.procedure)) return 'activation';
  return 'signin-repair';
}

/** A text in both languages; none if the key has gone (the content is being edited while this runs). */
function textInBoth(key: string): string[] {
  return catalog.hasText(key) ? (['ja', 'en'] as const).map((l) => catalog.text(l, key)) : [];
}

function isFirstStep(language: Language, procedure: string, step: string): boolean {
  const flow = catalog.flow(language);
  return flow.hasProcedure(procedure) && flow.procedure(procedure).steps[0] === step;
}

// ---------- recognising cards ----------

type Data = Record<string, string>;

type CardKind =
  | { kind: 'question'; question: string; buttons: Data[] }
  | { kind: 'menu' | 'did-you-mean'; buttons: Data[] }
  | { kind: 'step'; procedure: string; step: string; first: boolean; buttons: Data[] }
  | { kind: 'checklist'; procedure: string }
  | { kind: 'verify' | 'next' | 'activation.next'; buttons: Data[] }
  | { kind: 'escalation form' | 'licence verdict' | 'welcome' }
  | { kind: 'error code'; entry: string }
  | { kind: 'other'; label: string };

const withAction = (buttons: Data[], action: string) => buttons.filter((d) => d.action === action);

/** Recognises a card by its Action.Submit data first, then by the titles of the buttonless report cards. */
function classify(card: CardContent, language: Language): CardKind {
  const buttons = submitDataOf(card);
  const step = withAction(buttons, 'diagnosis.step')[0];
  if (step) {
    const first = isFirstStep(language, step.procedure, step.step);
    return { kind: 'step', procedure: step.procedure, step: step.step, first, buttons };
  }
  const checklist = withAction(buttons, 'diagnosis.checklist')[0];
  if (checklist) return { kind: 'checklist', procedure: checklist.procedure };
  const choose = withAction(buttons, 'diagnosis.choose');
  if (choose.length > 0) return { kind: 'question', question: choose[0].question, buttons: choose };
  for (const action of ['diagnosis.verify', 'diagnosis.next', 'activation.next'] as const) {
    const found = withAction(buttons, action);
    if (found.length > 0)
      return {
        kind: action === 'diagnosis.verify' ? 'verify' : action === 'diagnosis.next' ? 'next' : action,
        buttons: found,
      };
  }
  const start = withAction(buttons, 'diagnosis.start');
  if (start.some((d) => d.flow)) {
    const strings = stringsOf(card);
    const clarify = textInBoth('clarify.prompt').some((t) => strings.includes(t));
    return { kind: clarify ? 'did-you-mean' : 'menu', buttons: start.filter((d) => d.flow) };
  }
  if (start.length > 0) return { kind: 'welcome' };
  if (withAction(buttons, 'ticket.details').length > 0) return { kind: 'escalation form' };
  return classifyByText(card, buttons);
}

function classifyByText(card: CardContent, buttons: Data[]): CardKind {
  const strings = stringsOf(card);
  const entry = errorCodes.find((e) => e.titles.some((t) => strings.includes(t)));
  if (entry) return { kind: 'error code', entry: entry.id };
  if (textInBoth('licence.heading').some((t) => strings.includes(t))) return { kind: 'licence verdict' };
  // Unknown: name it by its first button's action, or its first words, so the report says where users got stuck.
  const label =
    buttons[0]?.action ?? strings.find((s) => s.trim() && s !== 'AdaptiveCard' && !s.startsWith('http'));
  return { kind: 'other', label: (label ?? 'empty card').slice(0, 40) };
}

function describe(card: CardKind): string {
  switch (card.kind) {
    case 'question':
      return `question ${card.question}`;
    case 'step':
      return `step ${card.procedure}/${card.step}`;
    case 'checklist':
      return `checklist ${card.procedure}`;
    case 'error code':
      return `error code ${card.entry}`;
    case 'other':
      return `unknown card (${card.label})`;
    default:
      return card.kind;
  }
}

/** What this card shows as a fix, if anything: a procedure's start, an error code's explanation, the verdict. */
function fixShown(card: CardKind): string | undefined {
  if ((card.kind === 'step' && card.first) || card.kind === 'checklist') return `procedure ${card.procedure}`;
  if (card.kind === 'error code') return `error code ${card.entry}`;
  if (card.kind === 'licence verdict') return 'licence check';
  return undefined;
}

/**
 * An error code's explanation that leads to the target procedure is the start of that fix, not a wrong one; so is
 * the licence verdict for an activation fix, since seed 001 checks the licence before anything on the PC.
 */
function explainsTarget(card: CardKind, fix: Fix, language: Language): boolean {
  if (card.kind === 'licence verdict') return flowOfFix(fix, language) === 'activation';
  if (card.kind !== 'error code' || !fix.procedure) return false;
  return errorCodes.find((e) => e.id === card.entry)?.procedure === fix.procedure;
}

function targetOf(fix: Fix): string {
  if (fix.licenceCheck) return 'licence check';
  if (fix.errorCode) return `error code ${fix.errorCode}`;
  return `procedure ${fix.procedure ?? '?'}`;
}

// ---------- the scripted user ----------

type Move = { say: string } | { click: Data } | { stuck: string };

/**
 * The user's next message, from the last card of the bot's reply: a question gets its scripted answer, a menu
 * the flow of the fix, a step "done" (or its scripted words), "is it fixed?" no, the next options the target
 * procedure or else the first one that is not a person, the activation verdict "continue". Anything else, or a
 * question the script has no answer for, leaves the user stuck there.
 */
function nextMove(card: CardKind | undefined, journey: Journey): Move {
  if (!card) return { stuck: 'no card' };
  switch (card.kind) {
    case 'question':
      return answerQuestion(card.question, card.buttons, journey);
    case 'menu':
    case 'did-you-mean':
      return pickFlow(card.buttons, flowOfFix(journey.fix, journey.language), describe(card));
    case 'step': {
      const typed = journey.steps[card.step];
      if (typed !== undefined) return { say: typed };
      return clickOr(
        card.buttons.find((d) => d.action === 'diagnosis.step' && d.outcome === 'done'),
        describe(card),
      );
    }
    case 'verify':
      return clickOr(
        card.buttons.find((d) => d.answer === 'no'),
        'verify',
      );
    case 'next': {
      const wanted = card.buttons.find((d) => d.choice === journey.fix.procedure);
      return clickOr(wanted ?? card.buttons.find((d) => d.choice !== 'person'), 'next (only a person left)');
    }
    case 'activation.next':
      return clickOr(
        card.buttons.find((d) => d.choice === 'continue'),
        'activation.next',
      );
    default:
      return { stuck: describe(card) };
  }
}

function clickOr(data: Data | undefined, stuckAt: string): Move {
  return data ? { click: data } : { stuck: stuckAt };
}

/** A scripted answer that is exactly a button's id is a click; anything else is typed, as a person would. */
function answerQuestion(question: string, buttons: Data[], journey: Journey): Move {
  const answer = journey.answers[question];
  if (answer === undefined) return { stuck: `question ${question} (no scripted answer)` };
  const button = buttons.find((d) => d.choice === answer);
  return button ? { click: button } : { say: answer };
}

/** A "did you mean" may not offer the right flow: then the user asks for the full menu, as a person would. */
function pickFlow(buttons: Data[], wanted: FlowName, stuckAt: string): Move {
  const button = buttons.find((d) => d.flow === wanted) ?? buttons.find((d) => d.flow === 'menu');
  return clickOr(button, `${stuckAt} (no ${wanted})`);
}

// ---------- playing one journey ----------

type Outcome =
  | { kind: 'fixed'; turns: number; totalTurns: number }
  | { kind: 'stuck'; at: string; afterMessages: number }
  | { kind: 'not reached' };

interface TranscriptLine {
  message: number;
  phaseTurn: number;
  sent: string;
  shown: string[];
}

interface JourneyResult {
  id: string;
  language: Language;
  changedMind: boolean;
  target: string;
  outcome: Outcome;
  wrongFixes: string[];
  /** What the bot logged as failed turns (the user saw "something went wrong"). */
  botErrors: string[];
  /** Set when the user was stuck before their change of mind and so changed it early. */
  switchedEarlyAfter?: number;
  transcript: TranscriptLine[];
}

type Replies = Awaited<ReturnType<TestConversation['say']>>;

/** A bot that throws is reported as a reply without cards (the user is stuck), not as a crash of this script. */
async function send(
  conversation: TestConversation,
  move: { say: string } | { click: Data },
): Promise<Replies> {
  try {
    return 'say' in move ? await conversation.say(move.say) : await conversation.click(move.click);
  } catch (error) {
    return [
      { type: 'message', text: `bot error: ${error instanceof Error ? error.message : String(error)}` },
    ];
  }
}

function sentLabel(move: { say: string } | { click: Data }): string {
  if ('say' in move) return `say "${move.say}"`;
  const d = move.click;
  return `click ${d.action} ${d.choice || d.outcome || d.answer || d.flow || ''}`.trim();
}

class Player {
  private readonly result: JourneyResult;
  private sent = 0;
  private phaseTurn = 0;
  private switched: boolean;
  /** Procedures the user picked after "didn't work": reaching them is the user's choice, not a wrong fix. */
  private readonly chosenFallbacks = new Set<string>();
  /** The card the user is answering. */
  private lastCard: CardKind | undefined;

  constructor(
    private readonly journey: Journey,
    private readonly conversation: TestConversation,
    /** Filled by the bot's logger: errors it logged during the journey. */
    private readonly loggedErrors: string[],
  ) {
    this.switched = !journey.changeOfMind && !journey.problemAtStep;
    this.result = {
      id: journey.id,
      language: journey.language,
      changedMind: !!journey.changeOfMind,
      target: targetOf(journey.fix),
      outcome: { kind: 'not reached' },
      wrongFixes: [],
      botErrors: [],
      transcript: [],
    };
  }

  async play(): Promise<JourneyResult> {
    let move: Move = { say: this.journey.opening };
    let previous = '';
    while (this.sent < MAX_MESSAGES) {
      move = this.changeOfMind(move);
      if (
        !this.switched &&
        this.lastCard?.kind === 'step' &&
        this.lastCard.step === this.journey.problemAtStep
      ) {
        this.switched = true;
        this.phaseTurn = 0;
      }
      // The same card answered with the same message twice running: the bot did not take it, and the script
      // has nothing else to say, so the user is stuck (rather than repeating itself until the message cap).
      const last = this.lastCard;
      const key = `${last ? describe(last) : ''}|${JSON.stringify(move)}`;
      if (key === previous && last && !('stuck' in move))
        move = { stuck: `${describe(last)} (answer not understood)` };
      previous = key;
      if ('stuck' in move) {
        this.result.outcome = { kind: 'stuck', at: move.stuck, afterMessages: this.sent };
        break;
      }
      const { cards, failed } = await this.turn(move);
      if (this.result.outcome.kind === 'fixed') break;
      this.lastCard = cards.at(-1);
      // A failed turn ends with "something went wrong": whatever card came before it, the user is stuck.
      move = failed ? { stuck: 'bot error' } : nextMove(this.lastCard, this.journey);
    }
    return this.result;
  }

  /**
   * After `afterTurns` messages the user says their new problem instead. A user stuck earlier than that would
   * not sit there: they change their mind at once (recorded as switchedEarlyAfter).
   */
  private changeOfMind(move: Move): Move {
    const change = this.journey.changeOfMind;
    if (!change || this.switched) return move;
    const due = this.sent >= change.afterTurns;
    if (!due && !('stuck' in move)) return move;
    if (!due) this.result.switchedEarlyAfter = this.sent;
    this.switched = true;
    this.phaseTurn = 0;
    return { say: change.says };
  }

  private async turn(
    move: { say: string } | { click: Data },
  ): Promise<{ cards: CardKind[]; failed: boolean }> {
    if ('click' in move && move.click.action === 'diagnosis.next')
      this.chosenFallbacks.add(move.click.choice);
    const errorsBefore = this.loggedErrors.length;
    const replies = await send(this.conversation, move);
    const errors = this.loggedErrors.slice(errorsBefore);
    this.result.botErrors.push(...errors.map((e) => `message ${this.sent + 1}: ${e}`));
    this.sent++;
    this.phaseTurn++;
    const cards = cardsOf(replies).map((c) => classify(c, this.journey.language));
    this.result.transcript.push({
      message: this.sent,
      phaseTurn: this.phaseTurn,
      sent: sentLabel(move),
      shown: [
        ...textsOf(replies).map((t) => `text "${t.slice(0, 60)}"`),
        ...cards.map(describe),
        ...errors.map((e) => `bot error: ${e}`),
      ],
    });
    // Before the change of mind the user is on another problem: nothing shown then is judged.
    if (this.switched) this.judge(cards);
    const failed = errors.length > 0 || replies.some((r) => r.text?.startsWith('bot error:'));
    return { cards, failed };
  }

  private judge(cards: CardKind[]): void {
    const target = this.result.target;
    for (const card of cards) {
      const shown = fixShown(card);
      if (!shown) continue;
      if (shown === target) {
        const before =
          this.journey.changeOfMind || this.journey.problemAtStep ? this.sent - this.phaseTurn : 0;
        this.result.outcome = { kind: 'fixed', turns: this.phaseTurn, totalTurns: before + this.phaseTurn };
      } else if (
        !explainsTarget(card, this.journey.fix, this.journey.language) &&
        !(card.kind === 'step' && this.chosenFallbacks.has(card.procedure)) &&
        !(card.kind === 'step' && this.journey.path?.includes(card.procedure))
      ) {
        // Still counted, but marked: the bot asked its previous card again instead of offering a new fix.
        const again = this.lastCard && describe(this.lastCard) === describe(card) ? ', re-shown' : '';
        const wrong = `${shown} (turn ${this.phaseTurn}${again})`;
        if (!this.result.wrongFixes.some((w) => w.startsWith(`${shown} (`)))
          this.result.wrongFixes.push(wrong);
      }
    }
  }
}

/** Keeps the bot's error lines (with the error's message) so the report can say why a turn failed. */
function collectingLogger(errors: string[]): Logger {
  const ignore = () => undefined;
  return {
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (message, fields = {}) => {
      const error = fields.error;
      errors.push(error instanceof Error ? `${message}: ${error.message}` : message);
    },
  };
}

async function playAll(journeys: Journey[]): Promise<JourneyResult[]> {
  const fixture = await new SandboxFixture().start();
  try {
    const results: JourneyResult[] = [];
    for (const journey of journeys) {
      // A fresh bot (and storage) per journey: every scripted user starts a new conversation.
      const loggedErrors: string[] = [];
      const { adapter } = createTestBot({
        directory: fixture.directory,
        logger: collectingLogger(loggedErrors),
      });
      const conversation = new TestConversation(adapter, {
        locale: LOCALE[journey.language],
        conversationId: `journey-${journey.id}`,
        // 佐藤 花子 in the sandbox tenant: a healthy E3 licence, so the licence check gives a clean verdict.
        user: { id: '29:journey-user', name: '佐藤 花子', aadObjectId: SANDBOX_USERS.e3 },
      });
      results.push(await new Player(journey, conversation, loggedErrors).play());
    }
    return results;
  } finally {
    await fixture.stop();
  }
}

// ---------- reporting ----------

interface SummaryRow {
  group: string;
  journeys: number;
  reached: number;
  medianTurns: number | null;
  within3: number;
  within2: number;
  wrongFixes: number;
  stuck: number;
}

/** Post-switch turns for changed-mind journeys: the new problem is what is measured. */
const turnsOf = (r: JourneyResult): number | undefined =>
  r.outcome.kind === 'fixed' ? r.outcome.turns : undefined;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarize(group: string, results: JourneyResult[]): SummaryRow {
  const turns = results.map(turnsOf).filter((t): t is number => t !== undefined);
  return {
    group,
    journeys: results.length,
    reached: turns.length,
    medianTurns: median(turns),
    within3: turns.filter((t) => t <= 3).length,
    within2: turns.filter((t) => t <= 2).length,
    wrongFixes: results.reduce((n, r) => n + r.wrongFixes.length, 0),
    stuck: results.filter((r) => r.outcome.kind === 'stuck').length,
  };
}

const GROUPS: [string, (r: JourneyResult) => boolean][] = [
  ['all', () => true],
  ['ja', (r) => r.language === 'ja'],
  ['en', (r) => r.language === 'en'],
  ['changed-mind', (r) => r.changedMind],
];

function summaries(results: JourneyResult[]): SummaryRow[] {
  return GROUPS.map(([group, keep]) => summarize(group, results.filter(keep)));
}

const pct = (n: number, of: number): string => (of === 0 ? 'n/a' : `${Math.round((100 * n) / of)}%`);

const turnsText = (n: number): string => `${n} ${n === 1 ? 'turn' : 'turns'}`;

function outcomeText(r: JourneyResult): string {
  const o = r.outcome;
  const early = r.switchedEarlyAfter !== undefined ? `, switched early after ${r.switchedEarlyAfter}` : '';
  if (o.kind === 'fixed')
    return r.changedMind
      ? `${turnsText(o.turns)} after switch (${o.totalTurns} total${early})`
      : turnsText(o.turns);
  if (o.kind === 'stuck') return `stuck at ${o.at}${early}`;
  return `not reached${early}`;
}

const SUMMARY_HEADER = [
  'group',
  'journeys',
  'reached',
  'median turns',
  '≤3 turns',
  '≤2 turns',
  'wrong fixes',
  'stuck',
];

function summaryCells(s: SummaryRow): string[] {
  return [
    s.group,
    String(s.journeys),
    String(s.reached),
    s.medianTurns === null ? 'n/a' : String(s.medianTurns),
    pct(s.within3, s.journeys),
    pct(s.within2, s.journeys),
    String(s.wrongFixes),
    String(s.stuck),
  ];
}

function printPlain(results: JourneyResult[]): void {
  const idWidth = Math.max(...results.map((r) => r.id.length));
  for (const r of results) {
    const wrong = r.wrongFixes.length > 0 ? r.wrongFixes.join('; ') : '-';
    console.log(`${r.id.padEnd(idWidth)}  ${r.language}  ${outcomeText(r).padEnd(44)}  wrong: ${wrong}`);
  }
  console.log('');
  const rows = [SUMMARY_HEADER, ...summaries(results).map(summaryCells)];
  const widths = SUMMARY_HEADER.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
  console.log(
    '\nTurns are user messages until the fix appears; % are of all journeys in the group; median is over reached ones.',
  );
}

const mdRow = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;

function printMarkdown(results: JourneyResult[]): void {
  const lines = [
    '## Scripted user journeys',
    '',
    `Date: ${new Date().toISOString().slice(0, 10)}. ${results.length} journeys from test/fixtures/journeys/journeys.json, played against the bot on the TestAdapter (\`npm run eval:journeys\`). Turns are user messages until the fix appears (after the change of mind, for changed-mind journeys); percentages are of all journeys in the group; the median is over journeys that reached their fix.`,
    '',
    mdRow(SUMMARY_HEADER),
    mdRow(SUMMARY_HEADER.map(() => '---')),
    ...summaries(results).map((s) => mdRow(summaryCells(s))),
    '',
    mdRow(['journey', 'lang', 'target', 'turns to fix', 'wrong fixes']),
    mdRow(['---', '---', '---', '---', '---']),
    ...results.map((r) =>
      mdRow([
        r.id,
        r.language,
        r.target,
        outcomeText(r),
        r.wrongFixes.length ? r.wrongFixes.join('; ') : '-',
      ]),
    ),
  ];
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const results = await playAll(loadJourneys());
  if (args.has('--json'))
    console.log(JSON.stringify({ summary: summaries(results), journeys: results }, null, 2));
  else if (args.has('--markdown')) printMarkdown(results);
  else printPlain(results);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
