import template from './report.json';
import { renderCard, type CardAttachment } from './renderCard';

/**
 * A titled list of sections: verdicts, licence details, reports. Section `text` is ours (markdown);
 * `lines` carry directory data (names, UPNs) and are shown in TextRuns, which Teams never parses.
 */
export interface ReportSection {
  heading?: string;
  text?: string;
  style?: 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';
  lines?: { label: string; value: string }[];
}

export interface ReportCardData {
  title: string;
  subtitle?: string;
  sections: ReportSection[];
  buttons?: { label: string; data: Record<string, string> }[];
  links?: { title: string; url: string }[];
}

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}…` : text);

export function renderReportCard(data: ReportCardData): CardAttachment {
  return renderCard('report', template, {
    title: data.title,
    subtitle: data.subtitle ?? '',
    sections: data.sections.map((s) => ({
      heading: s.heading ?? '',
      text: s.text ?? '',
      style: s.style ?? 'default',
      // Directory and audit values can be long; a card must stay under Teams' size limit.
      lines: (s.lines ?? []).map((l) => ({
        label: l.label ? `${l.label}: ` : '',
        value: clip(l.value, 300),
      })),
    })),
    buttons: data.buttons ?? [],
    links: data.links ?? [],
  });
}
