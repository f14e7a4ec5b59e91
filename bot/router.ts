import { ticketLabel } from '../core/tickets/ticket';
import { MessageFactory, TurnContext, type StatePropertyAccessor } from 'botbuilder';
import {
  DialogSet,
  DialogTurnStatus,
  type DialogContext,
  type DialogInstance,
  type DialogState,
} from '../dialogs/dialogsLibrary';
import {
  parseCardAction,
  parseTicketExecute,
  type ParsedCardAction,
  type TicketExecute,
} from '../core/cardActions';
import { readTypedText, type NamedProblem, type TypedTextDecision } from '../core/conversation/typedText';
import type { GlobalCommand } from '../core/conversation/commandWords';
import type { Understanding } from '../core/intent/intentModel';
import type { ErrorCodeEntry } from '../core/errorCodes/errorCodeLookup';
import { understand } from '../core/intent/understand';
import { matchKeywords } from '../core/textMatching';
import type { Language } from '../core/language';
import { latestTrail, runningFlow, stackIncludes, updateTrailIn } from '../dialogs/dialogStack';
import { parsePcCheck, type PcCheckReading } from '../core/pcCheck/pcCheck';
import { pcFindings } from '../core/pcCheck/pcFindings';
import { withPcCheck } from '../core/diagnosis';
import { DialogIds } from '../dialogs/dialogIds';
import { attachmentLinks } from '../dialogs/escalationPrompt';
import type { MainDialog, MainDialogOptions } from '../dialogs/mainDialog';
import { languageOf } from '../dialogs/turnLanguage';
import { waitingPromptOf, type WaitingPrompt } from '../dialogs/waitingCard';
import type { DiagnosisViews } from '../views/diagnosisViews';
import { parseAdminRequest, type AdminCommands, type AdminRequest } from './handlers/adminCommands';
import type { RequesterTickets } from './handlers/requesterTickets';
import type { SupportChannelTurns } from './handlers/supportChannelTurns';
import type { TicketCardActions } from './handlers/ticketCardActions';
import type { Logger } from './logger';
import { isSharedConversation } from '../dialogs/turnHelpers';

/** Everything a message turn is decided on, worked out once before anything acts. */
export interface TurnFacts {
  language: Language;
  conversation: 'personal' | 'groupChat' | 'channel';
  /** A personal chat, or the bot was @mentioned (the mention is already stripped from the text). */
  addressed: boolean;
  cardAction: ParsedCardAction;
  /** The Action.Submit fallback of a ticket card's Universal Action. */
  ticketSubmit?: TicketExecute;
  text: string;
  /** Files or pasted pictures sent with the message. */
  hasFiles: boolean;
  /** The dialog stack of this person in this conversation. */
  stack: DialogInstance[];
  /** The card a dialog waits on, if any. */
  waiting?: WaitingPrompt;
  escalating: boolean;
  /** A global command in the typed words. */
  command?: GlobalCommand;
  /** A licence question (`license …`, `licenses`, `audit`, or an admin card's button). */
  adminRequest?: AdminRequest;
  /** A pasted "Check my PC" result (absent for any other text). */
  pcCheck?: Exclude<PcCheckReading, { kind: 'notACheck' }>;
}

/** A diagnosis set aside when the user named another problem; the resume button brings it back. */
interface SuspendedDiagnosis {
  stack: DialogInstance[];
}

/** The ticket handlers, one per kind of user: the requester, agents typing in the channel, the card's buttons. */
export interface TicketHandlers {
  requester: RequesterTickets;
  supportChannel: SupportChannelTurns;
  cardActions: TicketCardActions;
}

export interface TurnRouterDeps {
  dialogState: StatePropertyAccessor<DialogState>;
  suspended: StatePropertyAccessor<SuspendedDiagnosis | undefined>;
  mainDialog: MainDialog;
  adminCommands: AdminCommands;
  tickets: TicketHandlers;
  views: DiagnosisViews;
  understanding: Understanding;
  logger: Logger;
  /** Told which route handled each turn, and the flow it started or continued (telemetry's turns by flow). */
  onRouted?: (route: string, flow: string) => void;
}

type Outcome = 'handled' | 'next';

interface Route {
  /** Read in order; the first route whose `when` holds and that handles the turn ends it. */
  name: string;
  when(facts: TurnFacts): boolean;
  run(context: TurnContext, facts: TurnFacts): Promise<Outcome>;
}

