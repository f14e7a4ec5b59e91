/**
 * Folding for typed text: NFKC turns full-width letters and digits into ASCII and half-width katakana into
 * full-width, so "Ｏｆｆｉｃｅ２０１６" and "office2016" compare equal.
 */
export function foldText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** True when the folded text is exactly one of the words (commands such as "help" or 「ヘルプ」). */
export function isOneOf(text: string, words: readonly string[]): boolean {
  const folded = foldText(text).replace(/[。.!！?？]+$/u, '');
  return words.some((word) => foldText(word) === folded);
}

/**
 * Picks the choice whose keywords appear in the text. Longer keywords win, so "Microsoft 365" beats "365"
 * and "別の管理者" beats "管理者". Returns undefined when nothing matches or two choices tie.
 */
export function matchKeywords<T extends { keywords: readonly string[]; label: string }>(
  text: string,
  choices: readonly T[],
): T | undefined {
  return matchKeywordsWithKeyword(text, choices)?.choice;
}

/** As matchKeywords, with the keyword that matched (how much of the message it covers tells a clear answer). */
export function matchKeywordsWithKeyword<T extends { keywords: readonly string[]; label: string }>(
  text: string,
  choices: readonly T[],
): { choice: T; keyword: string } | undefined {
  const folded = foldText(text);
  let best: { choice: T; length: number; keyword: string } | undefined;
  let tie = false;
  for (const choice of choices) {
    for (const keyword of [choice.label, ...choice.keywords]) {
      const k = foldText(keyword);
      if (!k || !containsKeyword(folded, k)) continue;
      if (!best || k.length > best.length) {
        best = { choice, length: k.length, keyword };
        tie = false;
      } else if (k.length === best.length && best.choice !== choice) tie = true;
    }
  }
  return best && !tie ? { choice: best.choice, keyword: best.keyword } : undefined;
}

/**
 * Latin keywords match whole words only ("no" must not match "know"); Japanese has no spaces, so a
 * keyword with any non-Latin character matches anywhere.
 */
export function containsKeyword(folded: string, keyword: string): boolean {
  if (!/^[\x20-\x7e]+$/.test(keyword)) return folded.includes(keyword);
  const escaped = keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Letters border letters and digits border digits, so "office2016" still contains "2016".
  const edge = (ch: string) => (/[0-9]/.test(ch) ? '0-9' : /[a-z]/.test(ch) ? 'a-z' : '');
  const before = edge(keyword[0]) ? `(?<![${edge(keyword[0])}])` : '';
  const after = edge(keyword[keyword.length - 1]) ? `(?![${edge(keyword[keyword.length - 1])}])` : '';
  return new RegExp(`${before}${escaped}${after}`).test(folded);
}
