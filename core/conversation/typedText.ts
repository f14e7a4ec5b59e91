import type { FlowName } from '../content/catalog';
import type { ErrorCodeEntry } from '../errorCodes/errorCodeLookup';
import type { Decision, Intent } from '../intent/recognizer';
import { foldText } from '../textMatching';
import type { GlobalCommand } from './commandWords';
import type { Shortcut } from './shortcuts';

/** What kind of card is waiting for the user, and where in the diagnosis it sits. Plain data, kept in state. */
export type WaitingKind =
  | 'question'
  | 'step'
  | 'checklist'
  | 'verify'
  | 'next'
  | 'activation'
  | 'flowChoice'
  | 'escalationForm'
  | 'screenshot'
  | 'confirm'
  | 'remedy';

export interface WaitingCard {
  kind: WaitingKind;
  /** The flow the card belongs to; none for the menu and the escalation. */
  flow?: FlowName;
  question?: string;
  procedure?: string;
  step?: string;
}

/** A problem named in a message: a flow, and where the seed has one, the exact remedy. */
export interface NamedProblem {
  flow: FlowName;
  procedure?: string;
  /** How it was recognised: a seed shortcut, an error code, or the recogniser. */
  via: 'shortcut' | 'errorCode' | 'recogniser';
}

export type TypedTextDecision =
  /**
   * The text answers the waiting card. `offer` names another problem worth a button (escalation form); `explain`
   * says it also pastes an error message of this problem, worth explaining first (「まだライセンスのない製品のまま」).
   */
  | { kind: 'answer'; offer?: NamedProblem; explain?: boolean }
  | { kind: 'command'; command: GlobalCommand }
  | { kind: 'newProblem'; problem: NamedProblem }
  /** A different answer to a question asked earlier ("actually it's Microsoft 365 Apps"): that question again. */
  | { kind: 'correction'; question: string }
  /**
   * An error message of the problem at hand, pasted while a step or question waits: explain it and ask the same
   * card again (「… 0xCAA70004 というコードが出てました」 at a reset step).
   */
  | { kind: 'explain' }
  /** The same flow from the start, read with these words: another problem of the same kind, said after
   * 「それより」 or "instead" while a procedure runs (a forgotten password after the temporary profile). */
  | { kind: 'restartFlow' }
  /** Another problem, but two readings are close: ask which, with buttons. */
  | { kind: 'clarify'; intents: [Intent, Intent] }
  /** None of the above: say what the card expects, and offer the menu. */
  | { kind: 'unclear' };

export interface TypedTextFacts {
  text: string;
  waiting: WaitingCard;
  /** The keyword of the waiting card that the text contains, when it answers the card. */
  answerKeyword?: string;
  /** The procedure that answer leads to, when the card knows it. */
  answerLeadsTo?: string;
  /** The answer was read from words that resemble a button, not from its keywords: never a clear answer. */
  answerIsLoose?: boolean;
  /** The card takes any typed text as its answer (the escalation form's error message). */
  acceptsAnyText?: boolean;
  command?: GlobalCommand;
  /** The words say the user changed their mind (「やっぱり」, "actually"), so a named problem beats an answer. */
  changesMind?: boolean;
  /** The procedure of the waiting card's flow that the words name (「ループします」 at a step of another fix). */
  namesProcedure?: string;
  /** A command said in a short message with more words (「ヘルプお願いします」); weaker than a named problem. */
  commandInWords?: GlobalCommand;
  shortcut?: Shortcut;
  errorCodes: readonly ErrorCodeEntry[];
  decision: Decision;
  accountType?: 'work' | 'personal';
  /** An earlier question of this diagnosis that the text answers differently than before. */
  corrects?: string;
}

const FLOW_OF_INTENT: Partial<Record<Intent, FlowName>> = {
  signin: 'signin-repair',
  activation: 'activation',
  account: 'account',
};

/** The flow an intent leads to; none for "a person" and "the menu". */
export const flowOfIntent = (intent: Intent): FlowName | undefined => FLOW_OF_INTENT[intent];

/** The problem a message names, strongest evidence first: a seed shortcut, an error code, then the recogniser. */
export function namedProblem(facts: Omit<TypedTextFacts, 'waiting'>): NamedProblem | undefined {
  if (facts.shortcut)
    return { flow: facts.shortcut.flow, procedure: facts.shortcut.procedure, via: 'shortcut' };
  const code = facts.errorCodes[0];
  if (code)
    return { flow: code.flow, ...(code.procedure ? { procedure: code.procedure } : {}), via: 'errorCode' };
  if (facts.decision.kind !== 'route') return undefined;
  const flow = FLOW_OF_INTENT[facts.decision.intent];
  if (!flow) return undefined;
  // A personal Microsoft account belongs to the account flow, whatever the app.
  if (facts.accountType === 'personal' && flow === 'signin-repair')
    return { flow: 'account', via: 'recogniser' };
  return { flow, via: 'recogniser' };
}

