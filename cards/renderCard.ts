import * as ACData from 'adaptivecards-templating';

/** What a bot sends: a card attachment. Plain data, so cards/ needs no Bot Framework import. */
export interface CardAttachment {
  contentType: 'application/vnd.microsoft.card.adaptive';
  content: Record<string, unknown>;
}

/**
 * Teams' documented ceiling has moved between 25, 28, 40 and ~100 KB over the years; 28 KB is safe on every
 * path (bot messages, webhooks, Workflows), so every card must fit in it.
 */
export const CARD_SIZE_LIMIT_BYTES = 28 * 1024;

export class CardTooLargeError extends Error {
  constructor(
    readonly templateName: string,
    readonly bytes: number,
  ) {
    super(`Card '${templateName}' is ${bytes} bytes, over the ${CARD_SIZE_LIMIT_BYTES}-byte limit`);
    this.name = 'CardTooLargeError';
  }
}

// Without this an unset field would show its internal path, e.g. "${labels.done}", to the user.
ACData.GlobalSettings.getUndefinedFieldValueSubstitutionString = () => '';

const prepared = new Map<string, ACData.Template>();

/**
 * Expands a static, trusted template with data exactly once. Data values are never parsed as expressions
 * (only the template is), so "${...}" typed by a user stays literal; re-expanding output would break that.
 */
export function renderCard<T extends object>(
  templateName: string,
  template: object,
  data: T,
): CardAttachment {
  let compiled = prepared.get(templateName);
  if (!compiled) {
    compiled = new ACData.Template(template);
    prepared.set(templateName, compiled);
  }
  const content = compiled.expand({ $root: data }) as Record<string, unknown>;
  const bytes = Buffer.byteLength(JSON.stringify(content), 'utf8');
  if (bytes > CARD_SIZE_LIMIT_BYTES) throw new CardTooLargeError(templateName, bytes);
  return { contentType: 'application/vnd.microsoft.card.adaptive', content };
}
