import { randomUUID } from 'node:crypto';
import { MessageFactory, TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from './dialogsLibrary';
import type { CardAction } from '../core/cardActions';
import { withHandoff, withPcCheck, type DiagnosisTrail } from '../core/diagnosis';
import { parsePcCheck } from '../core/pcCheck/pcCheck';
import {
  ticketLabel,
  type Attachment,
  type Person,
  type Ticket,
  type TicketCategory,
  type TicketDetails,
} from '../core/tickets/ticket';
import type { TicketDraft } from '../core/tickets/ticketRules';
import type { DiagnosisViews } from '../views/diagnosisViews';
import { DialogIds } from './dialogIds';
import type { FlowResult } from './flowResult';
import { EscalationPrompt, type EscalationAnswer, type EscalationPromptSpec } from './escalationPrompt';
import type { DetailField, TicketViews } from '../views/ticketViews';
import { languageOf } from './turnLanguage';
import { personalAddressOf, personOf, tenantIdOf } from './turnHelpers';

/** What the escalation needs from the help desk: open a ticket, and say whether a support channel is set up. */
export interface TicketIntake {
  /**
   * Opens the ticket once per confirm card: `key` is the card's own id, so a second Send of the same card (after a
   * crash lost the turn's state, say) finds the first ticket instead of opening another.
   */
  open(draft: TicketDraft, key: string): Promise<{ ticket: Ticket; existed: boolean }>;
  hasSupportChannel(category: TicketCategory): Promise<boolean>;
  /** Copies pasted screenshots so agents can open them. */
  keepAttachments(context: TurnContext, links: Attachment[]): Promise<Attachment[]>;
  /** The requester's tickets still being worked on, newest first. */
  activeTicketsOf(person: Person): Promise<Ticket[]>;
  /** The requester's sign-in name (UPN) or e-mail as Teams knows it, if Teams answers. */
  upnOf(context: TurnContext): Promise<string | undefined>;
}

export interface EscalationOptions {
  trail: DiagnosisTrail;
  /** Answers so far, when the user chose "Edit" on the summary. */
  details?: TicketDetails;
}

/**
 * Hands the problem to a person. Asks only what the seed's "before contacting support" list names and the
 * diagnosis does not already know, shows the summary, and opens the ticket once the user confirms.
 */
export class EscalationDialog extends ComponentDialog {
  constructor(
    private readonly views: DiagnosisViews,
    private readonly ticketViews: TicketViews,
    private readonly intake: TicketIntake,
  ) {
    super(DialogIds.escalation);
    this.addDialog(new EscalationPrompt(DialogIds.escalationPrompt));
    this.addDialog(
      new WaterfallDialog(DialogIds.escalationFlow, [
        this.askDetails.bind(this),
        this.askScreenshot.bind(this),
        this.confirm.bind(this),
        this.send.bind(this),
      ]),
    );
    this.initialDialogId = DialogIds.escalationFlow;
  }

  /** Fields to ask: the error, device and browser always (nothing else records them); steps only if none were tried. */
  static fieldsToAsk(trail: DiagnosisTrail): DetailField[] {
    const tried = trail.attempts.some((a) => a.steps.length > 0);
    return ['errorMessage', ...(tried ? [] : (['stepsTried'] as const)), 'device', 'browser'];
  }

  private async askDetails(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as EscalationOptions;
    const language = languageOf(step.context);
    const fields = EscalationDialog.fieldsToAsk(options.trail);
    if (!options.details) {
      // Someone is already on it: say so, so the user can add to that ticket instead of opening a second one.
      const [active] = await this.intake.activeTicketsOf(personOf(step.context));
      if (active)
        await step.context.sendActivity(
          this.views.text(language, 'escalation.alreadyOpen', { label: ticketLabel(active) }),
        );
    }
    return step.prompt(DialogIds.escalationPrompt, {
      prompt: MessageFactory.attachment(
        this.ticketViews.detailsForm(language, fields, options.details ?? {}),
      ),
      validations: this.spec(language, 'escalationForm', ['ticket.details'], {
        acceptText: true,
        acceptAttachments: true,
      }),
    });
  }

  private async askScreenshot(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const answer = step.result as EscalationAnswer;
    const options = step.options as EscalationOptions;
    const previous = options.details;
    const language = languageOf(step.context);
    if (answer.kind !== 'action' || answer.action.action !== 'ticket.details') {
      // Typed (or a picture pasted) instead of using the form: the words are the error, the picture the
      // screenshot. Show the form again with them filled in, so the other answers are not skipped.
      const screenshots =
        answer.kind === 'attachments'
          ? await this.intake.keepAttachments(step.context, answer.attachments.slice(0, 5))
          : (previous?.screenshots ?? []);
      const typed = answer.kind === 'action' ? '' : answer.text;
      await step.context.sendActivity(this.views.text(language, 'escalation.form.typed'));
      return step.replaceDialog(DialogIds.escalationFlow, {
        trail: options.trail,
        details: { ...previous, screenshots, errorMessage: clean(typed) ?? previous?.errorMessage },
      } satisfies EscalationOptions);
    }
    // A PC check pasted into the form's error box goes with the request as facts, not as the error.
    const pasted = parsePcCheck(answer.action.errorMessage ?? '');
    if (pasted.kind === 'facts') {
      (step.options as EscalationOptions).trail = withPcCheck(options.trail, { facts: pasted.facts });
      await step.context.sendActivity(this.views.text(language, 'pcCheck.attachedToRequest'));
    }
    const details: TicketDetails = {
      errorMessage: pasted.kind === 'facts' ? undefined : clean(answer.action.errorMessage),
      stepsTried: clean(answer.action.stepsTried),
      device: clean(answer.action.device),
      browser: clean(answer.action.browser),
      screenshots: previous?.screenshots ?? [],
    };
    (step.values as { details: TicketDetails }).details = details;
    return step.prompt(DialogIds.escalationPrompt, {
      prompt: MessageFactory.attachment(this.ticketViews.screenshotAsk(language, details.screenshots.length)),
      validations: {
        ...this.spec(language, 'screenshot', ['ticket.screenshot'], { acceptAttachments: true }),
        // The button's own words always count, whatever else the user calls it.
        noneWords: [
          ...this.views.words('noScreenshot'),
          this.views.text(language, 'escalation.screenshot.none'),
        ],
        retryText: this.views.text(language, 'escalation.screenshot.retry'),
      },
    });
  }

  private async confirm(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const answer = step.result as EscalationAnswer;
    const values = step.values as { details: TicketDetails; confirmKey?: string };
    // The confirm card's id, kept in the dialog's state with the card: Send carries it to the ticket.
    values.confirmKey ??= randomUUID();
    if (answer.kind === 'attachments') {
      const screenshots = await this.intake.keepAttachments(step.context, answer.attachments.slice(0, 5));
      values.details = { ...values.details, screenshots };
      // Words sent with the picture are kept too: they are usually the error.
      if (answer.text && !values.details.errorMessage) values.details.errorMessage = clean(answer.text);
    } else if (
      answer.kind === 'action' &&
      answer.action.action === 'ticket.screenshot' &&
      answer.action.choice === 'none'
    ) {
      // "No screenshot" (also after Edit, or after pasting one at the form): none is sent.
      values.details = { ...values.details, screenshots: [] };
    }
    const language = languageOf(step.context);
    const trail = withoutBareRequest((step.options as EscalationOptions).trail, (t) =>
      this.views.asksForPerson(t),
    );
    return step.prompt(DialogIds.escalationPrompt, {
      prompt: MessageFactory.attachment(
        this.ticketViews.summary(
          language,
          this.categoryOf(language, trail),
          trail,
          values.details,
          values.confirmKey,
        ),
      ),
      validations: {
        ...this.spec(language, 'confirm', ['ticket.confirm'], {}),
        textChoices: (['send', 'edit'] as const).map((choice) => ({
          label: this.views.text(language, `escalation.summary.${choice}`),
          keywords: this.views.words(choice),
          action: { action: 'ticket.confirm' as const, choice },
        })),
      },
    });
  }

  private async send(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const action = (step.result as { action: CardAction }).action as Extract<
      CardAction,
      { action: 'ticket.confirm' }
    >;
    const options = step.options as EscalationOptions;
    const details = (step.values as { details: TicketDetails }).details;
    const language = languageOf(step.context);
    if (action.choice === 'edit')
      return step.replaceDialog(DialogIds.escalationFlow, {
        trail: options.trail,
        details,
      } satisfies EscalationOptions);
    if (action.choice === 'cancel') {
      await step.context.sendActivity(this.views.text(language, 'escalation.cancelled'));
      return step.endDialog({ kind: 'finished', trail: options.trail } satisfies FlowResult);
    }
    const trail = withHandoff(withoutBareRequest(options.trail, (t) => this.views.asksForPerson(t)));
    const category = this.categoryOf(language, trail);
    const { confirmKey } = step.values as { confirmKey?: string };
    const { ticket, existed } = await this.intake.open(
      {
        requester: await this.requesterOf(step.context),
        requesterAddress: personalAddressOf(step.context),
        tenantId: tenantIdOf(step.context),
        serviceUrl: step.context.activity.serviceUrl,
        category,
        language,
        summary: summaryOf(trail, details),
        details,
        trail,
      },
      confirmKey ?? randomUUID(),
    );
    if (existed) {
      await step.context.sendActivity(
        this.views.text(language, 'escalation.alreadyCreated', { label: ticketLabel(ticket) }),
      );
      return step.endDialog({ kind: 'finished', trail, ticket: ticket.number } satisfies FlowResult);
    }
    const ready = await this.intake.hasSupportChannel(category);
    await step.context.sendActivity(
      this.views.text(language, ready ? 'escalation.created' : 'escalation.createdNoChannel', {
        label: ticketLabel(ticket),
      }),
    );
    return step.endDialog({ kind: 'finished', trail, ticket: ticket.number } satisfies FlowResult);
  }

  /** The person asking, with their UPN when Teams gives it (agents tell people of the same name apart by it). */
  private async requesterOf(context: TurnContext): Promise<Person> {
    const upn = await this.intake.upnOf(context);
    return { ...personOf(context), ...(upn ? { upn } : {}) };
  }

  /** Which flow the trail went through, from the first question it answered. */
  private categoryOf(language: Parameters<DiagnosisViews['flow']>[0], trail: DiagnosisTrail): TicketCategory {
    if (trail.licence) return 'activation';
    const first = trail.answers[0]?.question;
    const flow = this.views.flow(language);
    if (first === flow.startOf('account').id) return 'account';
    if (first === flow.startOf('activation').id) return 'activation';
    if (first === flow.startOf('signin-repair').id) return 'signin';
    return 'other';
  }

  private spec(
    language: Parameters<DiagnosisViews['flow']>[0],
    waiting: 'escalationForm' | 'screenshot' | 'confirm',
    accepts: EscalationPromptSpec['accepts'],
    flags: { acceptText?: boolean; acceptAttachments?: boolean },
  ): EscalationPromptSpec {
    return {
      waiting: { kind: waiting },
      accepts,
      acceptText: flags.acceptText ?? false,
      acceptAttachments: flags.acceptAttachments ?? false,
      retryText: this.views.text(language, 'prompt.retry'),
      staleText: this.views.text(language, 'prompt.stale'),
    };
  }
}

/**
 * "担当者と話したい" on its own says nothing about the problem: it is not kept as the user's description. Longer
 * words that also ask for a person ("Office が起動しない。担当者と話したい") are kept whole.
 */
function withoutBareRequest(trail: DiagnosisTrail, asksForPerson: (text: string) => boolean): DiagnosisTrail {
  const description = trail.description?.trim();
  if (!description || description.length > 40 || !asksForPerson(description)) return trail;
  const rest = { ...trail };
  delete rest.description;
  return rest;
}

const clean = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, 1000) : undefined;
};

/** One line for lists: the user's words, else the error, else nothing (the category says the rest). */
function summaryOf(trail: DiagnosisTrail, details: TicketDetails): string {
  return (trail.description ?? details.errorMessage ?? '').slice(0, 200);
}
