import type { BotState, Middleware, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { languageFromLocale, languageFromText, type Language } from '../core/language';
import { setTurnLanguage } from '../dialogs/turnLanguage';

/**
 * Decides each turn's language: what the text itself shows (see languageFromText), then what this user's
 * earlier text showed in this conversation (so a button click keeps the conversation's language), then
 * activity.locale.
 */
export class LanguageMiddleware implements Middleware {
  private readonly remembered: StatePropertyAccessor<Language | undefined>;

  constructor(userInConversationState: BotState) {
    this.remembered = userInConversationState.createProperty<Language | undefined>('language');
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    // A mention is the bot's name, not the user's language.
    const fromText = languageFromText(context.activity.text?.replace(/<at>.*?<\/at>/g, ''));
    let language: Language;
    if (fromText) {
      language = fromText;
      await this.remembered.set(context, fromText);
    } else {
      language = (await this.remembered.get(context)) ?? languageFromLocale(context.activity.locale);
    }
    setTurnLanguage(context, language);
    await next();
  }
}
