import type { DiagnosisTrail } from '../core/diagnosis';

/**
 * What every diagnosis dialog hands back to its caller when it ends. One type, told apart by `kind`, so a caller
 * switches on what happened instead of guessing from which fields are present.
 */
export type FlowResult =
  /** The dialog is over: fixed, given up, or handed to a person already (`ticket`). */
  | { kind: 'finished'; trail: DiagnosisTrail; ticket?: number }
  /** The user asked for a person: the caller starts the escalation with this trail. */
  | { kind: 'escalate'; trail: DiagnosisTrail }
  /** An answer points at the licence: the caller runs the licence check. */
  | { kind: 'checkLicence'; trail: DiagnosisTrail }
  /** The licence is fine on the server: the caller goes on with the checks on the PC. */
  | { kind: 'clientChecks'; trail: DiagnosisTrail }
  /** The user went back from a procedure's first step: the caller asks its last question again. */
  | { kind: 'back'; trail: DiagnosisTrail }
  /** A procedure hands over to a question (activation checks to the per-version reset). */
  | { kind: 'continueWith'; trail: DiagnosisTrail; question: string };
