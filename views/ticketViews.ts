import type { Language } from '../core/language';
import { inertMarkdown } from '../core/markdown';
import type { Refusal } from '../core/tickets/ticketRules';
import {
  ticketLabel,
  type Attachment,
  type Person,
  type Ticket,
  type TicketCategory,
  type TicketDetails,
  type TicketEvent,
} from '../core/tickets/ticket';
import type { DiagnosisTrail } from '../core/diagnosis';
import type { CardAttachment } from '../cards/renderCard';
import { renderTicketCard, type TicketCardData } from '../cards/ticketCard';
import { CardTooLargeError } from '../cards/renderCard';
import type { DiagnosisViews } from './diagnosisViews';

/** A message to post: a text, a card, or both. Plain data, so it works as a botbuilder Partial<Activity>. */
export interface OutgoingMessage {
  type: 'message';
  text?: string;
  textFormat?: 'plain' | 'markdown';
  attachments?: CardAttachment[];
}

export type UnreachableReason = 'neverReached' | 'blocked';

export type DetailField = 'errorMessage' | 'stepsTried' | 'device' | 'browser';

/** How many of the latest messages the agent's card repeats; the thread holds them all. */
const RECENT_ON_CARD = 3;

interface CardDetail {
  textLimit: number;
  recent: number;
  links: number;
  trail: boolean;
}

/** From the fullest card to the barest that still shows the ticket and its actions. */
const CARD_DETAIL_LEVELS: CardDetail[] = [
  { textLimit: 600, recent: 3, links: 5, trail: true },
  { textLimit: 200, recent: 1, links: 2, trail: true },
  { textLimit: 100, recent: 0, links: 0, trail: false },
];

/**
 * Turns tickets into cards and messages: the agents' card in the support channel (Universal Actions), notes in
 * its thread, and what the user sees in personal chat.
 */
export class TicketViews {
  constructor(
    private readonly diagnosis: DiagnosisViews,
    /** Times on cards are shown in the help desk's time zone. */
    private readonly timeZone: string,
  ) {}

