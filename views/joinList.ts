import type { Language } from '../core/language';

/** Items of a list as the language writes them: 「、」 in Japanese, ", " in English. */
export function joinList(language: Language, items: readonly string[]): string {
  return items.join(language === 'ja' ? '、' : ', ');
}
