import { AsyncLocalStorage } from 'node:async_hooks';
import {
  Client,
  GraphError,
  HTTPMessageHandler,
  ResponseType,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import {
  DirectoryError,
  type Directory,
  type DirectoryGroup,
  type DirectoryUser,
  type LicensingSnapshot,
  type ServiceHealthIssue,
  type SubscribedSku,
  type UserSummary,
} from '../../core/licensing/directory';
import type { OfficeActivationsReading } from '../../core/licensing/officeActivations';
import type { Logger } from '../logger';
import type { Telemetry } from '../telemetry';
import type { ChannelInTeam, ChannelPostFinder } from '../tickets/channelPostFinder';
import { encodeFilter, equals, isGuid, pathSegment, startsWith } from './odata';
import { parseActivationsReport, ReportFormatError, type ActivationsReport } from './officeActivationsReport';
import { TtlCache } from './ttlCache';

export interface GraphDirectoryOptions {
  /** e.g. https://graph.microsoft.com, or a loopback sandbox/fake Graph. */
  baseUrl: string;
  /** Supplies access tokens; absent only for loopback Graph (the sandbox tenant, tests). */
  authProvider?: { getAccessToken(): Promise<string> };
  logger: Logger;
  /** Time budget for one operation, retries included: the user hears back well within 10 s. */
  operationBudgetMs?: number;
  /** Longest a single HTTP attempt may take. */
  attemptTimeoutMs?: number;
  maxAttempts?: number;
  cacheTtlMs?: {
    skus: number;
    issues: number;
    roles: number;
    groups: number;
    /** The Office activations report (Microsoft refreshes it daily). */
    report?: number;
    /** A refusal (403) or a report with concealed names: retried sooner, the admin may have fixed it. */
    reportUnusable?: number;
  };
  /** Time budget for downloading the Office activations report (one request, then the CSV). */
  reportBudgetMs?: number;
  /** Injected so tests can run Retry-After waits without sleeping. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Latency, retries and throttles for OpenTelemetry. */
  telemetry?: Pick<Telemetry, 'graphCall' | 'graphRetry'>;
}

const USER_SELECT =
  'id,displayName,userPrincipalName,mail,accountEnabled,userType,usageLocation,assignedLicenses,licenseAssignmentStates';
const SKU_SELECT = 'skuId,skuPartNumber,capabilityStatus,consumedUnits,prepaidUnits,servicePlans';
const BATCH_LIMIT = 20;
const RETRYABLE = new Set([429, 500, 502, 503, 504]);
/** A channel post looked for is minutes old: a few pages of the delta are plenty. */
const CHANNEL_POST_PAGES = 4;
/** About 150 bytes a row: room for several hundred thousand rows, and a stop before memory runs out. */
const MAX_REPORT_BYTES = 100 * 1024 * 1024;

/** The Office activations report as last read: usable, or refused by Graph. */
type ReportState = { kind: 'report'; report: ActivationsReport } | { kind: 'forbidden'; reason: string };

/** The operation a request belongs to: its deadline, shared by every attempt and every request of it. */
class Budget {
  constructor(
    readonly deadline: number,
    /** The directory operation the requests serve, for the log. */
    readonly operation = 'graph',
  ) {}
}

// Concurrent turns run concurrent operations; each request finds its own operation's budget here.
const currentOperation = new AsyncLocalStorage<Budget>();

/** Parses Retry-After: seconds (fractional allowed, e.g. "2.128") or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Sends each request with a per-attempt timeout and retries 429/5xx and timeouts, honouring Retry-After, as
 * long as the operation's budget allows. Replaces the SDK's RetryHandler, which sleeps with real timers and
 * knows no overall deadline.
 */
class BudgetedRetryHandler implements Middleware {
  private next?: Middleware;

  constructor(private readonly directory: GraphDirectory) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const { now, sleep, attemptTimeoutMs, maxAttempts } = this.directory.timing;
    const budget = this.directory.currentBudget();
    for (let attempt = 1; ; attempt++) {
      const remaining = budget.deadline - now();
      if (remaining <= 0) throw new DirectoryError('timeout', 'Graph did not answer in time');
      context.options = {
        ...(context.options ?? {}),
        signal: AbortSignal.timeout(Math.min(remaining, attemptTimeoutMs)),
      };
      let waitMs: number | undefined;
      let failure: DirectoryError | undefined;
      try {
        await this.next!.execute(context);
        const status = context.response?.status ?? 0;
        if (!RETRYABLE.has(status)) return;
        waitMs =
          parseRetryAfter(context.response?.headers.get('Retry-After'), now()) ?? 250 * 2 ** (attempt - 1);
        failure = new DirectoryError(
          status === 429 ? 'throttled' : 'unavailable',
          `Graph answered ${status}`,
        );
      } catch (error) {
        if (error instanceof DirectoryError) throw error;
        const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
        failure = new DirectoryError(
          timedOut ? 'timeout' : 'unavailable',
          `Graph request failed: ${(error as Error).name}`,
        );
        waitMs = 250 * 2 ** (attempt - 1);
      }
      if (attempt >= maxAttempts || now() + waitMs >= budget.deadline) throw failure;
      this.directory.telemetry?.graphRetry(
        budget.operation ?? 'graph',
        failure.kind === 'throttled' ? 'throttled' : 'retry',
        waitMs,
      );
      this.directory.logger.warn(
        failure.kind === 'throttled'
          ? 'Graph throttled a request; waiting as told'
          : 'retrying a Graph request',
        {
          operation: budget.operation,
          attempt,
          waitMs,
          retryAfter: context.response?.headers.get('Retry-After') ?? undefined,
          reason: failure.message,
        },
      );
      await sleep(waitMs);
    }
  }
}

