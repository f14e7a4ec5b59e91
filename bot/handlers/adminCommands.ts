import { MessageFactory, type TurnContext } from 'botbuilder';
import type { AdminAccess } from '../../core/admin/adminAccess';
import type { AuditEntry, AuditLog } from '../../core/admin/auditLog';
import type { CardAction } from '../../core/cardActions';
import { DirectoryError, type Directory } from '../../core/licensing/directory';
import type { LicenceChecker } from '../../core/licensing/licenceChecker';
import { mainBlocker } from '../../core/licensing/verdict';
import { foldText } from '../../core/textMatching';
import type { LicenceViews } from '../../views/licenceViews';
import { languageOf } from '../../dialogs/turnLanguage';
import { parseStatsRequest, type StatsRequest } from '../../core/stats/statsRequest';
import { showDashboard, type Dashboard } from '../stats/dashboard';

/** An admin request, from typed words or from a card. */
export type AdminRequest =
  /** `typed`: from a message rather than the card form. */
  | { kind: 'license'; query: string; typed?: boolean }
  | { kind: 'licenseById'; userId: string }
  | { kind: 'licenses' }
  | { kind: 'licenseGroup'; query: string }
  | { kind: 'licenseGroupById'; groupId: string }
  | { kind: 'audit' }
  /** "license" alone: the requester's own licence (and, for admins, the form for others). */
  | { kind: 'ownLicence' }
  /** `stats [days]`: the help-desk dashboard. */
  | { kind: 'stats'; request: StatsRequest };

const GROUP_MEMBER_LIMIT = 1000;

/** Recognises `license …`, `licenses`, `license group …` and `audit` (also in Japanese), typed or from a card. */
export function parseAdminRequest(
  text: string | undefined,
  action: CardAction | undefined,
): AdminRequest | undefined {
  if (action?.action === 'admin.license') return { kind: 'license', query: action.query };
  if (action?.action === 'admin.pickUser') return { kind: 'licenseById', userId: action.userId };
  if (action?.action === 'admin.pickGroup') return { kind: 'licenseGroupById', groupId: action.groupId };
  if (!text) return undefined;
  // Fold full-width letters, but keep the query's own characters (a UPN's case does not matter to Graph).
  const trimmed = text.normalize('NFKC').trim();
  const folded = foldText(trimmed);
  const stats = parseStatsRequest(trimmed);
  if (stats) return { kind: 'stats', request: stats };
  if (/^(licenses|ライセンス一覧)$/.test(folded)) return { kind: 'licenses' };
  if (/^(audit|監査ログ)$/.test(folded)) return { kind: 'audit' };
  if (/^(license|licence|ライセンス)$/.test(folded)) return { kind: 'ownLicence' };
  const group = /^(?:license|licence|ライセンス)\s+(?:group|グループ)(?:\s+(.*))?$/is.exec(trimmed);
  if (group) return { kind: 'licenseGroup', query: (group[1] ?? '').trim() };
  const user = /^(?:license|licence|ライセンス)\s+(.+)$/is.exec(trimmed);
  if (user) return { kind: 'license', query: user[1].trim(), typed: true };
  return undefined;
}

/** Audit entries keep what was asked, but not an unbounded amount of it. */
const clip = (text: string, max = 200): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * A UPN or an object id names someone; anything else typed after "license" by a non-admin is read as a
 * description of their own problem ("license expired", 「ライセンス 切れ」) and diagnosed, not refused.
 */
function namesAUser(query: string): boolean {
  return /@|^[0-9a-f-]{36}$/i.test(query.trim());
}

export interface AdminCommandDeps {
  directory: Directory;
  checker: LicenceChecker;
  access: AdminAccess;
  audit: AuditLog;
  views: LicenceViews;
  dashboard: Dashboard;
  now?: () => Date;
}

/**
 * Licence questions about other users, for admins. Authorisation is checked on every request, including
 * card clicks: nothing in a payload is trusted. A refusal says nothing about the target.
 */
export class AdminCommands {
  constructor(private readonly deps: AdminCommandDeps) {}

  /** The requester's own licence, through the same checker as the activation diagnosis. */
  async ownLicence(context: TurnContext): Promise<void> {
    const language = languageOf(context);
    const { views, checker } = this.deps;
    const me = context.activity.from?.aadObjectId;
    const result = me ? await checker.check(me) : ({ kind: 'notFound' } as const);
    await context.sendActivity(
      MessageFactory.attachment(
        result.kind === 'checked'
          ? views.verdict(language, result.verdict)
          : views.verdict(language, undefined, result.kind === 'notFound' ? 'notFound' : 'unavailable'),
      ),
    );
    if (me && (await this.mayQuery(me).catch(() => false)))
      await context.sendActivity(MessageFactory.attachment(views.form(language)));
  }

