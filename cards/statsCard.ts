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

/** Headline figures per row: more side by side split words on a narrow (phone, 450 px) card. */
const HEADLINE_COLUMNS = 3;

/** The help-desk dashboard: clean tables with text bars, which render the same in Teams and the Playground. */
export function renderStatsCard(data: StatsCardData): CardAttachment {
  const headlineRows = [];
  for (let i = 0; i < data.headline.length; i += HEADLINE_COLUMNS)
    headlineRows.push({ columns: data.headline.slice(i, i + HEADLINE_COLUMNS) });
  return renderCard('stats', template, { ...data, headlineRows, footnote: data.footnote ?? '' });
}
