import { TurnContext, type ConversationReference } from 'botbuilder';
import type { Person } from '../core/tickets/ticket';

/** Turn helpers that the router, the dialogs and the ticket handlers share: written once, here. */

export const isPersonalChat = (context: TurnContext): boolean =>
  (context.activity.conversation?.conversationType ?? 'personal') === 'personal';

export const isSharedConversation = (context: TurnContext): boolean => !isPersonalChat(context);

export const isChannel = (context: TurnContext): boolean =>
  context.activity.conversation?.conversationType === 'channel';

/** A channel's id without the thread part (`19:…@thread.tacv2;messageid=…`). */
export const channelOf = (conversationId: string): string => conversationId.split(';')[0];

/** The requester as a ticket names them, from the turn. */
export function personOf(context: TurnContext): Person {
  const from = context.activity.from;
  return {
    id: from.id,
    ...(from.aadObjectId ? { aadObjectId: from.aadObjectId } : {}),
    name: from.name || from.id,
  };
}

export function tenantIdOf(context: TurnContext): string | undefined {
  const channelData = context.activity.channelData as { tenant?: { id?: string } } | undefined;
  return channelData?.tenant?.id ?? context.activity.conversation?.tenantId;
}

/**
 * The personal chat's reference, kept on the ticket so that replies reach the user later. Only a personal chat:
 * an agent's answer must not land in a group chat where the user happened to ask.
 */
export function personalAddressOf(context: TurnContext): Partial<ConversationReference> | undefined {
  if (!isPersonalChat(context)) return undefined;
  // Not the activity id: the reference must stay the same from message to message (the address book skips
  // writing an unchanged one).
  const reference = TurnContext.getConversationReference(context.activity);
  delete reference.activityId;
  const tenantId = tenantIdOf(context);
  return {
    ...reference,
    conversation: { ...reference.conversation!, ...(tenantId ? { tenantId } : {}) },
  };
}
