import type { BotState, Middleware, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { languageFromLocale, languageFromText, type Language } from '../core/language';
import { setTurnLanguage } from '../dialogs/turnLanguage';
import { isProactiveTurn } from './proactiveScope';

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
    // A proactive turn has no user words; what it sends is already in the ticket's language.
    if (isProactiveTurn()) return next();
    const activity = context.activity;
    const shared = (activity.conversation?.conversationType ?? 'personal') !== 'personal';
    const addressed = !shared || activity.value !== undefined || /<at>.*?<\/at>/.test(activity.text ?? '');
    // Only the user's own words tell their language: not the bot's name in a mention, not a pasted error
    // message or code (often English in a Japanese conversation), not a pasted PC check, not group chatter.
    const withoutMention = (activity.text ?? '').replace(/<at>.*?<\/at>/g, '');
    const ownWords = withoutMention
      .replace(/「[^」]*」|"[^"]*"|“[^”]*”/g, ' ')
      .replace(/\b(?:AADSTS\d+|0x[0-9a-f]{8})\b[^。\n]*/gi, ' ')
      .replace(/={3,40}\s{0,5}Sign-in\sDesk\sPC\scheck[\s\S]*?(?:={3,40}\s{0,5}end\s{0,5}={3,40}|$)/gi, ' ');
    // Japanese anywhere (even quoted) means a Japanese reader; English must come from the user's own words.
    const fromText = !addressed
      ? undefined
      : languageFromText(withoutMention) === 'ja'
        ? 'ja'
        : languageFromText(ownWords);
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
