import type { TurnContext } from 'botbuilder';
import { languageFromLocale, type Language } from '../core/language';

const TURN_LANGUAGE = Symbol('turnLanguage');

/** The language of this turn, as decided by the bot's language middleware; the locale when none ran. */
export function languageOf(context: TurnContext): Language {
  return (
    (context.turnState.get(TURN_LANGUAGE) as Language | undefined) ??
    languageFromLocale(context.activity.locale)
  );
}

export function setTurnLanguage(context: TurnContext, language: Language): void {
  context.turnState.set(TURN_LANGUAGE, language);
}
