import { MessageFactory, type TurnContext } from 'botbuilder';
import type { Language } from '../../core/language';
import type { StatsSummary } from '../../core/stats/dailyStats';
import type { StatsRequest } from '../../core/stats/statsRequest';
import type { StatsViews } from '../../views/statsViews';
import type { Logger } from '../logger';

/** What the `stats` command needs: the stored daily counts and their card. */
export interface Dashboard {
  stats: { summary(days: number): Promise<StatsSummary>; readonly retentionDays: number };
  views: StatsViews;
  logger: Logger;
}

/** Answers `stats [days]` (already authorised) with the dashboard card, or says what is wrong. */
export async function showDashboard(
  context: TurnContext,
  dashboard: Dashboard,
  language: Language,
  request: StatsRequest,
): Promise<void> {
  const { views, stats } = dashboard;
  if (request.kind === 'statsBadDays') {
    await context.sendActivity(views.text(language, 'stats.badDays'));
    return;
  }
  const days = Math.min(request.days, stats.retentionDays);
  let summary: StatsSummary;
  try {
    summary = await stats.summary(days);
  } catch (error) {
    dashboard.logger.warn('could not read the dashboard counts', { error: (error as Error).message });
    await context.sendActivity(views.text(language, 'stats.unavailable'));
    return;
  }
  await context.sendActivity(
    MessageFactory.attachment(views.dashboard(language, summary, request.days, stats.retentionDays)),
  );
}
