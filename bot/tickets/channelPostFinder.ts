/** Where a support channel lives, as Graph names it: the team's Microsoft 365 group id and the channel id. */
export interface ChannelInTeam {
  teamGroupId: string;
  channelId: string;
}

/**
 * Looks in a channel for a root message the bot posted, by a marker the message's card carries. The outbox asks
 * before it posts a ticket's card again after a post whose outcome it never recorded (a crash, a timeout), because
 * the Bot Framework has no idempotent post. Implemented over Graph (bot/directory/graphDirectory.ts).
 */
export interface ChannelPostFinder {
  /** The message id of the root message modified after `since` whose card contains `marker`, if any. */
  findChannelPost(channel: ChannelInTeam, since: Date, marker: string): Promise<string | undefined>;
}