/**
 * Where a message goes. The facts of the turn are worked out once (language, conversation, card action, the
 * waiting card, the relay…), then one ordered table decides: read it top to bottom to know what wins.
 */
export class TurnRouter {
  private readonly dialogs: DialogSet;
  private readonly routes: Route[];

  constructor(private readonly deps: TurnRouterDeps) {
    this.dialogs = new DialogSet(deps.dialogState).add(deps.mainDialog);
    const inDialog = (f: TurnFacts) => f.stack.length > 0;
    const typed = (f: TurnFacts) => f.cardAction.kind === 'none';
    this.routes = [
      // People in group chats and channels talk to each other: only a mention is for the bot.
      { name: 'not addressed', when: (f) => !f.addressed, run: async () => 'handled' },
      {
        name: 'ticket card button (Action.Submit fallback)',
        when: (f) => !!f.ticketSubmit,
        run: (c, f) => this.deps.tickets.cardActions.submitFallback(c, f.ticketSubmit!).then(() => 'handled'),
      },
      {
        name: 'support channel: queue, registration, thread replies',
        when: (f) => f.conversation === 'channel' && typed(f),
        run: (c) => this.deps.tickets.supportChannel.inChannel(c).then(asOutcome),
      },
      {
        name: "requester's ticket buttons and words (my tickets, withdraw, add info, feedback)",
        when: (f) => f.conversation !== 'channel',
        run: (c, f) => this.deps.tickets.requester.requesterTurn(c, f.cardAction).then(asOutcome),
      },
      {
        name: 'relay to the agent on a ticket',
        when: (f) => f.conversation === 'personal' && typed(f),
        run: (c, f) =>
          this.deps.tickets.requester
            .relay(c, { dialogActive: inDialog(f), escalating: f.escalating })
            .then(asOutcome),
      },
      {
        name: 'a pasted PC check (at any point): facts instead of questions',
        when: (f) => !!f.pcCheck && typed(f),
        run: (c, f) => this.pastedPcCheck(c, f).then(() => 'handled'),
      },
      {
        name: 'empty message: the way in',
        when: (f) => !f.text && typed(f) && !f.hasFiles,
        run: (c, f) => this.welcome(c, f).then(() => 'handled'),
      },
      {
        name: 'files only: the waiting card may want them (a screenshot)',
        when: (f) => !f.text && typed(f) && f.hasFiles,
        run: (c, f) => this.filesOnly(c, f).then(() => 'handled'),
      },
      {
        name: 'licence questions (one-shot, at any point)',
        when: (f) => !!f.adminRequest,
        run: (c, f) => this.deps.adminCommands.handle(c, f.adminRequest!).then(asOutcome),
      },
      {
        name: 'back to the diagnosis set aside',
        when: (f) =>
          (f.cardAction.kind === 'action' && f.cardAction.action.action === 'diagnosis.resume') ||
          f.command === 'resume',
        run: (c, f) => this.resume(c, f).then(() => 'handled'),
      },
      {
        name: 'a button while a dialog runs',
        when: (f) => inDialog(f) && !typed(f),
        run: (c, f) => this.buttonInDialog(c, f).then(() => 'handled'),
      },
      {
        name: 'typed words while a card waits: answer, command, or a new problem',
        when: (f) => inDialog(f) && typed(f),
        run: (c, f) => this.typedInDialog(c, f).then(() => 'handled'),
      },
      {
        name: 'nothing running: commands, old buttons, a new problem',
        when: () => true,
        run: (c, f) => this.outsideDialog(c, f).then(() => 'handled'),
      },
    ];
  }

  async route(context: TurnContext): Promise<void> {
    const facts = await this.factsOf(context);
    for (const route of this.routes) {
      if (!route.when(facts)) continue;
      if ((await route.run(context, facts)) === 'handled') {
        this.deps.onRouted?.(route.name, this.flowOf(context, facts.stack));
        return;
      }
    }
  }

  /** The flow of the diagnosis running after the turn: the one it started or continued ('none' outside one). */
  private flowOf(context: TurnContext, stack: readonly DialogInstance[]): string {
    const running = runningFlow(stack);
    if (!running) return 'none';
    if ('flow' in running) return running.flow;
    const flow = running.contentId
      ? this.deps.views.flow(languageOf(context)).flowOf(running.contentId)
      : undefined;
    return flow ?? 'signin-repair';
  }

