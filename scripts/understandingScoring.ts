/**
 * How the bot reads a first message and a message typed at a waiting card, scored against a label: straight to
 * the right place, a question first, or a wrong place. Shared by `npm run eval:intents` (held-out splits, scored
 * once) and `scripts/tuneUnderstanding.ts` (cross-validation on the training lines).
 */
import type { ContentCatalog } from '../core/content/catalog';
import { flowOfIntent, readTypedText, namedProblem, type WaitingCard } from '../core/conversation/typedText';
import type { Understanding } from '../core/intent/intentModel';
import type { Decision, Intent } from '../core/intent/recognizer';
import { understand } from '../core/intent/understand';
import type { Language } from '../core/language';
import { reportsDone } from '../core/conversation/reportsDone';
import { closestByWords, isOneOf, matchKeywordsWithKeyword } from '../core/textMatching';

export type Outcome = 'right' | 'asked' | 'wrong';

export interface MidDialogLine {
  waiting: { kind: string; id?: string; procedure?: string; step?: string };
  text: string;
  lang: Language;
  expect: {
    kind: 'answer' | 'command' | 'switch' | 'unclear';
    choice?: string;
    command?: string;
    intent?: string;
  };
}

export function scorer(understanding: Understanding, catalog: ContentCatalog) {
  const { commands, recognizer, errorCodes, shortcuts } = understanding;

  function firstMessage(text: string, label: Intent): Outcome {
    if (commands.asksForPerson(text)) return label === 'human' ? 'right' : 'wrong';
    // "Help", "menu" or "start over" as a first message show the menu.
    if (commands.command(text)) return label === 'menu' ? 'right' : 'asked';
    const reading = understand(text, recognizer, errorCodes);
    const problem = namedProblem({
      text,
      shortcut: shortcuts.find(text),
      errorCodes: reading.details.errorCodes,
      decision: reading.decision,
      accountType: reading.details.accountType,
    });
    if (!problem) return notRouted(reading.decision, label);
    // The issue names the seed's own remedy as the destination of a code with one (1001 and error 400 in an
    // Office app are labelled `signin` by the labelling rules, and their remedy sits in the account flow).
    if (problem.via === 'errorCode' && problem.procedure && flowOfIntent(label)) return 'right';
    return flowOfIntent(label) === problem.flow ? 'right' : 'wrong';
  }

  function notRouted(decision: Decision, label: Intent): Outcome {
    if (decision.kind === 'route') {
      if (decision.intent === 'human') return label === 'human' ? 'right' : 'wrong';
      if (decision.intent === 'menu') return label === 'menu' ? 'right' : 'asked';
    }
    // The menu, or a two-button question: right for "nothing to go on", otherwise one more turn.
    return label === 'menu' ? 'right' : 'asked';
  }

  /** The typed choices each card accepts, as the dialogs build them (same words, from the same content). */
  /** How many of the choices are numbered buttons, as the dialogs set it. */
  function numberedOf(line: MidDialogLine): number {
    if (line.waiting.kind === 'question')
      return catalog.flow(line.lang).question(line.waiting.id!).choices.length;
    if (line.waiting.kind === 'next')
      return catalog.flow(line.lang).procedure(line.waiting.procedure!).fallbacks.length + 1;
    return line.waiting.kind === 'menu' ? 4 : 0;
  }

  function choicesOf(
    line: MidDialogLine,
  ): { label: string; keywords: string[]; id: string; leadsTo?: string }[] {
    const w = (list: Parameters<typeof commands.list>[0]) => commands.list(list);
    const text = (key: string) => catalog.text(line.lang, key);
    const flow = catalog.flow(line.lang);
    switch (line.waiting.kind) {
      case 'question':
        return [
          ...flow.question(line.waiting.id!).choices.map((c) => ({
            label: c.label,
            keywords: c.keywords,
            id: c.id,
            ...('procedure' in c.next ? { leadsTo: c.next.procedure } : {}),
          })),
          { label: text('action.back'), keywords: w('back'), id: 'back' },
        ];
      case 'step':
        return [
          { label: text('action.back'), keywords: w('back'), id: 'back' },
          { label: text('step.done'), keywords: w('done'), id: 'done' },
          { label: text('step.notHelped'), keywords: w('notHelped'), id: 'notHelped' },
          { label: text('step.checklist'), keywords: w('checklist'), id: 'checklist' },
        ];
      case 'checklist':
        return [
          {
            label: text('checklist.submit'),
            keywords: w('allDone'),
            id: 'submit',
          },
        ];
      case 'verify':
        return [
          { label: text('verify.yes'), keywords: w('yes'), id: 'yes' },
          { label: text('verify.no'), keywords: w('no'), id: 'no' },
        ];
      case 'next': {
        const procedure = flow.procedure(line.waiting.procedure!);
        return [
          ...procedure.fallbacks.map((id) => ({
            label: flow.procedure(id).title,
            keywords: [flow.procedure(id).buttonLabel ?? flow.procedure(id).title],
            id,
            leadsTo: id,
          })),
          { label: text('next.person'), keywords: w('person'), id: 'person' },
        ];
      }
      case 'activation':
        return [
          { label: text('activation.continue'), keywords: w('continueChecks'), id: 'continue' },
          { label: text('activation.person'), keywords: w('person'), id: 'person' },
          {
            label: text('activation.done'),
            keywords: w('thanks'),
            id: 'done',
          },
        ];
      case 'menu':
        return (['signin-repair', 'activation', 'account', 'person'] as const).map((id) => ({
          label: text(`menu.${id}`),
          keywords: [],
          id,
        }));
      case 'screenshot':
        return [
          {
            label: catalog.text(line.lang, 'escalation.screenshot.none'),
            keywords: w('noScreenshot'),
            id: 'none',
          },
        ];
      case 'confirm':
        return [
          {
            label: text('escalation.summary.send'),
            keywords: w('send'),
            id: 'send',
          },
          { label: text('escalation.summary.edit'), keywords: w('edit'), id: 'edit' },
        ];
      default:
        return [];
    }
  }

  function waitingCardOf(line: MidDialogLine): WaitingCard {
    const flow = catalog.flow(line.lang);
    const kind = line.waiting.kind === 'menu' ? 'flowChoice' : (line.waiting.kind as WaitingCard['kind']);
    const owner = line.waiting.id ?? line.waiting.procedure;
    return {
      kind,
      ...(owner && flow.flowOf(owner) ? { flow: flow.flowOf(owner) } : {}),
      ...(line.waiting.id ? { question: line.waiting.id } : {}),
      ...(line.waiting.procedure ? { procedure: line.waiting.procedure } : {}),
      ...(line.waiting.step ? { step: line.waiting.step } : {}),
    };
  }

  function midDialog(line: MidDialogLine): Outcome {
    const waiting = waitingCardOf(line);
    // The screenshot question takes its "none" words only as the whole message, as the escalation dialog does.
    const match =
      line.waiting.kind === 'screenshot'
        ? isOneOf(line.text, choicesOf(line)[0].keywords.concat(choicesOf(line)[0].label))
          ? { choice: choicesOf(line)[0], keyword: line.text }
          : undefined
        : (matchKeywordsWithKeyword(line.text, choicesOf(line), numberedOf(line)) ??
          (line.waiting.kind === 'next' ? closestByWords(line.text, choicesOf(line)) : undefined) ??
          (line.waiting.kind === 'step' && reportsDone(line.text)
            ? { choice: choicesOf(line).find((c) => c.id === 'done')!, keyword: line.text }
            : undefined));
    const reading = understand(line.text, recognizer, errorCodes);
    const decision = readTypedText({
      text: line.text,
      waiting,
      answerKeyword: match?.keyword,
      answerLeadsTo: match?.choice.leadsTo,
      answerIsLoose: !!match && 'loose' in match,
      acceptsAnyText: waiting.kind === 'escalationForm',
      command: commands.command(line.text),
      commandInWords: commands.commandInShortMessage(line.text),
      changesMind: commands.changesMind(line.text),
      namesProcedure: waiting.flow
        ? catalog.flow(line.lang).procedureNamedIn(waiting.flow, line.text)
        : undefined,
      shortcut: shortcuts.find(line.text),
      errorCodes: reading.details.errorCodes,
      decision: reading.decision,
      accountType: reading.details.accountType,
    });
    if (process.env.EXPLAIN)
      process.stdout.write(
        `  ${line.text} → ${JSON.stringify(decision)} answer=${match?.choice.id ?? '-'} reading=${JSON.stringify(reading.decision)}\n`,
      );
    const expect = line.expect;
    // At the menu, a named problem is the answer that picks its flow.
    if (waiting.kind === 'flowChoice' && decision.kind === 'newProblem')
      return expect.kind === 'answer' && expect.choice === decision.problem.flow ? 'right' : 'wrong';
    // Explaining a pasted error and asking the card again costs the user one more turn.
    if (decision.kind === 'explain') return expect.kind === 'unclear' ? 'right' : 'asked';
    switch (expect.kind) {
      case 'answer':
        // "A person" typed as a command does what the card's own person button does.
        if (decision.kind === 'command' && decision.command === expect.choice && expect.choice !== 'back')
          return 'right';
        if (decision.kind !== 'answer') return decision.kind === 'unclear' ? 'asked' : 'wrong';
        if (waiting.kind === 'escalationForm') return 'right';
        return match?.choice.id === expect.choice ? 'right' : 'wrong';
      case 'command': {
        if (decision.kind === 'command') return decision.command === expect.command ? 'right' : 'wrong';
        // "Back" and "a person" are also the card's own buttons where it has them.
        const own = decision.kind === 'answer' && match?.choice.id === expect.command;
        return own ? 'right' : decision.kind === 'unclear' ? 'asked' : 'wrong';
      }
      case 'switch':
        // As for first messages: a code with a seed remedy goes to that remedy, whatever flow it sits in.
        if (
          decision.kind === 'newProblem' &&
          decision.problem.via === 'errorCode' &&
          decision.problem.procedure
        )
          return 'right';
        if (decision.kind === 'newProblem')
          return decision.problem.flow === flowOfIntent(expect.intent as Intent) ? 'right' : 'wrong';
        if (decision.kind === 'correction' || decision.kind === 'restartFlow')
          return flowOfIntent(expect.intent as Intent) === waiting.flow ? 'right' : 'wrong';
        return decision.kind === 'clarify' || decision.kind === 'unclear' ? 'asked' : 'wrong';
      case 'unclear':
        return decision.kind === 'unclear' || decision.kind === 'clarify' ? 'right' : 'wrong';
    }
  }

  return { firstMessage, midDialog };
}
