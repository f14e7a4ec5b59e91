import type { HelpDeskEvent } from './helpDeskEvents';

/**
 * One day's counts (a daily roll-up): what the dashboard reads. Bounded whatever the traffic: counters keyed by
 * flow, step or finding code, and at most MAX_TAKE_TIMES take times for the median.
 */
export interface DayStats {
  /** YYYY-MM-DD in the support team's time zone. */
  day: string;
  diagnoses: number;
  flows: Record<string, number>;
  /** By `procedure/step`: how often the step was the one before "it works now", and how often it did not help. */
  steps: Record<string, { resolved: number; notHelped: number }>;
  /** By procedure: answers to "does it work now?". */
  procedures: Record<string, { fixed: number; notFixed: number }>;
  licenceChecks: number;
  /** By finding code; `unavailable` counts checks that Graph could not answer. */
  findings: Record<string, number>;
  escalations: number;
  taken: number;
  takeMinutes: number[];
  resolved: number;
  closed: number;
  /** By stars, "1" to "5". */
  ratings: Record<string, number>;
  solved: number;
  notSolved: number;
}

const MAX_TAKE_TIMES = 1000;

export function emptyDay(day: string): DayStats {
  return {
    day,
    diagnoses: 0,
    flows: {},
    steps: {},
    procedures: {},
    licenceChecks: 0,
    findings: {},
    escalations: 0,
    taken: 0,
    takeMinutes: [],
    resolved: 0,
    closed: 0,
    ratings: {},
    solved: 0,
    notSolved: 0,
  };
}

const bump = (counts: Record<string, number>, key: string): Record<string, number> => ({
  ...counts,
  [key]: (counts[key] ?? 0) + 1,
});

export function applyEvent(day: DayStats, event: HelpDeskEvent): DayStats {
  switch (event.kind) {
    case 'diagnosisStarted':
      return { ...day, diagnoses: day.diagnoses + 1 };
    case 'flowUsed':
      return { ...day, flows: bump(day.flows, event.flow) };
    case 'stepNotHelped': {
      const key = `${event.procedure}/${event.step}`;
      const step = day.steps[key] ?? { resolved: 0, notHelped: 0 };
      return { ...day, steps: { ...day.steps, [key]: { ...step, notHelped: step.notHelped + 1 } } };
    }
    case 'procedureVerified': {
      const procedure = day.procedures[event.procedure] ?? { fixed: 0, notFixed: 0 };
      const procedures = {
        ...day.procedures,
        [event.procedure]: event.fixed
          ? { ...procedure, fixed: procedure.fixed + 1 }
          : { ...procedure, notFixed: procedure.notFixed + 1 },
      };
      if (!event.fixed || !event.step) return { ...day, procedures };
      const key = `${event.procedure}/${event.step}`;
      const step = day.steps[key] ?? { resolved: 0, notHelped: 0 };
      return { ...day, procedures, steps: { ...day.steps, [key]: { ...step, resolved: step.resolved + 1 } } };
    }
    case 'licenceChecked': {
      const codes = event.unavailable ? ['unavailable'] : event.findings;
      return {
        ...day,
        licenceChecks: day.licenceChecks + 1,
        findings: codes.reduce(bump, day.findings),
      };
    }
    case 'ticketOpened':
      return { ...day, escalations: day.escalations + 1 };
    case 'ticketTaken':
      return {
        ...day,
        taken: day.taken + 1,
        takeMinutes: [...day.takeMinutes, Math.max(0, Math.round(event.minutes))].slice(-MAX_TAKE_TIMES),
      };
    case 'ticketResolved':
      return { ...day, resolved: day.resolved + 1 };
    case 'ticketClosed':
      return { ...day, closed: day.closed + 1 };
    case 'ticketRated':
      return {
        ...day,
        ...(event.solved ? { solved: day.solved + 1 } : { notSolved: day.notSolved + 1 }),
        ratings: event.rating ? bump(day.ratings, String(event.rating)) : day.ratings,
      };
  }
}

/** The dashboard's figures over several days. */
export interface StatsSummary {
  days: number;
  from: string;
  to: string;
  diagnoses: number;
  /** Most used first. */
  flows: { flow: string; count: number }[];
  /** Steps that came right before "it works now", most first. */
  resolvingSteps: { procedure: string; step: string; count: number }[];
  /** Steps answered "did not help", most first. */
  unhelpfulSteps: { procedure: string; step: string; count: number }[];
  licenceChecks: number;
  findings: { code: string; count: number }[];
  escalations: number;
  taken: number;
  medianMinutesToTake?: number;
  resolved: number;
  /** Resolved tickets per escalation in the period, 0–1; undefined without escalations. */
  resolutionRate?: number;
  ratings: { stars: number; count: number }[];
  averageRating?: number;
}

function sumCounts(maps: Record<string, number>[]): Map<string, number> {
  const total = new Map<string, number>();
  for (const map of maps)
    for (const [key, n] of Object.entries(map)) total.set(key, (total.get(key) ?? 0) + n);
  return total;
}

const byCountThenName =
  <T extends { count: number }>(name: (item: T) => string) =>
  (a: T, b: T) =>
    b.count - a.count || name(a).localeCompare(name(b));

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function summarize(days: DayStats[], range: { from: string; to: string; days: number }): StatsSummary {
  const sum = (pick: (d: DayStats) => number) => days.reduce((total, d) => total + pick(d), 0);
  const steps = new Map<string, { resolved: number; notHelped: number }>();
  for (const day of days)
    for (const [key, counts] of Object.entries(day.steps)) {
      const total = steps.get(key) ?? { resolved: 0, notHelped: 0 };
      steps.set(key, {
        resolved: total.resolved + counts.resolved,
        notHelped: total.notHelped + counts.notHelped,
      });
    }
  const stepList = (pick: 'resolved' | 'notHelped') =>
    [...steps.entries()]
      .filter(([, counts]) => counts[pick] > 0)
      .map(([key, counts]) => {
        const cut = key.lastIndexOf('/');
        return { procedure: key.slice(0, cut), step: key.slice(cut + 1), count: counts[pick] };
      })
      .sort(byCountThenName((s) => `${s.procedure}/${s.step}`));
  const ratings = sumCounts(days.map((d) => d.ratings));
  const rated = [...ratings.values()].reduce((a, b) => a + b, 0);
  const escalations = sum((d) => d.escalations);
  const resolved = sum((d) => d.resolved);
  return {
    ...range,
    diagnoses: sum((d) => d.diagnoses),
    flows: [...sumCounts(days.map((d) => d.flows)).entries()]
      .map(([flow, count]) => ({ flow, count }))
      .sort(byCountThenName((f) => f.flow)),
    resolvingSteps: stepList('resolved'),
    unhelpfulSteps: stepList('notHelped'),
    licenceChecks: sum((d) => d.licenceChecks),
    findings: [...sumCounts(days.map((d) => d.findings)).entries()]
      .map(([code, count]) => ({ code, count }))
      .sort(byCountThenName((f) => f.code)),
    escalations,
    taken: sum((d) => d.taken),
    medianMinutesToTake: median(days.flatMap((d) => d.takeMinutes)),
    resolved,
    resolutionRate: escalations > 0 ? Math.min(1, resolved / escalations) : undefined,
    ratings: [5, 4, 3, 2, 1].map((stars) => ({ stars, count: ratings.get(String(stars)) ?? 0 })),
    averageRating: rated
      ? [...ratings.entries()].reduce((total, [stars, n]) => total + Number(stars) * n, 0) / rated
      : undefined,
  };
}
