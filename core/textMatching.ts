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
  /** How many of the first choices are buttons in that order, so 「2番目」 or "the second one" picks one. */
  numbered = 0,
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
  if (best && !tie) return { choice: best.choice, keyword: best.keyword };
  const position = best ? undefined : ordinalPosition(text, Math.min(numbered, choices.length));
  return position ? { choice: choices[position - 1], keyword: text } : undefined;
}

/**
 * A keyword that names a choice by itself: a Japanese word of two characters or more (「個人」「ループ」), or a
 * Latin one of five letters or more ("personal", "hotmail"), which keeps "no", "yes", "work" and "code" out.
 */
export function isSpecificKeyword(keyword: string): boolean {
  const folded = foldText(keyword);
  return /^[\x20-\x7e]+$/.test(folded) ? folded.length >= 5 : folded.length >= 2;
}

/** Katakana words that contain another keyword: 「パスワード」 is not Word (「ワード」). */
const HOST_WORDS = ['パスワード', 'キーワード', 'ワードパッド'];

function withoutHostWords(folded: string, keyword: string): string {
  let text = folded;
  for (const host of HOST_WORDS)
    if (host.includes(keyword) && !keyword.includes(host)) text = text.split(host).join('・');
  return text;
}

/**
 * Latin keywords match whole words only ("no" must not match "know"); Japanese has no spaces, so a
 * keyword with any non-Latin character matches anywhere.
 */
export function containsKeyword(folded: string, keyword: string): boolean {
  if (!/^[\x20-\x7e]+$/.test(keyword)) return withoutHostWords(folded, keyword).includes(keyword);
  const escaped = keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Letters border letters and digits border digits, so "office2016" still contains "2016".
  const edge = (ch: string) => (/[0-9]/.test(ch) ? '0-9' : /[a-z]/.test(ch) ? 'a-z' : '');
  const before = edge(keyword[0]) ? `(?<![${edge(keyword[0])}])` : '';
  const after = edge(keyword[keyword.length - 1]) ? `(?![${edge(keyword[keyword.length - 1])}])` : '';
  // "don't send it" does not say "send", nor "not fixed" "fixed".
  const negated = /^(?:no|not|never|don't|dont|do not)\b/.test(keyword)
    ? ''
    : "(?<!\\b(?:no|not|never|don't|dont|do not) )";
  return new RegExp(`${negated}${before}${escaped}${after}`).test(folded);
}

const JA_NUMERALS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const EN_ORDINALS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
};

/**
 * The button a message points at by its place on the card (1-based): 「3番目」「2つ目です」「上から2番目」「最初の」
 * 「一番下」, "the first one", "2nd", "option 3", "#2", or a lone digit. Only a message that is nothing but the
 * position counts, so "Office 2016" or "step 2 didn't work" never pick a button.
 */
export function ordinalPosition(text: string, count: number): number | undefined {
  if (count < 1) return undefined;
  const folded = foldText(text)
    .replace(/[。.!！?？、,]+$/u, '')
    .replace(/\s*(please|pls|thanks)$/u, '')
    .trim();
  const ja = folded
    .replace(/^(えっと|えーと|じゃあ|では|うーん)[、,]?\s*/u, '')
    .replace(/(です|でお願いします|をお願いします|にします|を選びます|を選択|で|を|かな)$/u, '')
    .replace(/の(もの|やつ|選択肢|ボタン|項目)$/u, '')
    .replace(/の$/u, '');
  const inRange = (n: number | undefined) => (n !== undefined && n >= 1 && n <= count ? n : undefined);
  if (/^(最初|一番上|いちばん上|1番上)$/u.test(ja)) return 1;
  if (/^(最後|一番下|いちばん下|1番下)$/u.test(ja)) return count;
  const jaMatch =
    /^(?:上から)?([1-9]|[一二三四五六七八九])(?:番目?|つ目|つめ|個目|こめ)(?:の.{0,12})?$/u.exec(ja);
  if (jaMatch) return inRange(Number(jaMatch[1]) || JA_NUMERALS[jaMatch[1]]);
  const en = folded.replace(/^(um+|ok|okay|so),?\s+/u, '');
  if (/^(the )?(first|top)( one| option| choice| button)?$/u.test(en)) return 1;
  if (/^(the )?(last|bottom)( one| option| choice| button)?$/u.test(en)) return count;
  const enMatch =
    /^(?:the )?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|[1-9](?:st|nd|rd|th))(?: one| option| choice| button)?$/u.exec(
      en,
    ) ?? /^(?:option|choice|number|no\.?|#)\s?([1-9])$/u.exec(en);
  if (enMatch) return inRange(EN_ORDINALS[enMatch[1]] ?? Number.parseInt(enMatch[1], 10));
  if (/^[1-9]$/u.test(folded)) return inRange(Number(folded));
  return undefined;
}

/** Character pairs of a folded text without spaces or punctuation: how two wordings of one thing overlap. */
function pairsOf(text: string): Set<string> {
  const compact = foldText(text).replace(/[\s\p{P}\p{S}]/gu, '');
  const pairs = new Set<string>();
  for (let i = 0; i + 2 <= compact.length; i++) pairs.add(compact.slice(i, i + 2));
  return pairs;
}

/**
 * The choice whose label the words resemble most (「キャッシュ消すほう」 for "Clear the browser cache and cookies"),
 * when one resembles them clearly more than the others: for cards whose buttons are long titles.
 */
export function closestByWords<T extends { keywords: readonly string[]; label: string }>(
  text: string,
  choices: readonly T[],
): { choice: T; keyword: string; loose: true } | undefined {
  const words = pairsOf(text);
  if (words.size < 2) return undefined;
  const scored = choices
    .map((choice) => {
      const best = Math.max(
        ...[choice.label, ...choice.keywords].map((label) => {
          const pairs = pairsOf(label);
          let shared = 0;
          for (const pair of words) if (pairs.has(pair)) shared++;
          return shared / words.size;
        }),
      );
      return { choice, score: best };
    })
    .sort((a, b) => b.score - a.score);
  const [first, second] = scored;
  if (!first || first.score < LIKENESS_MIN || first.score - (second?.score ?? 0) < LIKENESS_MARGIN)
    return undefined;
  return { choice: first.choice, keyword: text, loose: true };
}

const LIKENESS_MIN = 0.34;
const LIKENESS_MARGIN = 0.15;
