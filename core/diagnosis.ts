import type { PcFacts } from './pcCheck/pcCheck';
import type { TeamsAccount } from './pcCheck/pcFindings';

/**
 * The diagnosis trail: what the user said, chose and tried. It is plain data (it lives in dialog state and
 * will travel with an escalation), and these functions never mutate their input.
 */
export type StepOutcome = 'done' | 'notHelped' | 'unchecked';

export interface ProcedureAttempt {
  procedure: string;
  steps: { step: string; outcome: StepOutcome }[];
  /** Answer to "does it work now?" after this procedure or one of its checkpoints. */
  fixed?: boolean;
}

export interface DiagnosisTrail {
  /** The user's own words, kept verbatim. */
  description?: string;
  answers: { question: string; choice: string }[];
  attempts: ProcedureAttempt[];
  /** What the directory said about the user's licence, when it was checked. */
  licence?: { usable: boolean; findings: string[] } | { unavailable: true };
  outcome?: 'fixed' | 'handoff';
  /** Facts read from the user's PC (a pasted "Check my PC" block), and the Teams account they were compared with. */
  pcCheck?: PcCheckRecord;
}

export interface PcCheckRecord {
  facts: PcFacts;
  teamsAccount?: TeamsAccount;
}

/** The user's own words are kept, up to a length that fits on a card. */
export const DESCRIPTION_LIMIT = 1000;

export const emptyTrail = (description?: string): DiagnosisTrail => ({
  ...(description
    ? {
        description:
          description.length > DESCRIPTION_LIMIT
            ? `${description.slice(0, DESCRIPTION_LIMIT)}…`
            : description,
      }
    : {}),
  answers: [],
  attempts: [],
});

export function withAnswer(trail: DiagnosisTrail, question: string, choice: string): DiagnosisTrail {
  return {
    ...trail,
    answers: [...trail.answers.filter((a) => a.question !== question), { question, choice }],
  };
}

export function withoutAnswer(trail: DiagnosisTrail, question: string): DiagnosisTrail {
  return { ...trail, answers: trail.answers.filter((a) => a.question !== question) };
}

export function withAttemptStarted(trail: DiagnosisTrail, procedure: string): DiagnosisTrail {
  return { ...trail, attempts: [...trail.attempts, { procedure, steps: [] }] };
}

function updateCurrentAttempt(
  trail: DiagnosisTrail,
  update: (attempt: ProcedureAttempt) => ProcedureAttempt,
): DiagnosisTrail {
  if (trail.attempts.length === 0) throw new Error('No procedure attempt in progress');
  const attempts = [...trail.attempts];
  attempts[attempts.length - 1] = update(attempts[attempts.length - 1]);
  return { ...trail, attempts };
}

export function withStepOutcome(trail: DiagnosisTrail, step: string, outcome: StepOutcome): DiagnosisTrail {
  return updateCurrentAttempt(trail, (attempt) => ({
    ...attempt,
    steps: [...attempt.steps.filter((s) => s.step !== step), { step, outcome }],
  }));
}

export function withVerification(trail: DiagnosisTrail, fixed: boolean): DiagnosisTrail {
  const updated = updateCurrentAttempt(trail, (attempt) => ({ ...attempt, fixed }));
  return fixed ? { ...updated, outcome: 'fixed' } : updated;
}

export function withLicence(
  trail: DiagnosisTrail,
  licence: NonNullable<DiagnosisTrail['licence']>,
): DiagnosisTrail {
  return { ...trail, licence };
}

export function withPcCheck(trail: DiagnosisTrail, pcCheck: PcCheckRecord): DiagnosisTrail {
  return { ...trail, pcCheck };
}

export function withHandoff(trail: DiagnosisTrail): DiagnosisTrail {
  return { ...trail, outcome: 'handoff' };
}

/**
 * The procedures still worth offering after `current` failed: its fallbacks, minus anything already tried.
 * A person is always offered after these, by the caller.
 */
export function remainingFallbacks(trail: DiagnosisTrail, fallbacks: readonly string[]): string[] {
  const tried = new Set(trail.attempts.map((a) => a.procedure));
  return fallbacks.filter((f) => !tried.has(f));
}

/** Fallbacks accumulate across attempts: after WPJCleanUp fails, the reset's other fallbacks remain. */
export function fallbacksFor(
  trail: DiagnosisTrail,
  fallbacksOf: (procedure: string) => readonly string[],
): string[] {
  const all: string[] = [];
  for (const attempt of trail.attempts)
    for (const f of fallbacksOf(attempt.procedure)) if (!all.includes(f)) all.push(f);
  return remainingFallbacks(trail, all);
}