/** Adds the bearer token to every request (the SDK's own handler sends it only to known Graph hosts). */
class BearerTokenHandler implements Middleware {
  private next?: Middleware;
  constructor(private readonly provider: { getAccessToken(): Promise<string> }) {}
  setNext(next: Middleware): void {
    this.next = next;
  }
  async execute(context: Context): Promise<void> {
    const token = await this.provider.getAccessToken();
    const headers = new Headers(context.options?.headers as ConstructorParameters<typeof Headers>[0]);
    headers.set('Authorization', `Bearer ${token}`);
    context.options = { ...(context.options ?? {}), headers };
    await this.next!.execute(context);
  }
}

/** Microsoft Graph behind the domain's Directory port, with caching, batching and a time budget. */
export class GraphDirectory implements Directory, ChannelPostFinder {
  readonly logger: Logger;
  readonly telemetry?: Pick<Telemetry, 'graphCall' | 'graphRetry'>;
  readonly timing: {
    now: () => number;
    sleep: (ms: number) => Promise<void>;
    attemptTimeoutMs: number;
    maxAttempts: number;
  };
  private readonly client: Client;
  private readonly budgetMs: number;
  private readonly skus: TtlCache<'all', SubscribedSku[]>;
  private readonly issues: TtlCache<'open', ServiceHealthIssue[]>;
  private readonly roles: TtlCache<string, string[]>;
  private readonly memberships: TtlCache<string, boolean>;
  private readonly groups: TtlCache<string, DirectoryGroup | undefined>;
  private readonly activationsReport: TtlCache<'report', ReportState>;
  private readonly unusableReport: TtlCache<'report', ReportState>;
  /** One download at a time: turns that arrive meanwhile wait for it instead of starting their own. */
  private reportLoading?: Promise<ReportState>;
  /** Refusals and concealed names are logged once per directory (there is one per process), not on every turn. */
  private readonly reportNotices = new Set<'forbidden' | 'concealed'>();
  private readonly reportBudgetMs: number;
  private readonly baseUrl: string;

  constructor(options: GraphDirectoryOptions) {
    this.logger = options.logger;
    this.telemetry = options.telemetry;
    const now = options.now ?? Date.now;
    this.timing = {
      now,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      attemptTimeoutMs: options.attemptTimeoutMs ?? 4000,
      maxAttempts: options.maxAttempts ?? 4,
    };
    this.budgetMs = options.operationBudgetMs ?? 8000;
    const ttl = options.cacheTtlMs ?? {
      skus: 5 * 60_000,
      issues: 2 * 60_000,
      roles: 5 * 60_000,
      groups: 10 * 60_000,
    };
    this.skus = new TtlCache(ttl.skus, now);
    this.issues = new TtlCache(ttl.issues, now);
    this.roles = new TtlCache(ttl.roles, now);
    this.memberships = new TtlCache(ttl.roles, now);
    this.groups = new TtlCache(ttl.groups, now);
    this.activationsReport = new TtlCache(ttl.report ?? 3 * 60 * 60_000, now);
    this.unusableReport = new TtlCache(ttl.reportUnusable ?? 15 * 60_000, now);
    this.reportBudgetMs = options.reportBudgetMs ?? 10_000;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const chain: Middleware[] = [];
    if (options.authProvider) chain.push(new BearerTokenHandler(options.authProvider));
    chain.push(new BudgetedRetryHandler(this), new HTTPMessageHandler());
    for (let i = 0; i < chain.length - 1; i++) chain[i].setNext!(chain[i + 1]);
    this.client = Client.initWithMiddleware({
      middleware: chain[0],
      baseUrl: `${this.baseUrl}/`,
      defaultVersion: 'v1.0',
    });
  }

