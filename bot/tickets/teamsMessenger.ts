import type {
  Activity,
  CloudAdapter,
  ConversationParameters,
  ConversationReference,
  ResourceResponse,
  TurnContext,
} from 'botbuilder';
import type { Logger } from '../logger';
import { runProactive } from '../proactiveScope';

/** The part of botframework-connector's client used here (the adapter puts one in every turn's state). */
interface ConversationsApi {
  /** The Azure core-client under the connector (not in its typings): its pipeline retries 5xx and dropped sockets. */
  client?: { pipeline?: { removePolicy(policy: { name: string }): unknown[] } };
  conversations: {
    createConversation(parameters: ConversationParameters): Promise<{ id?: string; activityId?: string }>;
  };
}

/** A new thread in a channel: the root message's id and the thread's conversation. */
export interface PostedThread {
  activityId: string;
  threadConversationId: string;
  thread: Partial<ConversationReference>;
}

export interface ChannelTarget {
  channelId: string;
  serviceUrl: string;
  tenantId?: string;
}

/** The proactive calls tickets need. The outbox depends on this, so tests can also fake it. */
export interface TicketMessenger {
  postToChannel(channel: ChannelTarget, activity: Partial<Activity>): Promise<PostedThread>;
  /** The thread of a root message already in the channel (one found there after a crash). */
  threadOf(channel: ChannelTarget, activityId: string): PostedThread;
  update(
    reference: Partial<ConversationReference>,
    activityId: string,
    activity: Partial<Activity>,
  ): Promise<void>;
  send(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<void>;
}

/**
 * Proactive messages through CloudAdapter, outside any user's turn. The adapter sends a turn's error to
 * onTurnError (which would write an apology into the conversation); here errors are caught and rethrown to the
 * outbox, which decides whether to retry.
 */
export class TeamsMessenger implements TicketMessenger {
  constructor(
    private readonly adapter: CloudAdapter,
    /** MicrosoftAppId; '' when authentication is off (local mode, the Playground). */
    private readonly botAppId: string,
    private readonly logger: Logger,
  ) {}

  private warnedSdkRetries = false;

  async postToChannel(channel: ChannelTarget, activity: Partial<Activity>): Promise<PostedThread> {
    const reference = this.channelReference(channel);
    // POST /v3/conversations with the channel: Teams starts a new thread whose root is this message
    // (what TeamsInfo.sendMessageToTeamsChannel does), and answers with the thread and the message id.
    const created = await this.run(reference, async (context) => {
      const connector = context.turnState.get<ConversationsApi>(context.adapter.ConnectorClientKey);
      if (!withoutSdkRetries(connector) && !this.warnedSdkRetries) {
        this.warnedSdkRetries = true;
        this.logger.warn(
          "the Bot Framework SDK's retry policy was not found on the connector client: it may resend a channel post whose answer was lost, and a card could show twice",
        );
      }
      return connector.conversations.createConversation({
        isGroup: true,
        bot: reference.bot!,
        members: [],
        channelData: {
          channel: { id: channel.channelId },
          ...(channel.tenantId ? { tenant: { id: channel.tenantId } } : {}),
        },
        ...(channel.tenantId ? { tenantId: channel.tenantId } : {}),
        activity: activity as Activity,
      });
    });
    const threadConversationId = created.id ?? '';
    const activityId = created.activityId ?? threadConversationId.split(';messageid=')[1] ?? '';
    if (!threadConversationId || !activityId)
      throw new Error('Teams did not return the new thread and message ids');
    return threadAt(reference, threadConversationId, activityId);
  }

  threadOf(channel: ChannelTarget, activityId: string): PostedThread {
    // A thread's conversation id is the channel's with the root message's id (what Teams answers on a post).
    return threadAt(
      this.channelReference(channel),
      `${channel.channelId};messageid=${activityId}`,
      activityId,
    );
  }

  private channelReference(channel: ChannelTarget): Partial<ConversationReference> {
    return {
      channelId: 'msteams',
      serviceUrl: channel.serviceUrl,
      bot: { id: this.botAppId, name: '' },
      conversation: {
        id: channel.channelId,
        isGroup: true,
        conversationType: 'channel',
        name: '',
        ...(channel.tenantId ? { tenantId: channel.tenantId } : {}),
      },
    };
  }

  async update(
    reference: Partial<ConversationReference>,
    activityId: string,
    activity: Partial<Activity>,
  ): Promise<void> {
    await this.run(reference, (context) => context.updateActivity({ ...activity, id: activityId }));
  }

  async send(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<void> {
    await this.run(reference, async (context): Promise<ResourceResponse | undefined> =>
      context.sendActivity(activity),
    );
  }

  private async run<T>(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<T>,
  ): Promise<T> {
    let result: T | undefined;
    let failure: unknown;
    let ran = false;
    await runProactive(() =>
      this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
        ran = true;
        try {
          result = await logic(context);
        } catch (error) {
          failure = error;
        }
      }),
    );
    if (failure) throw failure;
    // Middleware (the tenant guard) may have stopped the turn: that is a failure, not a silent success.
    if (!ran) throw new Error('the proactive turn did not run');
    return result as T;
  }
}

function threadAt(
  channel: Partial<ConversationReference>,
  threadConversationId: string,
  activityId: string,
): PostedThread {
  return {
    activityId,
    threadConversationId,
    thread: { ...channel, conversation: { ...channel.conversation!, id: threadConversationId } },
  };
}

/**
 * The SDK sends a POST again after a 5xx or a dropped connection, which posts a card twice when only the answer
 * was lost. A channel post is retried by the outbox instead, which first looks in the channel for the card. The
 * adapter makes a new connector client for every proactive turn, so only this post is affected. False when the
 * policy was not there to remove (an SDK that changed its pipeline).
 */
function withoutSdkRetries(connector: ConversationsApi): boolean {
  return (connector.client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' }) ?? []).length > 0;
}
