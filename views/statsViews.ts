import { renderStatsCard, type StatsRow } from '../cards/statsCard';
import type { CardAttachment } from '../cards/renderCard';
import type { ContentCatalog } from '../core/content/catalog';
import type { Language } from '../core/language';
import type { StatsSummary } from '../core/stats/dailyStats';
import type { DiagnosisViews } from './diagnosisViews';

const BAR_WIDTH = 10;
/** Enough rows to see what matters; a longer list would only push the card past Teams' size limit. */
const MAX_ROWS = 8;

/** The help-desk dashboard, from the stored daily roll-ups. */
export class StatsViews {
  constructor(
    private readonly catalog: ContentCatalog,
    private readonly diagnosis: DiagnosisViews,
  ) {}

  text(language: Language, key: string, params?: Record<string, string | number>): string {
    return this.catalog.text(language, key, params);
  }

  /** `retentionDays`: shown when fewer days are kept than were asked for. */
  dashboard(language: Language, summary: StatsSummary, asked: number, retentionDays: number): CardAttachment {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    const rows = <T>(
      items: T[],
      label: (item: T) => string,
      count: (item: T) => number,
      color: StatsRow['color'],
    ) => {
      const shown = items.filter((item) => count(item) > 0).slice(0, MAX_ROWS);
      const max = Math.max(1, ...shown.map(count));
      return shown.map((item) => ({
        label: label(item),
        bar: '█'.repeat(Math.max(1, Math.round((BAR_WIDTH * count(item)) / max))),
        value: String(count(item)),
        color,
      }));
    };
    const section = (heading: string, sectionRows: StatsRow[]) => ({
      heading: t(heading),
      empty: t('stats.empty'),
      rows: sectionRows,
    });
    const dash = t('stats.none');
    const notes = [
      asked > retentionDays ? t('stats.clamped', { retention: retentionDays }) : '',
      t('stats.footnote', {
        escalations: summary.escalations,
        taken: summary.taken,
        resolved: summary.resolved,
        retention: retentionDays,
      }),
    ].filter(Boolean);
    return renderStatsCard({
      title: t('stats.title'),
      period: t('stats.period', { from: summary.from, to: summary.to, days: summary.days }),
      headline: [
        { label: t('stats.headline.diagnoses'), value: String(summary.diagnoses) },
        { label: t('stats.headline.escalations'), value: String(summary.escalations) },
        {
          label: t('stats.headline.medianTake'),
          value:
            summary.medianMinutesToTake === undefined
              ? dash
              : this.duration(language, summary.medianMinutesToTake),
        },
        {
          label: t('stats.headline.resolution'),
          value: summary.resolutionRate === undefined ? dash : `${Math.round(summary.resolutionRate * 100)}%`,
        },
        {
          label: t('stats.headline.rating'),
          value: summary.averageRating === undefined ? dash : `★${summary.averageRating.toFixed(1)}`,
        },
      ],
      sections: [
        section(
          'stats.section.flows',
          rows(
            summary.flows,
            (f) => this.flowLabel(language, f.flow),
            (f) => f.count,
            'Accent',
          ),
        ),
        section(
          'stats.section.resolving',
          rows(
            summary.resolvingSteps,
            (s) => this.stepLabel(language, s.procedure, s.step),
            (s) => s.count,
            'Good',
          ),
        ),
        section(
          'stats.section.unhelpful',
          rows(
            summary.unhelpfulSteps,
            (s) => this.stepLabel(language, s.procedure, s.step),
            (s) => s.count,
            'Attention',
          ),
        ),
        section(
          'stats.section.findings',
          rows(
            summary.findings,
            (f) => this.findingLabel(language, f.code),
            (f) => f.count,
            'Warning',
          ),
        ),
        section(
          'stats.section.ratings',
          rows(
            summary.ratings,
            (r) => '★'.repeat(r.stars),
            (r) => r.count,
            'Accent',
          ),
        ),
      ],
      footnote: notes.join('\n\n'),
    });
  }

  private duration(language: Language, minutes: number): string {
    if (minutes < 60) return this.text(language, 'stats.minutes', { minutes: Math.round(minutes) });
    return this.text(language, 'stats.hours', { hours: (minutes / 60).toFixed(1) });
  }

  private flowLabel(language: Language, flow: string): string {
    const key = `menu.${flow}`;
    return this.catalog.hasText(key) ? this.text(language, key) : flow;
  }

  /** The step's title and its procedure's short name; ids when the content no longer has them. */
  private stepLabel(language: Language, procedureId: string, stepId: string): string {
    const content = this.diagnosis.flow(language);
    if (!content.hasProcedure(procedureId)) return `${procedureId} / ${stepId}`;
    const procedure = content.procedure(procedureId);
    const step = procedure.steps.includes(stepId) ? content.step(stepId).title : stepId;
    return this.text(language, 'stats.stepLabel', {
      step,
      procedure: procedure.buttonLabel ?? procedure.title,
    });
  }

  /** `assignmentError:CountViolation` reads as the finding with its Entra error code. */
  private findingLabel(language: Language, code: string): string {
    const [kind, detail] = code.split(':');
    const key = `stats.finding.${kind}`;
    const label = this.catalog.hasText(key) ? this.text(language, key) : kind;
    return detail ? this.text(language, 'stats.findingDetail', { finding: label, detail }) : label;
  }
}
