import type { TicketCategory } from '../tickets/ticket';

/**
 * What happened at the help desk, as the dashboard and the telemetry count it. Recorded where it happens (the
 * dialogs, the ticket desk); plain data with no user text and no ids of people.
 */
export type HelpDeskEvent =
  /** A new diagnosis began (a conversation with the bot about a problem). */
  | { kind: 'diagnosisStarted' }
  /** A diagnosis went into one of the flows (sign-in repair, activation, account…). */
  | { kind: 'flowUsed'; flow: string }
  /** "Did it help?" answered no on a step. */
  | { kind: 'stepNotHelped'; procedure: string; step: string }
  /** "Does it work now?" after a procedure: `step` is the last step done before the answer. */
  | { kind: 'procedureVerified'; procedure: string; step?: string; fixed: boolean }
  /** The licence check's finding codes (none when the licence is fine), or that it could not be checked. */
  | { kind: 'licenceChecked'; findings: readonly string[]; unavailable?: boolean }
  | { kind: 'ticketOpened'; category: TicketCategory }
  /** An agent took a ticket for the first time, this many minutes after it was opened. */
  | { kind: 'ticketTaken'; minutes: number }
  | { kind: 'ticketResolved' }
  | { kind: 'ticketClosed' }
  | { kind: 'ticketRated'; solved: boolean; rating?: number };

/** Where events go. Recording never fails the caller's turn: an implementation logs its own trouble. */
export interface HelpDeskEvents {
  record(event: HelpDeskEvent): void;
}

export const noHelpDeskEvents: HelpDeskEvents = { record: () => {} };

/** Sends every event to each of several recorders (the dashboard's roll-ups and the telemetry). */
export function allOf(...recorders: HelpDeskEvents[]): HelpDeskEvents {
  return { record: (event) => recorders.forEach((r) => r.record(event)) };
}
