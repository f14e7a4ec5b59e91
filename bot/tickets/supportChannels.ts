import type { Storage } from 'botbuilder';
import type { SupportChannel, TicketCategory } from '../../core/tickets/ticket';

export type { SupportChannel };

/** SUPPORT_CHANNEL_ID and SUPPORT_CHANNEL_ID_<CATEGORY>, as the composition root read them. */
export interface ConfiguredSupportChannels {
  default?: string;
  byCategory: Partial<Record<TicketCategory, string>>;
  /** SUPPORT_TEAM_GROUP_ID: the group id of the team that holds the configured channels. */
  teamGroupId?: string;
}

interface Registrations {
  default?: SupportChannel;
  byCategory: Partial<Record<TicketCategory, SupportChannel>>;
}

const REGISTRATIONS_KEY = 'supportChannels';

/**
 * Where a ticket of each category goes. A channel for the category beats the general one; at the same level a
 * channel registered in Teams (`register support channel`) beats the configured one, because it is the
 * newer decision and was made by an admin standing in that channel.
 */
export class SupportChannels {
  constructor(
    private readonly storage: Storage,
    private readonly configured: ConfiguredSupportChannels,
  ) {}

  async channelFor(category: TicketCategory): Promise<SupportChannel | undefined> {
    const registered = await this.registrations();
    const configured = (id: string | undefined): SupportChannel | undefined =>
      id ? { channelId: id, teamGroupId: this.configured.teamGroupId } : undefined;
    return (
      registered.byCategory[category] ??
      configured(this.configured.byCategory[category]) ??
      registered.default ??
      configured(this.configured.default)
    );
  }

  async register(channel: SupportChannel, category?: TicketCategory): Promise<void> {
    const item = (await this.storage.read([REGISTRATIONS_KEY]))[REGISTRATIONS_KEY] as
      (Registrations & { eTag?: string }) | undefined;
    const current: Registrations = { byCategory: { ...(item?.byCategory ?? {}) }, default: item?.default };
    if (category) current.byCategory[category] = channel;
    else current.default = channel;
    await this.storage.write({ [REGISTRATIONS_KEY]: { ...current, eTag: item?.eTag ?? '*' } });
  }

  /** True when some channel (configured or registered) is a support channel: agents' commands work there. */
  async isSupportChannel(channelId: string): Promise<boolean> {
    const registered = await this.registrations();
    const ids = [
      this.configured.default,
      ...Object.values(this.configured.byCategory),
      registered.default?.channelId,
      ...Object.values(registered.byCategory).map((c) => c?.channelId),
    ];
    return ids.some((id) => id === channelId);
  }

  private async registrations(): Promise<Registrations> {
    const item = (await this.storage.read([REGISTRATIONS_KEY]))[REGISTRATIONS_KEY] as
      Registrations | undefined;
    return { byCategory: item?.byCategory ?? {}, default: item?.default };
  }
}
