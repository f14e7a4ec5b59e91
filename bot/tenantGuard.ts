import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import { languageFromLocale } from '../core/language';
import type { ContentCatalog } from '../core/content/catalog';
import type { Logger } from './logger';
import { isProactiveTurn } from './proactiveScope';

/**
 * Every tenant id an activity carries: Teams puts it in channelData, and conversation.tenantId mirrors it. A value
 * that is not a string is reported as such, so it can never pass the guard.
 */
export function tenantsOf(context: TurnContext): string[] {
  const activity = context.activity as { channelData?: unknown; conversation?: unknown };
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const conversation = activity.conversation as { tenantId?: unknown } | undefined;
  const ids = [channelData?.tenant?.id, conversation?.tenantId].filter(
    (id) => id !== undefined && id !== null,
  );
  return ids.map((id) => (typeof id === 'string' ? id.toLowerCase() : '(not a string)'));
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
    // Every tenant id the activity carries must be allowed: an allowed one in channelData does not vouch for
    // another tenant in conversation.tenantId.
    const tenants = tenantsOf(context);
    if (tenants.length > 0 && tenants.every((tenant) => this.allowedTenantIds.includes(tenant)))
      return next();

    this.logger.warn('activity from a tenant that is not allowed', {
      tenant: tenants.join(',') || '(none)',
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
