/**
 * The Office activations report as Graph delivers it: a CSV file (GET /reports/getOffice365ActivationsUserDetail
 * answers 302 to a short-lived download URL). Parsed here into the domain's rows, indexed by UPN.
 *
 * Columns (microsoftgraph/microsoft-graph-docs-contrib `api-reference/v1.0/api/reportroot-getoffice365activationsuserdetail.md`,
 * GRAPH-NOTES 1.7): Report Refresh Date, User Principal Name, Display Name, Product Type, Last Activated Date,
 * Windows, Mac, Windows 10 Mobile, iOS, Android, Activated On Shared Computer. Columns are found by name, so a
 * reordered or extended header still parses.
 */
import type { OfficeActivationRow } from '../../core/licensing/officeActivations';

/** A file that is not the report (no header with the UPN and product columns). */
export class ReportFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportFormatError';
  }
}

/**
 * RFC 4180 CSV: a leading byte-order mark is dropped; fields may be quoted, with `""` for a quote and commas or line
 * breaks inside; lines end in CRLF, LF or CR; blank lines are skipped. Unquoted fields are kept as they are.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  const endRow = (): void => {
    endField();
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\r' || c === '\n') {
      endRow();
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else field += c;
    i++;
  }
  if (quoted) throw new ReportFormatError('the CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** The report, parsed: each user's rows under their UPN in lower case. */
export interface ActivationsReport {
  /** "Report Refresh Date" (YYYY-MM-DD) of the first row that has one. */
  refreshDate?: string;
  byUpn: Map<string, OfficeActivationRow[]>;
  /** How many UPNs are 32 hex digits: the tenant shows concealed names in reports. */
  concealedNames: number;
  rows: number;
}

/** A concealed name: the report replaces UPN and display name with 32 hex digits (an MD5-length hash). */
export const CONCEALED_NAME = /^[0-9a-f]{32}$/i;

const COLUMNS = {
  refreshDate: 'report refresh date',
  upn: 'user principal name',
  productType: 'product type',
  lastActivatedDate: 'last activated date',
  windows: 'windows',
  mac: 'mac',
  windows10Mobile: 'windows 10 mobile',
  ios: 'ios',
  android: 'android',
  sharedComputer: 'activated on shared computer',
} as const;

const normaliseHeader = (name: string): string => name.trim().replace(/\s+/g, ' ').toLowerCase();

/** Parses the report's CSV. Throws ReportFormatError when it is not the activations report. */
export function parseActivationsReport(text: string): ActivationsReport {
  const [header, ...lines] = parseCsv(text);
  if (!header) throw new ReportFormatError('the report is empty (no header)');
  const names = header.map(normaliseHeader);
  const at = Object.fromEntries(
    Object.entries(COLUMNS).map(([key, name]) => [key, names.indexOf(name)]),
  ) as Record<keyof typeof COLUMNS, number>;
  if (at.upn < 0 || at.productType < 0)
    throw new ReportFormatError('the report has no "User Principal Name" or "Product Type" column');
  const report: ActivationsReport = { byUpn: new Map(), concealedNames: 0, rows: 0 };
  for (const line of lines) {
    const cell = (column: number): string => (column >= 0 ? (line[column] ?? '').trim() : '');
    const upn = cell(at.upn);
    const productType = cell(at.productType);
    if (upn === '' || productType === '') continue;
    report.rows++;
    if (CONCEALED_NAME.test(upn)) report.concealedNames++;
    report.refreshDate ??= isoDate(cell(at.refreshDate));
    const lastActivatedDate = isoDate(cell(at.lastActivatedDate));
    const row: OfficeActivationRow = {
      productType,
      windows: countOf(cell(at.windows)),
      mac: countOf(cell(at.mac)),
      windows10Mobile: countOf(cell(at.windows10Mobile)),
      ios: countOf(cell(at.ios)),
      android: countOf(cell(at.android)),
      activatedOnSharedComputer: cell(at.sharedComputer).toLowerCase() === 'true',
      ...(lastActivatedDate ? { lastActivatedDate } : {}),
    };
    const key = upn.toLowerCase();
    const list = report.byUpn.get(key);
    if (list) list.push(row);
    else report.byUpn.set(key, [row]);
  }
  return report;
}

/** A device count; anything else (empty, text, negative) counts as none. */
function countOf(text: string): number {
  return /^\d{1,6}$/.test(text) ? Number(text) : 0;
}

/** YYYY-MM-DD from "2026-05-01" or "2026-05-01T…"; undefined for anything else. */
function isoDate(text: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}(?:$|T)/.test(text) ? text.slice(0, 10) : undefined;
}