  private async factsOf(context: TurnContext): Promise<TurnFacts> {
    const activity = context.activity;
    const cardAction = parseCardAction(activity.value);
    const shared = isSharedConversation(context);
    let addressed = true;
    if (shared && cardAction.kind === 'none') {
      addressed = TurnContext.getMentions(activity).some((m) => m.mentioned?.id === activity.recipient?.id);
      if (addressed) activity.text = TurnContext.removeRecipientMention(activity)?.trim() ?? '';
    }
    const state = await this.deps.dialogState.get(context, { dialogStack: [] });
    const stack = state.dialogStack ?? [];
    const text = (activity.text ?? '').trim();
    const type = activity.conversation?.conversationType;
    const pcCheck = cardAction.kind === 'none' && text ? parsePcCheck(text) : undefined;
    return {
      language: languageOf(context),
      conversation: type === 'channel' ? 'channel' : type === 'groupChat' ? 'groupChat' : 'personal',
      addressed,
      cardAction,
      ticketSubmit: parseTicketExecute({
        verb: (activity.value as { verb?: unknown } | undefined)?.verb,
        data: activity.value,
      }),
      text,
      hasFiles: attachmentLinks(activity.attachments).length > 0,
      stack,
      waiting: waitingPromptOf(stack),
      escalating: stackIncludes(stack, DialogIds.escalation),
      command:
        cardAction.kind === 'none' && text ? this.deps.understanding.commands.command(text) : undefined,
      adminRequest: parseAdminRequest(text, cardAction.kind === 'action' ? cardAction.action : undefined),
      ...(pcCheck && pcCheck.kind !== 'notACheck' ? { pcCheck } : {}),
    };
  }

  // --- routes ---

  private async welcome(context: TurnContext, facts: TurnFacts): Promise<void> {
    await context.sendActivity(
      MessageFactory.attachment(this.deps.views.welcome(facts.language, isSharedConversation(context))),
    );
  }

  /**
   * A pasted PC check. At the escalation form it goes with the request; anywhere else the diagnosis starts again
   * from the facts, in the flow the user was in, with what was learned so far.
   */
  private async pastedPcCheck(context: TurnContext, facts: TurnFacts): Promise<void> {
    const views = this.deps.views;
    const language = facts.language;
    const reading = facts.pcCheck!;
    if (reading.kind === 'unsupportedVersion') {
      this.deps.logger.info('a pasted PC check is newer than this bot reads', { version: reading.version });
      await context.sendActivity(
        views.text(language, 'pcCheck.unsupportedVersion', { version: reading.version }),
      );
      await context.sendActivity(MessageFactory.attachment(views.pc.offer(language)));
      return;
    }
    if (facts.conversation !== 'personal') {
      // Addresses and the PC's settings are not for everyone in a group chat.
      await context.sendActivity(views.text(language, 'pcCheck.pasteInPersonalChat'));
      return;
    }
    if (facts.escalating) {
      updateTrailIn(facts.stack, DialogIds.escalation, (trail) =>
        withPcCheck(trail, { facts: reading.facts }),
      );
      await context.sendActivity(
        MessageFactory.attachment(
          views.pc.factsCard(language, { facts: reading.facts }, pcFindings(reading.facts)),
        ),
      );
      await context.sendActivity(views.text(language, 'pcCheck.attachedToRequest'));
      return;
    }
    // Sent already and waiting for an agent: the check belongs to that request.
    if (
      facts.stack.length === 0 &&
      (await this.deps.tickets.requester.attachPcCheck(context, reading.facts)) === 'handled'
    )
      return;
    const running = this.flowOf(context, facts.stack);
    const wasIn = running === 'activation' || running === 'signin-repair' ? running : undefined;
    const trail = latestTrail(facts.stack);
    const dc = await this.dialogs.createContext(context);
    if (facts.stack.length > 0) await dc.cancelAllDialogs();
    await dc.beginDialog(this.deps.mainDialog.id, {
      pcCheck: { facts: reading.facts, ...(wasIn ? { wasIn } : {}) },
      ...(trail ? { trail } : {}),
    } satisfies MainDialogOptions);
  }

