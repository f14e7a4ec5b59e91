/**
 * Text as the recogniser compares it: NFKC (full-width letters and digits to ASCII, half-width katakana to
 * full-width), lower case, hiragana folded to katakana (「さいんいん」 = 「サインイン」), spaces squeezed.
 */
export function normalizeForMatching(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u3041-\u3096]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60))
    .replace(/[’‘`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** Latin words and numbers, for word features and typo-tolerant keyword matching. */
export function latinWords(normalized: string): string[] {
  return normalized.match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];
}

/** Character n-grams of the text without spaces: Japanese has no spaces, so these carry the meaning. */
export function charNgrams(normalized: string, sizes: readonly number[] = [2, 3]): string[] {
  const compact = normalized.replace(/\s+/g, '');
  const grams: string[] = [];
  for (const n of sizes) for (let i = 0; i + n <= compact.length; i++) grams.push(compact.slice(i, i + n));
  return grams;
}

/** Levenshtein distance, capped: enough to forgive "offce" or "outlok". */
export function editDistance(a: string, b: string, cap = 2): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin > cap) return cap + 1;
    previous = current;
  }
  return previous[b.length];
}