  /** Every parameter here is a name, a label or a number: names come from Teams, so they are made inert. */
  text(language: Language, key: string, params?: Record<string, string | number>): string {
    const safe = params
      ? Object.fromEntries(
          Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? inertMarkdown(v) : v]),
        )
      : undefined;
    return this.diagnosis.text(language, key, safe);
  }

  categoryLabel(language: Language, category: TicketCategory): string {
    return this.text(language, `ticket.category.${category}`);
  }

  time(language: Language, iso: string): string {
    let format = this.timeFormats.get(language);
    if (!format) {
      format = new Intl.DateTimeFormat(language === 'ja' ? 'ja-JP' : 'en-GB', {
        timeZone: this.timeZone,
        dateStyle: 'short',
        timeStyle: 'short',
      });
      this.timeFormats.set(language, format);
    }
    return format.format(new Date(iso));
  }

  /** One formatter per language, made once (making one costs far more than using it). */
  private readonly timeFormats = new Map<Language, Intl.DateTimeFormat>();

  /** "3 h 12 min" / "3時間12分": how long a ticket has waited. */
  waited(language: Language, fromIso: string, now: Date): string {
    const minutes = Math.max(0, Math.floor((now.getTime() - Date.parse(fromIso)) / 60_000));
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const mins = minutes % 60;
    if (days > 0) return this.text(language, 'ticket.waited.days', { days, hours });
    if (hours > 0) return this.text(language, 'ticket.waited.hours', { hours, minutes: mins });
    return this.text(language, 'ticket.waited.minutes', { minutes: mins });
  }

  statusLabel(language: Language, ticket: Pick<Ticket, 'status' | 'assignee'>): string {
    const status = this.text(language, `ticket.status.${ticket.status}`);
    return ticket.assignee && ticket.status !== 'open'
      ? this.text(language, 'ticket.statusWithAssignee', { status, assignee: ticket.assignee.name })
      : status;
  }

  // --- the support channel ---

  /** The ticket's card in the support channel, always rendered from the stored ticket. */
  /** `postMarker` goes into the buttons' data of a first post, so the outbox can find the card in the channel. */
  channelCard(language: Language, ticket: Ticket, postMarker?: string): CardAttachment {
    // Long answers and messages in Japanese can pass the card limit: shorten, then drop, the repeated texts
    // (the thread has them in full) rather than fail to post or update the card.
    for (const detail of CARD_DETAIL_LEVELS) {
      try {
        return this.channelCardAt(language, ticket, detail, postMarker);
      } catch (error) {
        if (!(error instanceof CardTooLargeError)) throw error;
      }
    }
    return this.channelCardAt(
      language,
      ticket,
      { textLimit: 0, recent: 0, links: 0, trail: false },
      postMarker,
    );
  }

  private channelCardAt(
    language: Language,
    ticket: Ticket,
    detail: CardDetail,
    postMarker?: string,
  ): CardAttachment {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    const data = { ticket: ticket.number, ...(postMarker ? { post: postMarker } : {}) };
    const active = ['open', 'assigned', 'waitingForUser'].includes(ticket.status);
    const executeActions: TicketCardData['executeActions'] = [];
    if (ticket.status === 'open')
      executeActions.push({ title: t('ticket.action.take'), verb: 'ticket.take', data, style: 'positive' });
    if (active) {
      executeActions.push({ title: t('ticket.action.resolve'), verb: 'ticket.resolve', data });
      executeActions.push({ title: t('ticket.action.close'), verb: 'ticket.close', data });
    } else if (ticket.status === 'resolved') {
      executeActions.push({ title: t('ticket.action.close'), verb: 'ticket.close', data });
      executeActions.push({ title: t('ticket.action.reopen'), verb: 'ticket.reopen', data });
    } else {
      executeActions.push({ title: t('ticket.action.reopen'), verb: 'ticket.reopen', data });
    }
    const recent = ticket.events
      .filter((e) => e.text && ['agentMessage', 'userMessage', 'userInfo'].includes(e.kind))
      .slice(-RECENT_ON_CARD);
    const shown = detail.recent > 0 ? recent.slice(-detail.recent) : [];
    const shorten = (text: string) =>
      text.length > detail.textLimit ? `${text.slice(0, detail.textLimit)}…` : text;
    return renderTicketCard({
      heading: t('ticket.card.heading'),
      title: t('ticket.card.title', {
        label: ticketLabel(ticket),
        category: this.categoryLabel(language, ticket.category),
        requester: ticket.requester.name,
      }),
      attention: ticket.unreachable ?? '',
      facts: [
        { title: t('ticket.fact.status'), value: this.statusLabel(language, ticket) },
        {
          title: t('ticket.fact.requester'),
          value: inertMarkdown(
            ticket.requester.upn
              ? `${ticket.requester.name} (${ticket.requester.upn})`
              : ticket.requester.name,
          ),
        },
        { title: t('ticket.fact.language'), value: t(`ticket.language.${ticket.language}`) },
        { title: t('ticket.fact.created'), value: this.time(language, ticket.createdAt) },
        { title: t('ticket.fact.updated'), value: this.time(language, ticket.updatedAt) },
        ...(ticket.feedback
          ? [
              {
                title: t('ticket.fact.feedback'),
                value:
                  ticket.feedback.rating === undefined
                    ? t(
                        ticket.feedback.solved
                          ? 'ticket.feedback.solvedNotRated'
                          : 'ticket.feedback.notSolvedNotRated',
                      )
                    : t(ticket.feedback.solved ? 'ticket.feedback.solved' : 'ticket.feedback.notSolved', {
                        rating: ticket.feedback.rating,
                      }),
              },
            ]
          : []),
        ...(detail.trail ? this.trailFacts(language, ticket.trail) : []),
      ],
      literals: [
        ...this.detailLiterals(language, ticket.trail, ticket.details),
        ...shown.map((e) => ({ label: this.eventLabel(language, ticket, e), text: e.text ?? '' })),
      ]
        .map((l) => ({ ...l, text: shorten(l.text) }))
        .filter((l) => detail.textLimit > 0 && l.text !== ''),
      links: [
        ...this.chatLink(language, ticket.requester),
        ...this.links(language, [
          ...ticket.details.screenshots,
          ...shown.flatMap((e) => e.attachments ?? []),
        ]),
      ].slice(0, detail.links + 1),
      executeActions,
      replyBox: active
        ? {
            title: t('ticket.action.reply'),
            label: t('ticket.reply.label', { requester: ticket.requester.name }),
            placeholder: t('ticket.reply.placeholder'),
            send: t('ticket.reply.send'),
            verb: 'ticket.reply',
            data,
          }
        : undefined,
    });
  }

  /** A note in the ticket's thread: the user's words (shown literally) or what happened. */
  threadNote(language: Language, ticket: Ticket, event: TicketEvent): OutgoingMessage {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    const label = ticketLabel(ticket);
    const who = event.by?.name ?? ticket.requester.name;
    if (event.kind === 'userMessage' || event.kind === 'userInfo')
      return this.cardMessage({
        heading: t(event.kind === 'userMessage' ? 'ticket.thread.fromUser' : 'ticket.thread.userInfo', {
          label,
        }),
        title: inertMarkdown(who),
        literals: [{ label: t('ticket.thread.said'), text: event.text ?? '' }],
        links: this.links(language, event.attachments ?? []),
      });
    const params = { label, who, rating: event.text ?? '-' };
    switch (event.kind) {
      case 'withdrawn':
        return plain(t('ticket.thread.withdrawn', params));
      case 'userLeft':
        return plain(t('ticket.thread.userLeft', params));
      case 'feedback':
        return plain(
          t(ticket.feedback?.solved === false ? 'ticket.thread.notSolved' : 'ticket.thread.solved', params),
        );
      default:
        return plain(t('ticket.thread.event', { label, event: event.kind }));
    }
  }

  // --- the user's personal chat ---

  /** What the user is told about a change to their ticket. */
  userNote(language: Language, ticket: Ticket, event: TicketEvent): OutgoingMessage {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    const label = ticketLabel(ticket);
    const agent = event.by?.name ?? '';
    switch (event.kind) {
      case 'taken':
        return plain(t('ticket.user.taken', { label, agent }));
      case 'agentMessage':
        return this.cardMessage({
          heading: t('ticket.user.messageHeading', { label }),
          title: inertMarkdown(agent),
          literals: [{ label: t('ticket.user.agentSaid'), text: event.text ?? '' }],
          links: this.links(language, event.attachments ?? []),
          text: t('ticket.user.replyHint'),
        });
      case 'resolved':
        return { type: 'message', attachments: [this.feedbackCard(language, ticket, agent)] };
      case 'closed':
        return plain(t('ticket.user.closed', { label, agent }));
      case 'reopened':
        return plain(t('ticket.user.reopened', { label, agent }));
      default:
        return plain(t('ticket.user.changed', { label, status: this.statusLabel(language, ticket) }));
    }
  }

  feedbackCard(language: Language, ticket: Ticket, agent: string): CardAttachment {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    const data = (solved: 'yes' | 'no') => ({ action: 'ticket.feedback', ticket: ticket.number, solved });
    return renderTicketCard({
      title: t('ticket.user.resolvedTitle', { label: ticketLabel(ticket), agent }),
      text: t('ticket.user.resolvedText'),
      rating: {
        label: t('ticket.user.ratingLabel'),
        choices: [5, 4, 3, 2, 1].map((n) => ({ title: t(`ticket.rating.${n}`), value: String(n) })),
      },
      submitActions: [
        { title: t('ticket.user.solvedYes'), data: data('yes'), style: 'positive' },
        { title: t('ticket.user.solvedNo'), data: data('no') },
      ],
    });
  }

  unreachableText(language: Language, reason: UnreachableReason): string {
    return this.text(language, `ticket.unreachable.${reason}`);
  }

  // --- escalation, before the ticket exists ---

  detailsForm(
    language: Language,
    fields: DetailField[],
    values: Partial<Record<DetailField, string>>,
  ): CardAttachment {
    const t = (key: string) => this.text(language, key);
    return renderTicketCard({
      title: t('escalation.form.title'),
      text: t('escalation.form.text'),
      inputs: fields.map((id) => ({
        id,
        label: t(`escalation.field.${id}`),
        placeholder: t(`escalation.placeholder.${id}`),
        value: values[id] ?? '',
        multiline: id === 'errorMessage' || id === 'stepsTried',
        maxLength: id === 'errorMessage' || id === 'stepsTried' ? 1000 : 200,
      })),
      submitActions: [
        { title: t('escalation.form.next'), data: { action: 'ticket.details' }, style: 'positive' },
        { title: t('action.cancel'), data: { action: 'command', name: 'cancel' } },
      ],
      pcCheck: this.diagnosis.pc.offerInline(language, 'pcCheck.offer.introRequest'),
    });
  }

  /** `attached`: screenshots already sent (pasted at the form, or kept from before an Edit). */
  screenshotAsk(language: Language, attached = 0): CardAttachment {
    return renderTicketCard({
      title: this.text(language, 'escalation.screenshot.title'),
      text: this.text(language, 'escalation.screenshot.text'),
      attention: '',
      facts:
        attached > 0
          ? [{ title: this.text(language, 'escalation.screenshot.attached'), value: String(attached) }]
          : [],
      submitActions: [
        ...(attached > 0
          ? [
              {
                title: this.text(language, 'escalation.screenshot.keep'),
                data: { action: 'ticket.screenshot', choice: 'keep' },
                style: 'positive' as const,
              },
            ]
          : []),
        {
          title: this.text(language, 'escalation.screenshot.none'),
          data: { action: 'ticket.screenshot', choice: 'none' },
        },
      ],
    });
  }

  /** The summary the user confirms before anything is sent. */
  summary(
    language: Language,
    category: TicketCategory,
    trail: DiagnosisTrail,
    details: TicketDetails,
    confirmKey?: string,
  ): CardAttachment {
    const t = (key: string) => this.text(language, key);
    const confirm = (choice: 'send' | 'edit' | 'cancel') => ({
      action: 'ticket.confirm',
      choice,
      ...(choice === 'send' && confirmKey ? { confirmCard: confirmKey } : {}),
    });
    return renderTicketCard({
      title: t('escalation.summary.title'),
      text: t('escalation.summary.text'),
      facts: [
        { title: t('ticket.fact.category'), value: this.categoryLabel(language, category) },
        ...this.trailFacts(language, trail),
      ],
      literals: this.detailLiterals(language, trail, details),
      links: this.links(language, details.screenshots),
      submitActions: [
        { title: t('escalation.summary.send'), data: confirm('send'), style: 'positive' },
        { title: t('escalation.summary.edit'), data: confirm('edit') },
        { title: t('action.cancel'), data: confirm('cancel') },
      ],
    });
  }

  myTickets(language: Language, tickets: Ticket[]): CardAttachment | string {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    if (tickets.length === 0) return t('ticket.mine.none');
    const shown = tickets.slice(0, 10);
    const active = shown.filter((ticket) => ['open', 'assigned', 'waitingForUser'].includes(ticket.status));
    return renderTicketCard({
      title: t('ticket.mine.title'),
      text: active.length > 0 ? t('ticket.mine.hint') : '',
      facts: shown.map((ticket) => ({
        title: `${ticketLabel(ticket)} ${this.categoryLabel(language, ticket.category)}`,
        value: `${this.statusLabel(language, ticket)} · ${this.time(language, ticket.updatedAt)}`,
      })),
      picker:
        active.length > 0
          ? {
              label: t('ticket.mine.pick'),
              value: String(active[0].number),
              choices: active.map((ticket) => ({
                title: `${ticketLabel(ticket)} ${this.categoryLabel(language, ticket.category)}`,
                value: String(ticket.number),
              })),
            }
          : undefined,
      inputs:
        active.length > 0
          ? [{ id: 'info', label: t('ticket.mine.infoLabel'), multiline: true, maxLength: 2000 }]
          : [],
      // The ticket comes from the picker's value, which Teams merges into the data.
      submitActions:
        active.length > 0
          ? [
              { title: t('ticket.mine.addInfo'), data: { action: 'ticket.addInfo' } },
              { title: t('ticket.mine.withdraw'), data: { action: 'ticket.withdraw' }, style: 'destructive' },
            ]
          : [],
    });
  }

  queue(language: Language, tickets: Ticket[], now: Date): CardAttachment | string {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    if (tickets.length === 0) return t('ticket.queue.empty');
    const shown = tickets.slice(0, 25);
    return renderTicketCard({
      title: t('ticket.queue.title', { count: tickets.length }),
      text: tickets.length > shown.length ? t('ticket.queue.more', { shown: shown.length }) : '',
      facts: shown.map((ticket) => ({
        title: `${ticketLabel(ticket)} ${this.categoryLabel(language, ticket.category)}`,
        value: t('ticket.queue.line', {
          requester: ticket.requester.name,
          status: this.statusLabel(language, ticket),
          waited: this.waited(language, ticket.createdAt, now),
        }),
      })),
    });
  }

  refusal(
    language: Language,
    ticketNumber: number,
    refusal: Refusal | { refused: 'notFound' | 'wrongChannel' | 'wrongThread' | 'notSupportChannel' },
  ): string {
    const label = ticketLabel(ticketNumber);
    const params: Record<string, string | number> = { label };
    if ('assignee' in refusal) params.assignee = refusal.assignee.name;
    if ('status' in refusal) params.status = this.text(language, `ticket.status.${refusal.status}`);
    return this.text(language, `ticket.refused.${refusal.refused}`, params);
  }

  /** The diagnosis trail as facts, then the user's PC check as a facts table, if they pasted one. */
  private trailFacts(language: Language, trail: DiagnosisTrail) {
    const none = this.text(language, 'summary.none');
    return [
      ...this.diagnosis.summaryFacts(language, trail).filter((fact) => fact.value !== none),
      ...(trail.pcCheck ? this.diagnosis.pc.factRows(language, trail.pcCheck) : []),
    ];
  }

  private detailLiterals(language: Language, trail: DiagnosisTrail, details: TicketDetails) {
    const t = (key: string) => this.text(language, key);
    return [
      { label: t('diagnosis.quoteLabel'), text: trail.description ?? '' },
      // Short headings: the form's labels carry examples that only help while typing.
      { label: t('ticket.detail.errorMessage'), text: details.errorMessage ?? '' },
      { label: t('ticket.detail.stepsTried'), text: details.stepsTried ?? '' },
      { label: t('ticket.detail.device'), text: details.device ?? '' },
      { label: t('ticket.detail.browser'), text: details.browser ?? '' },
    ];
  }

  private eventLabel(language: Language, ticket: Ticket, event: TicketEvent): string {
    const who = event.by?.name ?? ticket.requester.name;
    const key = event.kind === 'agentMessage' ? 'ticket.card.agentSaid' : 'ticket.card.userSaid';
    return this.text(language, key, { who, time: this.time(language, event.at) });
  }

  /** "Chat with …": a Teams deep link that opens a 1:1 chat with the requester, when their UPN is known. */
  private chatLink(language: Language, person: Person): { title: string; url: string }[] {
    if (!person.upn) return [];
    return [
      {
        title: this.text(language, 'ticket.action.chat', { requester: person.name }),
        url: `https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(person.upn)}`,
      },
    ];
  }

  private links(language: Language, attachments: Attachment[]) {
    // A link longer than this is not one anybody should click from a card (and it would eat the card's budget).
    return attachments
      .filter((a) => a.url.length <= 1000)
      .slice(0, 5)
      .map((a, i) => ({
        title: this.text(language, 'ticket.attachment', { name: a.name || String(i + 1) }),
        url: a.url,
      }));
  }

  private cardMessage(data: TicketCardData): OutgoingMessage {
    return { type: 'message', attachments: [renderTicketCard(data)] };
  }
}

const plain = (text: string): OutgoingMessage => ({ type: 'message', text });
