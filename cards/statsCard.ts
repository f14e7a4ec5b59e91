import template from './stats.json';
import { renderCard, type CardAttachment } from './renderCard';

export interface StatsRow {
  label: string;
  /** A bar of block characters, as long as the row's share of the section's largest value. */
  bar: string;
  value: string;
  color: 'Good' | 'Attention' | 'Accent' | 'Warning';
}

export interface StatsCardData {
  title: string;
  period: string;
  /** The few figures that matter most, side by side. */
  headline: { label: string; value: string }[];
  sections: { heading: string; empty: string; rows: StatsRow[] }[];
  footnote?: string;
}

/** The help-desk dashboard: clean tables with text bars, which render the same in Teams and the Playground. */
export function renderStatsCard(data: StatsCardData): CardAttachment {
  return renderCard('stats', template, { ...data, footnote: data.footnote ?? '' });
}