  private async filesOnly(context: TurnContext, facts: TurnFacts): Promise<void> {
    const dc = await this.dialogs.createContext(context);
    if ((await dc.continueDialog()).status === DialogTurnStatus.empty) await this.welcome(context, facts);
  }

  private async buttonInDialog(context: TurnContext, facts: TurnFacts): Promise<void> {
    const dc = await this.dialogs.createContext(context);
    const action = facts.cardAction.kind === 'action' ? facts.cardAction.action : undefined;
    const onFlowChoice = facts.waiting?.waiting.kind === 'flowChoice';
    if (action?.action === 'command') return this.command(context, dc, facts, action.name);
    if (action?.action === 'diagnosis.start' && !onFlowChoice) {
      // "Talk to a person" on a step card, or a start button from another card: a new problem, not an answer.
      if (action.flow === 'person') return this.command(context, dc, facts, 'person');
      return this.switchTo(
        context,
        dc,
        facts,
        action.flow === 'menu' || !action.flow
          ? { menu: true }
          : {
              problem: { flow: action.flow, via: 'recogniser' },
            },
      );
    }
    await dc.continueDialog();
  }

  private async typedInDialog(context: TurnContext, facts: TurnFacts): Promise<void> {
    const dc = await this.dialogs.createContext(context);
    const waiting = facts.waiting;
    if (!waiting) {
      // A dialog without a card (state from an older version, or a bug): let it read the words itself.
      this.deps.logger.warn('a dialog waits without a card description; typed words go to it unread', {
        dialog: facts.stack.at(-1)?.id,
      });
      await dc.continueDialog();
      return;
    }
    const { recognizer, errorCodes, shortcuts } = this.deps.understanding;
    const reading = understand(facts.text, recognizer, errorCodes);
    const answer = waiting.typedAnswer(facts.text);
    const decision: TypedTextDecision = readTypedText({
      text: facts.text,
      waiting: waiting.waiting,
      answerKeyword: answer?.keyword,
      answerLeadsTo: answer?.leadsTo,
      answerIsLoose: answer?.loose,
      acceptsAnyText: waiting.acceptsAnyText,
      command: facts.command,
      commandInWords: this.deps.understanding.commands.commandInShortMessage(facts.text),
      changesMind: this.deps.understanding.commands.changesMind(facts.text),
      namesProcedure: waiting.waiting.flow
        ? this.deps.views.flow(facts.language).procedureNamedIn(waiting.waiting.flow, facts.text)
        : undefined,
      shortcut: shortcuts.find(facts.text),
      errorCodes: reading.details.errorCodes,
      decision: reading.decision,
      accountType: reading.details.accountType,
      corrects: this.correctedQuestion(facts),
    });
    this.deps.logger.debug('typed text while a card waits', {
      waiting: waiting.waiting.kind,
      decision: decision.kind,
    });
    switch (decision.kind) {
      case 'answer':
        if (decision.explain) await this.explainCodes(context, facts, reading.details.errorCodes);
        await dc.continueDialog();
        // A pasted error is what the form asks for; a described problem may have a fix to try first.
        if (decision.offer && decision.offer.via !== 'errorCode')
          await this.offerSwitch(context, facts, decision.offer);
        return;
      case 'command':
        return this.command(context, dc, facts, decision.command);
      case 'newProblem':
        return this.switchTo(context, dc, facts, {
          problem: decision.problem,
          text: facts.text,
          explain: reading.details.errorCodes,
        });
      case 'explain':
        await this.explainCodes(context, facts, reading.details.errorCodes);
        await dc.repromptDialog();
        return;
      case 'restartFlow':
        return this.switchTo(context, dc, facts, {
          problem: { flow: waiting.waiting.flow!, via: 'recogniser' },
          text: facts.text,
        });
      case 'clarify':
        return this.switchTo(context, dc, facts, { text: facts.text, explain: reading.details.errorCodes });
      case 'correction':
        return this.correct(context, dc, facts, decision.question);
      case 'unclear':
        await this.unclear(context, facts);
        return;
    }
  }

