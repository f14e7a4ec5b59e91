/** Languages the bot speaks. Japanese comes first: it is the default for any locale we do not cover. */
export const LANGUAGES = ['ja', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'ja';

/** Maps an activity locale such as `en-US`, `ja-JP` or `en` to a language we have content for. */
export function languageFromLocale(locale: string | undefined | null): Language {
  const primary = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(primary) ? (primary as Language) : DEFAULT_LANGUAGE;
}

const JAPANESE_SCRIPT = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]/u;
const ENGLISH_WORD = /\b[a-z]+(?:'[a-z]+)?\b/gi;

/**
 * What the text itself says about the language. Japanese characters mean Japanese, whatever the client's
 * locale: Teams clients set to English are common in Japanese companies. A sentence of English words (three
 * or more, so "Office 2016" or "help" decide nothing) means English. Otherwise undefined.
 */
export function languageFromText(text: string | undefined | null): Language | undefined {
  if (!text) return undefined;
  if (JAPANESE_SCRIPT.test(text)) return 'ja';
  return (text.match(ENGLISH_WORD) ?? []).length >= 3 ? 'en' : undefined;
}