  /** The budget of the operation the current request belongs to. */
  currentBudget(): Budget {
    return currentOperation.getStore() ?? new Budget(this.timing.now() + this.budgetMs);
  }

  /**
   * Runs an operation under one deadline (nested calls share it); Graph failures become DirectoryError. A malformed
   * answer is tried once more within the deadline; every failure is logged with the operation's name, except one
   * of the kind the caller expects and reports itself (`expected`).
   */
  private async operation<T>(
    name: string,
    work: () => Promise<T>,
    options: { budgetMs?: number; expected?: DirectoryError['kind'] } = {},
  ): Promise<T> {
    const outer = currentOperation.getStore();
    const budget = outer ?? new Budget(this.timing.now() + (options.budgetMs ?? this.budgetMs), name);
    const started = this.timing.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await currentOperation.run(budget, work);
        if (!outer) this.telemetry?.graphCall(name, this.timing.now() - started, 'ok');
        return result;
      } catch (error) {
        const failure = toDirectoryError(error);
        // Nested operations leave retrying and logging to the outermost one.
        if (outer) throw failure;
        const again = failure.kind === 'malformed' && attempt === 1 && this.timing.now() < budget.deadline;
        if (again) this.telemetry?.graphRetry(name, 'malformed');
        else this.telemetry?.graphCall(name, this.timing.now() - started, failure.kind);
        if (again || failure.kind !== options.expected)
          this.logger.warn(again ? 'Graph answer malformed; trying once more' : 'Graph operation failed', {
            operation: name,
            kind: failure.kind,
            reason: failure.message,
          });
        if (!again) throw failure;
      }
    }
  }

  private get<T>(path: string): Promise<T> {
    return this.client.api(path).get() as Promise<T>;
  }

  /** Follows @odata.nextLink only on our own Graph host: a link elsewhere would take our token with it. */
  private async getAllPages<T>(path: string, limit: number): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    while (next && items.length < limit) {
      const page: { value: T[]; '@odata.nextLink'?: string } = await this.get(next);
      items.push(...page.value);
      next = page['@odata.nextLink'] ? this.relativeToBase(page['@odata.nextLink']) : undefined;
    }
    return items.slice(0, limit);
  }

  private relativeToBase(link: string): string {
    const prefix = `${this.baseUrl}/v1.0`;
    if (!link.startsWith(prefix))
      throw new DirectoryError('malformed', 'Graph returned a next page on another host');
    return link.slice(prefix.length);
  }

  /**
   * One $batch of GETs, built by hand (the SDK's BatchRequestContent is broken on Node 18+). Parts answered
   * 429/5xx are sent again in a new batch after their Retry-After, within the budget.
   */
  private async batchGet(
    requests: { id: string; url: string }[],
  ): Promise<Map<string, { status: number; body: unknown }>> {
    const results = new Map<string, { status: number; body: unknown }>();
    let pending = requests;
    for (let round = 1; pending.length > 0; round++) {
      const retry: typeof requests = [];
      let waitMs = 0;
      for (let i = 0; i < pending.length; i += BATCH_LIMIT) {
        const chunk = pending.slice(i, i + BATCH_LIMIT);
        const response = (await this.client
          .api('/$batch')
          .post({ requests: chunk.map((r) => ({ ...r, method: 'GET' })) })) as {
          responses?: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[];
        };
        if (!Array.isArray(response?.responses))
          throw new DirectoryError('malformed', 'Graph returned a malformed batch');
        for (const part of response.responses) {
          const request = chunk.find((r) => r.id === part.id);
          if (!request) continue;
          if (RETRYABLE.has(part.status)) {
            retry.push(request);
            const header = Object.entries(part.headers ?? {}).find(
              ([k]) => k.toLowerCase() === 'retry-after',
            )?.[1];
            waitMs = Math.max(waitMs, parseRetryAfter(header, this.timing.now()) ?? 250 * 2 ** (round - 1));
          } else results.set(part.id, { status: part.status, body: part.body });
        }
      }
      if (retry.length === 0) break;
      const deadline = this.currentBudget().deadline;
      if (round >= this.timing.maxAttempts || this.timing.now() + waitMs >= deadline)
        throw new DirectoryError('throttled', 'Graph kept throttling batch parts');
      this.telemetry?.graphRetry(this.currentBudget().operation ?? 'graph', 'throttled', waitMs);
      this.logger.warn('Graph throttled parts of a batch; sending them again', {
        operation: this.currentBudget().operation,
        parts: retry.length,
        round,
        waitMs,
      });
      await this.timing.sleep(waitMs);
      pending = retry;
    }
    return results;
  }

  getLicensingSnapshot(idOrUpn: string): Promise<LicensingSnapshot | undefined> {
    return this.operation('getLicensingSnapshot', async () => {
      const userUrl = `/users/${pathSegment(idOrUpn)}?$select=${USER_SELECT}`;
      const cachedSkus = this.skus.get('all');
      const cachedIssues = this.issues.get('open');
      let user: DirectoryUser | undefined;
      if (cachedSkus && cachedIssues) {
        user = await this.get<DirectoryUser>(userUrl).catch(notFoundAsUndefined);
      } else {
        const parts = await this.batchGet([
          { id: 'user', url: userUrl },
          ...(cachedSkus ? [] : [{ id: 'skus', url: `/subscribedSkus?$select=${SKU_SELECT}` }]),
          ...(cachedIssues
            ? []
            : [
                {
                  id: 'issues',
                  url: `/admin/serviceAnnouncement/issues?$filter=${encodeFilter('isResolved eq false')}`,
                },
              ]),
        ]);
        const userPart = parts.get('user');
        if (!userPart) throw new DirectoryError('malformed', 'batch lost the user part');
        if (userPart.status === 404) user = undefined;
        else if (userPart.status >= 400) throw batchPartError(userPart.status);
        else user = userPart.body as DirectoryUser;
        const skuPart = parts.get('skus');
        if (skuPart) this.skus.set('all', expectList<SubscribedSku>(skuPart, 'subscribedSkus'));
        const issuePart = parts.get('issues');
        if (issuePart) this.issues.set('open', expectList<ServiceHealthIssue>(issuePart, 'issues'));
      }
      if (!user) return undefined;
      const normalised = normaliseUser(user);
      const groupIds = [
        ...new Set(
          normalised.licenseAssignmentStates.map((s) => s.assignedByGroup).filter((g): g is string => !!g),
        ),
      ];
      const groupNames = new Map<string, string>();
      for (const id of groupIds) {
        const group = await this.getGroupCached(id);
        if (group) groupNames.set(id, group.displayName);
      }
      return {
        user: normalised,
        skus: this.skus.get('all') ?? [],
        openIssues: this.issues.get('open') ?? [],
        groupNames,
      };
    });
  }

  findUsers(text: string, limit: number): Promise<UserSummary[]> {
    return this.operation('findUsers', async () => {
      const filter = `${startsWith('displayName', text)} or ${startsWith('userPrincipalName', text)}`;
      const page = await this.get<{ value: UserSummary[] }>(
        `/users?$filter=${encodeFilter(filter)}&$select=id,displayName,userPrincipalName&$top=${limit}`,
      );
      return page.value.slice(0, limit);
    });
  }

  listSubscribedSkus(): Promise<SubscribedSku[]> {
    return this.operation('listSubscribedSkus', async () => {
      const cached = this.skus.get('all');
      if (cached) return cached;
      const skus = await this.getAllPages<SubscribedSku>(`/subscribedSkus?$select=${SKU_SELECT}`, 1000);
      this.skus.set('all', skus);
      return skus;
    });
  }

  getGroup(id: string): Promise<DirectoryGroup | undefined> {
    return this.operation('getGroup', () => this.getGroupCached(id));
  }

  private async getGroupCached(id: string): Promise<DirectoryGroup | undefined> {
    if (this.groups.has(id)) return this.groups.get(id);
    const group = await this.get<DirectoryGroup>(`/groups/${pathSegment(id)}?$select=id,displayName`).catch(
      notFoundAsUndefined,
    );
    this.groups.set(id, group);
    return group;
  }

  findGroups(text: string, limit: number): Promise<DirectoryGroup[]> {
    return this.operation('findGroups', async () => {
      if (isGuid(text)) {
        const group = await this.getGroupCached(text);
        return group ? [group] : [];
      }
      const filter = `${equals('displayName', text)} or ${startsWith('displayName', text)}`;
      const page = await this.get<{ value: DirectoryGroup[] }>(
        `/groups?$filter=${encodeFilter(filter)}&$select=id,displayName&$top=${limit}`,
      );
      return page.value.slice(0, limit);
    });
  }

  listGroupMembersLicensing(groupId: string, limit: number): Promise<DirectoryUser[]> {
    return this.operation('listGroupMembersLicensing', async () => {
      const members = await this.getAllPages<{ id: string }>(
        `/groups/${pathSegment(groupId)}/transitiveMembers/microsoft.graph.user?$select=id&$top=999`,
        limit,
      );
      const parts = await this.batchGet(
        members.map((m, i) => ({ id: String(i), url: `/users/${pathSegment(m.id)}?$select=${USER_SELECT}` })),
      );
      return members.flatMap((_, i) => {
        const part = parts.get(String(i));
        return part && part.status < 300 ? [normaliseUser(part.body as DirectoryUser)] : [];
      });
    });
  }

  getDirectoryRoleTemplateIds(userId: string): Promise<string[]> {
    return this.operation('getDirectoryRoleTemplateIds', async () => {
      const cached = this.roles.get(userId);
      if (cached) return cached;
      const assignments = await this.getAllPages<{ roleDefinitionId: string; directoryScopeId?: string }>(
        `/roleManagement/directory/roleAssignments?$filter=${encodeFilter(equals('principalId', userId))}`,
        200,
      );
      // Only tenant-wide assignments make someone an admin here; an administrative-unit scope does not.
      const roles = assignments
        .filter((a) => (a.directoryScopeId ?? '/') === '/')
        .map((a) => a.roleDefinitionId.toLowerCase());
      this.roles.set(userId, roles);
      return roles;
    });
  }

  /**
   * Channel messages delta with `lastModifiedDateTime gt` (needs ChannelMessage.Read.Group, granted to the app by
   * resource-specific consent when the team installs it, or ChannelMessage.Read.All).
   */
  findChannelPost(channel: ChannelInTeam, since: Date, marker: string): Promise<string | undefined> {
    return this.operation('findChannelPost', async () => {
      let next: string | undefined =
        `/teams/${pathSegment(channel.teamGroupId)}/channels/${pathSegment(channel.channelId)}/messages/delta` +
        `?$top=50&$filter=${encodeFilter(`lastModifiedDateTime gt ${since.toISOString()}`)}`;
      for (let page = 0; next && page < CHANNEL_POST_PAGES; page++) {
        const answer: { value?: unknown; '@odata.nextLink'?: string } = await this.get(next);
        if (!Array.isArray(answer?.value))
          throw new DirectoryError('malformed', 'channel messages came back without a list');
        const found = (answer.value as ChannelMessage[]).find(
          (m) =>
            !m.deletedDateTime &&
            (m.attachments ?? []).some((a) => typeof a.content === 'string' && a.content.includes(marker)),
        );
        if (found) return String(found.id);
        next = answer['@odata.nextLink'] ? this.relativeToBase(answer['@odata.nextLink']) : undefined;
      }
      return undefined;
    });
  }

  isMemberOfGroup(userId: string, groupId: string): Promise<boolean> {
    return this.operation('isMemberOfGroup', async () => {
      const key = `${userId}|${groupId}`;
      const cached = this.memberships.get(key);
      if (cached !== undefined) return cached;
      const result = (await this.client
        .api(`/users/${pathSegment(userId)}/checkMemberGroups`)
        .post({ groupIds: [groupId] })) as {
        value: string[];
      };
      const member = result.value.map((v) => v.toLowerCase()).includes(groupId.toLowerCase());
      this.memberships.set(key, member);
      return member;
    });
  }

  /**
   * The user's rows of the Office activations report (Reports.Read.All). The report covers the whole tenant, so it
   * is downloaded once and kept (the cacheTtlMs `report` option, 3 hours by default: Microsoft refreshes it daily).
   * Never throws: a refusal, concealed names or a failure come back as `unavailable`.
   */
  async getOfficeActivations(userPrincipalName: string): Promise<OfficeActivationsReading> {
    let state: ReportState;
    try {
      state = await this.officeActivationsReport();
    } catch (error) {
      // operation() has already logged it, as for every Graph call.
      if (error instanceof DirectoryError) return { kind: 'unavailable', reason: 'error' };
      throw error;
    }
    if (state.kind === 'forbidden') {
      this.noticeOnce(
        'forbidden',
        'Graph refused the Office activations report (application permission Reports.Read.All not granted?): install limits will not be mentioned',
        { reason: state.reason },
      );
      return { kind: 'unavailable', reason: 'forbidden' };
    }
    const { report } = state;
    const rows = report.byUpn.get(userPrincipalName.trim().toLowerCase());
    if (rows)
      return {
        kind: 'activations',
        rows: rows.map((row) => ({ ...row })),
        ...(report.refreshDate ? { reportRefreshDate: report.refreshDate } : {}),
      };
    // Not found while names are concealed: the user may well be one of the hashed rows.
    if (report.concealedNames > 0) {
      this.noticeOnce(
        'concealed',
        'The Office activations report conceals user names (Microsoft 365 admin center > Settings > Org settings > Reports): install limits will not be mentioned',
        { rows: report.rows, concealedRows: report.concealedNames },
      );
      return { kind: 'unavailable', reason: 'concealed' };
    }
    return { kind: 'none' };
  }

  private noticeOnce(
    kind: 'forbidden' | 'concealed',
    message: string,
    fields: Record<string, unknown>,
  ): void {
    if (this.reportNotices.has(kind)) return;
    this.reportNotices.add(kind);
    this.logger.warn(message, { operation: 'getOfficeActivations', ...fields });
  }

  /** The report from the cache, or downloaded by one request that concurrent callers share. */
  private officeActivationsReport(): Promise<ReportState> {
    const cached = this.activationsReport.get('report') ?? this.unusableReport.get('report');
    if (cached) return Promise.resolve(cached);
    this.reportLoading ??= this.operation(
      'getOfficeActivationsReport',
      () => this.downloadActivationsReport(),
      {
        budgetMs: this.reportBudgetMs,
        // A refusal is remembered and logged once by getOfficeActivations, not on every download attempt.
        expected: 'forbidden',
      },
    )
      .then(
        (report): ReportState => ({ kind: 'report', report }),
        (error: unknown): ReportState => {
          if (error instanceof DirectoryError && error.kind === 'forbidden')
            return { kind: 'forbidden', reason: error.message };
          throw error;
        },
      )
      .then((state) => {
        const usable = state.kind === 'report' && state.report.concealedNames === 0;
        (usable ? this.activationsReport : this.unusableReport).set('report', state);
        return state;
      })
      .finally(() => {
        this.reportLoading = undefined;
      });
    return this.reportLoading;
  }

  /**
   * Graph answers 302 with a pre-authenticated download URL valid for a few minutes, which needs no Authorization
   * header. The redirect is not left to fetch: it would carry our bearer token along to a URL on the same origin.
   * The CSV is fetched here with no credentials and outside the Graph client's middleware.
   */
  private async downloadActivationsReport(): Promise<ActivationsReport> {
    const answer = (await this.client
      .api('/reports/getOffice365ActivationsUserDetail')
      .option('redirect', 'manual')
      .responseType(ResponseType.RAW)
      .get()) as Response;
    if (answer.status === 401 || answer.status === 403) {
      await discard(answer);
      throw new DirectoryError('forbidden', `Graph refused the activations report (${answer.status})`);
    }
    let csv = answer;
    if (answer.status >= 300 && answer.status < 400) {
      const location = answer.headers.get('Location');
      await discard(answer);
      if (!location) throw new DirectoryError('malformed', 'the activations report redirect has no Location');
      const remaining = this.currentBudget().deadline - this.timing.now();
      if (remaining <= 0) throw new DirectoryError('timeout', 'Graph did not answer in time');
      csv = await fetch(this.reportDownloadUrl(location), {
        redirect: 'follow',
        signal: AbortSignal.timeout(remaining),
      });
    }
    if (!csv.ok) {
      await discard(csv);
      throw new DirectoryError(
        csv.status === 429 ? 'throttled' : 'unavailable',
        `the activations report answered ${csv.status}${csv === answer ? '' : ' on download'}`,
      );
    }
    const text = await readCapped(csv, MAX_REPORT_BYTES);
    try {
      return parseActivationsReport(text);
    } catch (error) {
      if (error instanceof ReportFormatError)
        throw new DirectoryError('malformed', `the activations report did not parse: ${error.message}`);
      throw error;
    }
  }

  /** The download URL Graph pointed to: https, or our own loopback Graph (the sandbox tenant, tests). */
  private reportDownloadUrl(location: string): string {
    let url: URL;
    try {
      url = new URL(location, `${this.baseUrl}/`);
    } catch {
      throw new DirectoryError('malformed', 'the activations report redirect is not a URL');
    }
    if (url.protocol === 'https:' || url.origin === new URL(this.baseUrl).origin) return url.href;
    // Not worth the malformed-answer retry: Graph would point there again.
    throw new DirectoryError(
      'unavailable',
      'the activations report redirect is neither https nor our Graph host',
    );
  }
}

