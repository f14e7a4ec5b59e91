/**
 * Everything a user or admin types reaches Graph only through these. The SDK's .filter() does no encoding:
 * an "&" or "#" in a value would split the query or cut it off (GRAPH-NOTES 5.4).
 */

/** A URL path segment such as a UPN; guest UPNs contain "#EXT#", which must travel as %23EXT%23. */
export function pathSegment(value: string): string {
  return encodeURIComponent(value);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (value: string): boolean => GUID.test(value);

/** A filter built from typed text, encoded as a whole: `$filter=` plus this. */
export function encodeFilter(filter: string): string {
  return encodeURIComponent(filter);
}

/** `startswith(prop,'text')` with the text escaped; `'` doubled before encoding. */
export function startsWith(property: string, text: string): string {
  return `startswith(${property},'${text.replace(/'/g, "''")}')`;
}

export function equals(property: string, text: string): string {
  return `${property} eq '${text.replace(/'/g, "''")}'`;
}