/** Another problem than the one the waiting card is about. */
function isElsewhere(problem: NamedProblem, waiting: WaitingCard): boolean {
  if (!waiting.flow) return true;
  if (problem.procedure) return problem.procedure !== waiting.procedure;
  return problem.flow !== waiting.flow;
}

/** An answer keyword this long names the choice itself, not just the app ("outlook.com", not "office"). */
const STRONG_ANSWER_LENGTH = 7;
/** Characters from which a message is a description rather than an answer. */
const LONG_DESCRIPTION = 30;

/** Question cards have specific keywords; the yes/no/done words of the other cards also occur in new problems. */
function answersClearly(facts: TypedTextFacts): boolean {
  if (!facts.answerKeyword || facts.answerIsLoose) return false;
  if (facts.waiting.kind === 'question') return true;
  const text = foldText(facts.text);
  const keyword = foldText(facts.answerKeyword);
  return text.length <= 6 || keyword.length / text.length >= 0.5;
}

/**
 * How to read typed text while a card waits: as an answer to the card, as a global command, or as a new problem,
 * in that order. A new problem wins over a loose answer ("ライセンス認証ができない" at "Is it fixed?" contains
 * "できない", but names another problem); a seed's exact remedy wins over everything but a clear answer.
 */
export function readTypedText(facts: TypedTextFacts): TypedTextDecision {
  const problem = namedProblem(facts);
  const elsewhere = problem && isElsewhere(problem, facts.waiting) ? problem : undefined;
  const command = facts.command ?? (elsewhere ? undefined : facts.commandInWords);
  if (facts.acceptsAnyText && !command)
    return elsewhere ? { kind: 'answer', offer: elsewhere } : { kind: 'answer' };
  if (answersClearly(facts)) {
    // The answer itself may lead to the same remedy (「[1001] が出ます」 at the Office question).
    const exactRemedy =
      elsewhere && elsewhere.via !== 'recogniser' && elsewhere.procedure !== facts.answerLeadsTo;
    // 「やっぱり…」 with a loose answer word ("Office") names a new problem; a specific answer ("outlook.com") stays.
    const weakAnswer = foldText(facts.answerKeyword ?? '').length < STRONG_ANSWER_LENGTH;
    const changedMind = facts.changesMind && weakAnswer;
    // A long description of another problem that happens to contain a short answer word ("code", "Office").
    const longElsewhere =
      weakAnswer && foldText(facts.text).length >= LONG_DESCRIPTION && facts.decision.kind === 'route';
    const switching = elsewhere && (exactRemedy || changedMind || longElsewhere);
    return switching ? { kind: 'newProblem', problem: elsewhere } : { kind: 'answer' };
  }
  if (facts.command) return { kind: 'command', command: facts.command };
  if (elsewhere) return { kind: 'newProblem', problem: elsewhere };
  const pastedCode = problem?.via === 'errorCode' && !problem.procedure;
  if (pastedCode) return facts.answerKeyword ? { kind: 'answer', explain: true } : { kind: 'explain' };
  // Not at the "what next?" card: there, a named fix is one of its own choices.
  const inProcedure = ['step', 'verify', 'checklist'].includes(facts.waiting.kind);
  const namesAnotherFix =
    facts.namesProcedure !== undefined && facts.namesProcedure !== facts.waiting.procedure;
  // The recogniser's best reading is this flow, even if not sure enough to route on its own.
  const leaning =
    facts.decision.kind === 'route'
      ? facts.decision.intent
      : facts.decision.kind === 'clarify'
        ? facts.decision.intents[0]
        : undefined;
  const leansHere = leaning !== undefined && FLOW_OF_INTENT[leaning] === facts.waiting.flow;
  if (
    inProcedure &&
    ((problem && facts.changesMind && !facts.answerKeyword) || (namesAnotherFix && (problem || leansHere)))
  )
    return { kind: 'restartFlow' };
  if (facts.corrects) return { kind: 'correction', question: facts.corrects };
  if (facts.answerKeyword) return { kind: 'answer' };
  if (command) return { kind: 'command', command };
  if (facts.decision.kind === 'clarify') {
    const flows = facts.decision.intents.map((i) => FLOW_OF_INTENT[i]);
    if (flows.every((f) => f && f !== facts.waiting.flow))
      return { kind: 'clarify', intents: facts.decision.intents };
  }
  return { kind: 'unclear' };
}