/** Lets the connection go back to the pool without reading a body nobody needs. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** The body as UTF-8 text (a byte-order mark is dropped), refusing more than maxBytes. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = (): DirectoryError =>
    new DirectoryError('malformed', 'the activations report is too large');
  if (Number(response.headers.get('Content-Length') ?? 0) > maxBytes) {
    await discard(response);
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

interface ChannelMessage {
  id: string;
  deletedDateTime?: string | null;
  attachments?: { contentType?: string; content?: string | null }[];
}

function normaliseUser(user: DirectoryUser): DirectoryUser {
  // Graph sends `mail: null` for a user without a mailbox.
  const { mail, ...rest } = user;
  return {
    ...rest,
    ...(typeof mail === 'string' && mail !== '' ? { mail } : {}),
    accountEnabled: user.accountEnabled !== false,
    userType: user.userType ?? 'Member',
    assignedLicenses: (user.assignedLicenses ?? []).map((l) => ({
      skuId: l.skuId,
      disabledPlans: l.disabledPlans ?? [],
    })),
    licenseAssignmentStates: (user.licenseAssignmentStates ?? []).map((s) => ({
      ...s,
      disabledPlans: s.disabledPlans ?? [],
    })),
  };
}

function expectList<T>(part: { status: number; body: unknown }, what: string): T[] {
  if (part.status >= 400) throw batchPartError(part.status);
  const value = (part.body as { value?: unknown })?.value;
  if (!Array.isArray(value)) throw new DirectoryError('malformed', `${what} came back without a list`);
  return value as T[];
}

function batchPartError(status: number): DirectoryError {
  if (status === 401 || status === 403)
    return new DirectoryError('forbidden', `Graph refused a batch part (${status})`);
  return new DirectoryError('unavailable', `Graph answered a batch part with ${status}`);
}

function notFoundAsUndefined(error: unknown): undefined {
  if (error instanceof GraphError && error.statusCode === 404) return undefined;
  throw error;
}

function toDirectoryError(error: unknown): DirectoryError {
  if (error instanceof DirectoryError) return error;
  if (error instanceof GraphError) {
    // A 2xx whose body did not parse: the SDK reports the parse error as a GraphError with that status.
    if (error.statusCode >= 200 && error.statusCode < 300)
      return new DirectoryError('malformed', `Graph returned a malformed answer (${error.code})`);
    if (error.statusCode === 401 || error.statusCode === 403)
      return new DirectoryError('forbidden', `Graph refused (${error.statusCode} ${error.code})`);
    if (error.statusCode === 429) return new DirectoryError('throttled', 'Graph throttled the request');
    if (error.statusCode === -1 || error.statusCode >= 500)
      return new DirectoryError('unavailable', `Graph failed (${error.statusCode})`);
    return new DirectoryError('unavailable', `Graph answered ${error.statusCode} ${error.code}`);
  }
  if (error instanceof SyntaxError) return new DirectoryError('malformed', 'Graph returned malformed JSON');
  const name = (error as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return new DirectoryError('timeout', 'Graph did not answer in time');
  return new DirectoryError('unavailable', `Graph request failed: ${name ?? 'unknown error'}`);
}
