import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import { languageFromLocale } from '../core/language';
import type { ContentCatalog } from '../core/content/catalog';
import type { Logger } from './logger';
import { isProactiveTurn } from './proactiveScope';

/** The tenant an activity comes from. Teams puts it in channelData; conversation.tenantId mirrors it. */
export function tenantOf(context: TurnContext): string | undefined {
  const activity = context.activity;
  const id =
    (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
    activity.conversation?.tenantId;
  return id?.toLowerCase();
}

/**
 * Runs before any other logic: an activity from a tenant outside ALLOWED_TENANT_IDS gets one polite refusal
 * and nothing else. The Bot Framework token says nothing about the user's tenant, so this check is ours.
 */
export class TenantGuard implements Middleware {
  constructor(
    private readonly allowedTenantIds: readonly string[],
    private readonly catalog: ContentCatalog,
    private readonly logger: Logger,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    // Proactive turns answer what an allowed tenant's user started; they carry no inbound activity to check.
    if (this.allowedTenantIds.length === 0 || isProactiveTurn()) return next();
    const tenant = tenantOf(context);
    if (tenant && this.allowedTenantIds.includes(tenant)) return next();

    this.logger.warn('activity from a tenant that is not allowed', {
      tenant: tenant ?? '(none)',
      type: context.activity.type,
    });
    const refusal = this.catalog.text(languageFromLocale(context.activity.locale), 'tenant.refused');
    if (context.activity.type === ActivityTypes.Invoke) {
      await context.sendActivity({
        type: ActivityTypes.InvokeResponse,
        value: {
          status: 403,
          body: { statusCode: 403, type: 'application/vnd.microsoft.activity.message', value: refusal },
        },
      });
    } else if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity(refusal);
    }
  }
}