  /**
   * 'notMine' when a non-admin typed something that names nobody ("license expired on my PC"): that is a
   * problem to diagnose, not a query about someone, so the caller routes it like any other message.
   */
  async handle(context: TurnContext, request: AdminRequest): Promise<'handled' | 'notMine'> {
    if (request.kind === 'ownLicence') {
      await this.ownLicence(context);
      return 'handled';
    }
    if (request.kind === 'stats') return this.stats(context, request.request);
    const language = languageOf(context);
    const { views } = this.deps;
    const requester = context.activity.from?.aadObjectId;
    const action: AuditEntry['action'] =
      request.kind === 'licenses'
        ? 'licenses'
        : request.kind === 'audit'
          ? 'audit'
          : request.kind.startsWith('licenseGroup')
            ? 'licenseGroup'
            : 'license';
    const target =
      'query' in request
        ? request.query
        : 'userId' in request
          ? request.userId
          : 'groupId' in request
            ? request.groupId
            : '';
    const record = (outcome: AuditEntry['outcome']) =>
      this.deps.audit.record({
        at: (this.deps.now ?? (() => new Date()))().toISOString(),
        requesterId: requester ?? '',
        requesterName: clip(context.activity.from?.name ?? ''),
        action,
        target: clip(target),
        outcome,
      });

    const access = await this.accessOf(requester);
    if (access === 'unavailable') {
      await record('unavailable');
      await context.sendActivity(views.text(language, 'admin.unavailable'));
      return 'handled';
    }
    if (access === 'refused') {
      if (request.kind === 'license' && request.typed && !namesAUser(request.query)) return 'notMine';
      await record('refused');
      await context.sendActivity(views.text(language, 'admin.refused'));
      return 'handled';
    }

    try {
      const outcome = await this.answer(context, request);
      await record(outcome);
    } catch (error) {
      if (!(error instanceof DirectoryError)) throw error;
      await record('unavailable');
      await context.sendActivity(views.text(language, 'admin.unavailable'));
    }
    return 'handled';
  }

  /** The dashboard, for admins (in the support channel every member sees it: see SupportChannelTurns). */
  private async stats(context: TurnContext, request: StatsRequest): Promise<'handled' | 'notMine'> {
    const language = languageOf(context);
    const access = await this.accessOf(context.activity.from?.aadObjectId);
    if (access === 'unavailable') {
      await context.sendActivity(this.deps.views.text(language, 'admin.unavailable'));
      return 'handled';
    }
    if (access === 'refused') {
      // 「統計がおかしい」 from a user is a problem to diagnose, not the command.
      if (request.kind === 'statsBadDays') return 'notMine';
      await context.sendActivity(this.deps.dashboard.views.text(language, 'stats.refused'));
      return 'handled';
    }
    await showDashboard(context, this.deps.dashboard, language, request);
    return 'handled';
  }

  /** Whether the requester may ask about others; 'unavailable' when Graph cannot say. */
  private async accessOf(requester: string | undefined): Promise<'allowed' | 'refused' | 'unavailable'> {
    try {
      return requester && (await this.mayQuery(requester)) ? 'allowed' : 'refused';
    } catch (error) {
      if (!(error instanceof DirectoryError)) throw error;
      return 'unavailable';
    }
  }

  private mayQuery(userId: string): Promise<boolean> {
    return this.deps.access.mayQueryOthers(userId);
  }

  private async answer(
    context: TurnContext,
    request: Exclude<AdminRequest, { kind: 'ownLicence' } | { kind: 'stats' }>,
  ): Promise<AuditEntry['outcome']> {
    const language = languageOf(context);
    const { views, directory, checker, audit } = this.deps;
    const send = (card: Parameters<typeof MessageFactory.attachment>[0]) =>
      context.sendActivity(MessageFactory.attachment(card));
    switch (request.kind) {
      case 'licenses':
        await send(views.subscriptions(language, await directory.listSubscribedSkus()));
        return 'shown';
      case 'audit':
        await send(views.audit(language, await audit.recent(30)));
        return 'shown';
      case 'license':
      case 'licenseById': {
        let idOrUpn: string;
        if (request.kind === 'licenseById' || /@|^[0-9a-f-]{36}$/i.test(request.query)) {
          idOrUpn = request.kind === 'licenseById' ? request.userId : request.query;
        } else {
          const matches = await directory.findUsers(request.query, 10);
          if (matches.length === 0) {
            await context.sendActivity(views.text(language, 'admin.notFound'));
            return 'notFound';
          }
          if (matches.length > 1) {
            await send(views.pickUser(language, matches));
            return 'ambiguous';
          }
          idOrUpn = matches[0].id;
        }
        const result = await checker.check(idOrUpn);
        if (result.kind === 'unavailable') throw new DirectoryError(result.reason, 'licence check failed');
        if (result.kind === 'notFound') {
          await context.sendActivity(views.text(language, 'admin.notFound'));
          return 'notFound';
        }
        const { user, skus, groupNames } = result.snapshot;
        await send(views.userDetails(language, user, skus, groupNames, result.verdict));
        return 'shown';
      }
      case 'licenseGroup':
      case 'licenseGroupById': {
        if (request.kind === 'licenseGroup' && !request.query) {
          await context.sendActivity(views.text(language, 'admin.group.missingName'));
          return 'notFound';
        }
        const groups =
          request.kind === 'licenseGroupById'
            ? [await directory.getGroup(request.groupId)].filter((g) => !!g)
            : await directory.findGroups(request.query, 10);
        if (groups.length === 0) {
          await context.sendActivity(views.text(language, 'admin.group.notFound'));
          return 'notFound';
        }
        if (groups.length > 1) {
          await send(views.pickGroup(language, groups));
          return 'ambiguous';
        }
        await context.sendActivity({ type: 'typing' });
        const [members, skus] = await Promise.all([
          directory.listGroupMembersLicensing(groups[0].id, GROUP_MEMBER_LIMIT),
          directory.listSubscribedSkus(),
        ]);
        const problems = members.flatMap((user) => {
          const verdict = checker.verdictFor({ user, skus, openIssues: [], groupNames: new Map() });
          const reason = mainBlocker(verdict);
          return verdict.usableDesktopOffice || !reason ? [] : [{ user, reason }];
        });
        await send(views.groupReport(language, groups[0], members.length, problems));
        return 'shown';
      }
    }
  }
}
