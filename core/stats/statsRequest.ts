import { foldText } from '../textMatching';

/** The dashboard shows 7 days unless asked for another number. */
export const DEFAULT_STATS_DAYS = 7;

export type StatsRequest = { kind: 'stats'; days: number } | { kind: 'statsBadDays'; typed: string };

/**
 * "stats", "stats 30", "stats 30 days", 「統計」「統計 30日」「ダッシュボード 14日間」. Only the whole message counts, so a
 * sentence that merely contains the word is not mistaken for the command.
 */
export function parseStatsRequest(text: string | undefined): StatsRequest | undefined {
  if (!text) return undefined;
  const folded = foldText(text.normalize('NFKC').trim());
  const match =
    /^(?:stats|statistics|dashboard|統計|集計|ダッシュボード)(?:\s*(\S+?)\s*(?:days?|日間?)?)?$/.exec(folded);
  if (!match) return undefined;
  if (match[1] === undefined) return { kind: 'stats', days: DEFAULT_STATS_DAYS };
  const days = /^\d{1,4}$/.test(match[1]) ? Number(match[1]) : NaN;
  if (!Number.isInteger(days) || days < 1) return { kind: 'statsBadDays', typed: match[1].slice(0, 20) };
  return { kind: 'stats', days };
}