  private async outsideDialog(context: TurnContext, facts: TurnFacts): Promise<void> {
    const views = this.deps.views;
    const language = facts.language;
    const dc = await this.dialogs.createContext(context);
    const action = facts.cardAction.kind === 'action' ? facts.cardAction.action : undefined;
    const command = action?.action === 'command' ? action.name : facts.command;
    if (command) return this.command(context, dc, facts, command);
    if (action?.action === 'diagnosis.start') {
      await dc.beginDialog(this.deps.mainDialog.id, action.flow ? { flow: action.flow } : {});
      return;
    }
    if (facts.cardAction.kind === 'invalid') {
      await context.sendActivity(
        MessageFactory.attachment(views.notice(language, 'card.unknownAction', true)),
      );
      return;
    }
    if (action?.action === 'ticket.confirm' && action.choice === 'send' && action.confirmCard) {
      // Send pressed again after its turn was lost (a crash after the ticket was saved): say which ticket it is.
      const ticket = await this.deps.tickets.requester.ticketOfConfirmCard(action.confirmCard);
      if (ticket) {
        await context.sendActivity(
          views.text(language, 'escalation.alreadyCreated', { label: ticketLabel(ticket) }),
        );
        return;
      }
    }
    if (facts.cardAction.kind === 'action') {
      await context.sendActivity(
        MessageFactory.attachment(views.notice(language, 'card.finishedDiagnosis', true)),
      );
      return;
    }
    await dc.beginDialog(this.deps.mainDialog.id, { text: facts.text } satisfies MainDialogOptions);
  }

  // --- what the routes do ---

  private async command(
    context: TurnContext,
    dc: DialogContext,
    facts: TurnFacts,
    command: GlobalCommand,
  ): Promise<void> {
    const views = this.deps.views;
    const language = facts.language;
    const running = facts.stack.length > 0;
    switch (command) {
      case 'help':
        await context.sendActivity(MessageFactory.attachment(views.help(language)));
        if (running) await context.sendActivity(views.text(language, 'help.resume'));
        return;
      case 'cancel':
        if (!running) {
          await context.sendActivity(views.text(language, 'cancel.nothing'));
          return;
        }
        await dc.cancelAllDialogs();
        await this.deps.suspended.delete(context);
        await context.sendActivity(views.text(language, 'cancel.done'));
        return;
      case 'restart':
        if (running) {
          await dc.cancelAllDialogs();
          await context.sendActivity(views.text(language, 'restart.done'));
        }
        await this.deps.suspended.delete(context);
        await dc.beginDialog(this.deps.mainDialog.id, {});
        return;
      case 'back':
        // "Back" where the card has no Back of its own: to the diagnosis set aside, if there is one.
        if (await this.deps.suspended.get(context)) return this.resume(context, facts);
        await context.sendActivity(views.text(language, running ? 'back.nothing' : 'cancel.nothing'));
        return;
      case 'resume':
        return this.resume(context, facts);
      case 'pcCheck':
        // How to run the check; whatever card waits keeps waiting, and the pasted result answers it.
        await context.sendActivity(MessageFactory.attachment(views.pc.offer(language)));
        return;
      case 'person':
        if (facts.escalating) {
          // A second press (or a double-click): the hand-over is already under way; keep it, with its trail.
          await context.sendActivity(views.text(language, 'escalation.inProgress'));
          return;
        }
        {
          // Hand over with everything learned so far.
          const trail = latestTrail(facts.stack);
          await dc.cancelAllDialogs();
          await dc.beginDialog(this.deps.mainDialog.id, {
            flow: 'person',
            ...(trail ? { trail } : {}),
          } satisfies MainDialogOptions);
        }
        return;
    }
  }

  /**
   * The user named another problem while a card waited: set the diagnosis aside (one button brings it back), say
   * so in one line, and start on the new one with what was learned (version, account type, answers).
   */
  private async switchTo(
    context: TurnContext,
    dc: DialogContext,
    facts: TurnFacts,
    target: { problem?: NamedProblem; text?: string; menu?: boolean; explain?: readonly ErrorCodeEntry[] },
  ): Promise<void> {
    const language = facts.language;
    const views = this.deps.views;
    const trail = latestTrail(facts.stack);
    const aside = facts.waiting?.waiting.kind !== 'flowChoice';
    if (aside) await this.deps.suspended.set(context, { stack: copyOf(facts.stack) });
    await dc.cancelAllDialogs();
    if (aside) {
      const key = target.problem
        ? `switch.to.${target.problem.flow}`
        : target.menu
          ? 'switch.toMenu'
          : 'switch.toOther';
      await context.sendActivity(MessageFactory.attachment(views.switchNotice(language, key)));
    }
    const carried = trail ? { ...trail, ...(target.text ? { description: target.text } : {}) } : undefined;
    const options: MainDialogOptions = target.menu
      ? { flow: 'menu', ...(carried ? { trail: carried } : {}) }
      : {
          text: target.text,
          codesExplained: true,
          ...(target.problem?.procedure ? { procedureId: target.problem.procedure } : {}),
          ...(target.problem && !target.problem.procedure ? { flow: target.problem.flow } : {}),
          ...(carried ? { trail: carried } : {}),
        };
    // Error codes in the words are explained first, as for a first message.
    await this.explainCodes(context, facts, target.explain ?? []);
    await dc.beginDialog(this.deps.mainDialog.id, options);
  }

  /** What pasted error codes mean, on cards (two at most: a third would bury the answer). */
  private async explainCodes(
    context: TurnContext,
    facts: TurnFacts,
    entries: readonly ErrorCodeEntry[],
  ): Promise<void> {
    for (const entry of entries.slice(0, 2))
      await context.sendActivity(MessageFactory.attachment(this.deps.views.errorCode(facts.language, entry)));
  }

  /** The earlier question (answered in this diagnosis) that the words answer with another choice, if any. */
  private correctedQuestion(facts: TurnFacts): string | undefined {
    const trail = latestTrail(facts.stack);
    if (!trail) return undefined;
    const flow = this.deps.views.flow(facts.language);
    for (const answer of trail.answers) {
      if (answer.question === facts.waiting?.waiting.question || !flow.hasQuestion(answer.question)) continue;
      const choice = matchKeywords(facts.text, flow.question(answer.question).choices);
      if (choice && choice.id !== answer.choice) return answer.question;
    }
    return undefined;
  }

  /** Asks the diagnosis again from the corrected question, with the user's words answering it. */
  private async correct(
    context: TurnContext,
    dc: DialogContext,
    facts: TurnFacts,
    question: string,
  ): Promise<void> {
    const trail = latestTrail(facts.stack)!;
    const at = trail.answers.findIndex((a) => a.question === question);
    await dc.cancelAllDialogs();
    await context.sendActivity(this.deps.views.text(facts.language, 'correction.done'));
    await dc.beginDialog(this.deps.mainDialog.id, {
      text: facts.text,
      questionId: question,
      trail: { ...trail, answers: trail.answers.slice(0, at) },
    } satisfies MainDialogOptions);
  }

  /** Typed problem words at the escalation form: kept as the error message, with a button to try fixing it first. */
  private async offerSwitch(context: TurnContext, facts: TurnFacts, problem: NamedProblem): Promise<void> {
    await context.sendActivity(
      MessageFactory.attachment(this.deps.views.switchOffer(facts.language, problem.flow)),
    );
  }

  private async resume(context: TurnContext, facts: TurnFacts): Promise<void> {
    const views = this.deps.views;
    const suspended = await this.deps.suspended.get(context);
    if (!suspended) {
      await context.sendActivity(views.text(facts.language, 'resume.nothing'));
      return;
    }
    // Whatever runs now is set aside in turn, so the user can go back and forth.
    const current = facts.stack.length > 0 ? copyOf(facts.stack) : undefined;
    const state = await this.deps.dialogState.get(context, { dialogStack: [] });
    state.dialogStack = suspended.stack;
    if (current) await this.deps.suspended.set(context, { stack: current });
    else await this.deps.suspended.delete(context);
    await context.sendActivity(views.text(facts.language, 'resume.done'));
    const dc = await this.dialogs.createContext(context);
    await dc.repromptDialog();
  }

  /** None of answer, command or problem: say what the card expects, and offer the menu. */
  private async unclear(context: TurnContext, facts: TurnFacts): Promise<void> {
    const kind = facts.waiting?.waiting.kind ?? 'question';
    await context.sendActivity(MessageFactory.attachment(this.deps.views.unclear(facts.language, kind)));
  }
}

const asOutcome = (handled: 'handled' | 'notMine'): Outcome => (handled === 'handled' ? 'handled' : 'next');

/** A deep copy of a dialog stack: state that is set aside must not change with the running dialogs. */
const copyOf = (stack: DialogInstance[]): DialogInstance[] =>
  JSON.parse(JSON.stringify(stack)) as DialogInstance[];
