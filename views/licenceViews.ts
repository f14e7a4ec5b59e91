import type { AuditEntry } from '../core/admin/auditLog';
import { joinList } from './joinList';
import type { ContentCatalog } from '../core/content/catalog';
import type { DirectoryGroup, DirectoryUser, SubscribedSku, UserSummary } from '../core/licensing/directory';
import { INSTALL_LIMIT, type InstallLimitResult } from '../core/licensing/officeActivations';
import { renderNoticeCard } from '../cards/noticeCard';
import type { Language } from '../core/language';
import type { ProductCatalog } from '../core/licensing/productCatalog';
import { licenceFacts, mainBlocker, type Finding, type LicenceVerdict } from '../core/licensing/verdict';
import type { CardAttachment } from '../cards/renderCard';
import { renderLicenseFormCard } from '../cards/licenseFormCard';
import { renderReportCard, type ReportSection } from '../cards/reportCard';

const STYLE: Record<Finding['severity'], ReportSection['style']> = {
  blocker: 'attention',
  warning: 'warning',
  ok: 'good',
};
/** A group report lists at most this many members, to stay far below the card size limit. */
export const GROUP_REPORT_ROWS = 40;

/** Licence verdicts and admin reports as cards. */
export class LicenceViews {
  constructor(
    private readonly catalog: ContentCatalog,
    private readonly products: ProductCatalog,
  ) {}

  text(language: Language, key: string, params?: Record<string, string | number>): string {
    return this.catalog.text(language, key, params);
  }

  /** Enum values (capability status, assignment errors) in plain words when we have them. */
  private plain(language: Language, prefix: string, value: string): string {
    const key = `${prefix}.${value}`;
    return this.catalog.hasText(key) ? this.text(language, key) : value;
  }

  findingParams(language: Language, finding: Finding): Record<string, string> {
    // Directory values (group and product names, incident titles) go into markdown: keep them from forming links.
    const params = Object.fromEntries(
      Object.entries(finding.params).map(([k, v]) => [k, v.replace(/\]\s*\(/g, '] (').replace(/[<>]/g, '')]),
    );
    if (finding.code === 'assignmentError') {
      params.reason = this.plain(language, 'assignmentError', finding.params.reason);
      params.group = finding.params.group || this.text(language, 'assignmentError.direct');
    }
    if (finding.params.products) params.products = joinList(language, params.products.split('\n'));
    if (finding.code === 'subscriptionExpired')
      params.status = this.plain(language, 'capabilityStatus', finding.params.status);
    if (finding.code === 'provisioningPending')
      params.status = this.plain(language, 'provisioningStatus', finding.params.status);
    return params;
  }

  findingTitle(language: Language, finding: Finding): string {
    return this.text(language, `verdict.${finding.code}.title`, this.findingParams(language, finding));
  }

  /** The user's own verdict: each finding with what they can do and what only an admin can do. */
  verdict(
    language: Language,
    verdict: LicenceVerdict | undefined,
    notice?: 'unavailable' | 'notFound',
  ): CardAttachment {
    const sections: ReportSection[] = [];
    if (notice) {
      sections.push({
        style: 'warning',
        heading: this.text(language, 'verdict.unavailable.title'),
        text: [
          notice === 'notFound'
            ? this.text(language, 'activation.notFound')
            : this.text(language, 'verdict.unavailable.user'),
          this.text(language, 'verdict.unavailable.admin'),
        ].join('\n\n'),
      });
    }
    for (const finding of verdict?.findings ?? []) {
      const params = this.findingParams(language, finding);
      sections.push({
        style: STYLE[finding.severity],
        heading: this.text(language, `verdict.${finding.code}.title`, params),
        text: [
          `**${this.text(language, 'who.user')}**`,
          this.text(language, `verdict.${finding.code}.user`, params),
          `**${this.text(language, 'who.admin')}**`,
          this.text(language, `verdict.${finding.code}.admin`, params),
        ].join('\n\n'),
      });
    }
    return renderReportCard({ title: this.text(language, 'licence.heading'), sections });
  }

  /** An admin's view of one user: account, every licence with its Office plan, errors, subscription and seats. */
  userDetails(
    language: Language,
    user: DirectoryUser,
    skus: SubscribedSku[],
    groupNames: ReadonlyMap<string, string>,
    verdict: LicenceVerdict,
  ): CardAttachment {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    const sections: ReportSection[] = [
      {
        lines: [
          { label: t('admin.line.name'), value: user.displayName },
          { label: t('admin.line.upn'), value: user.userPrincipalName },
          {
            label: t('admin.line.account'),
            value: t(user.accountEnabled ? 'admin.line.accountEnabled' : 'admin.line.accountDisabled'),
          },
          { label: t('admin.line.userType'), value: this.plain(language, 'userType', user.userType) },
          { label: t('admin.line.usageLocation'), value: user.usageLocation || t('admin.line.notSet') },
        ],
      },
    ];
    const facts = licenceFacts(user, skus, this.products.plans, (skuId) =>
      this.products.name(skuId, skus.find((s) => s.skuId === skuId)?.skuPartNumber),
    );
    for (const fact of facts) {
      const state = user.licenseAssignmentStates.find(
        (s) => s.skuId.toLowerCase() === fact.skuId.toLowerCase(),
      );
      const officePlan =
        fact.officeKind === 'none'
          ? 'none'
          : fact.officeKind === 'desktop'
            ? fact.officeDisabled
              ? 'disabled'
              : 'enabled'
            : fact.officeKind;
      sections.push({
        heading: fact.product,
        lines: [
          { label: t('admin.line.officePlan'), value: t(`admin.officePlan.${officePlan}`) },
          ...this.assignmentLines(language, state, groupNames),
          ...this.subscriptionLines(language, fact.sku),
        ],
      });
    }
    // Failed assignments never reach assignedLicenses: show them too.
    for (const failed of user.licenseAssignmentStates.filter(
      (s) => !facts.some((f) => f.skuId.toLowerCase() === s.skuId.toLowerCase()),
    )) {
      const sku = skus.find((s) => s.skuId.toLowerCase() === failed.skuId.toLowerCase());
      sections.push({
        heading: this.products.name(failed.skuId, sku?.skuPartNumber),
        style: failed.error ? 'attention' : 'default',
        lines: [
          ...this.assignmentLines(language, failed, groupNames),
          ...this.subscriptionLines(language, sku),
        ],
      });
    }
    if (user.assignedLicenses.length === 0 && user.licenseAssignmentStates.length === 0)
      sections.push({ text: t('admin.noLicences') });
    const blocker = mainBlocker(verdict);
    const headline = blocker ?? verdict.findings[0];
    if (headline)
      sections.push({
        style: STYLE[headline.severity],
        heading: t('admin.line.verdict'),
        text: this.findingTitle(language, headline),
      });
    return renderReportCard({ title: t('admin.user.title'), sections });
  }

  private assignmentLines(
    language: Language,
    state: DirectoryUser['licenseAssignmentStates'][number] | undefined,
    groupNames: ReadonlyMap<string, string>,
  ): { label: string; value: string }[] {
    if (!state) return [];
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    const group = state.assignedByGroup
      ? (groupNames.get(state.assignedByGroup) ?? state.assignedByGroup)
      : undefined;
    return [
      {
        label: t('admin.line.assignedBy'),
        value: group ? t('admin.assignedBy.group', { group }) : t('admin.assignedBy.direct'),
      },
      {
        label: t('admin.line.assignmentState'),
        value:
          state.error && state.error !== 'None'
            ? t('admin.assignmentStateWithError', {
                state: this.plain(language, 'assignmentState', state.state),
                error: this.plain(language, 'assignmentError', String(state.error)),
              })
            : this.plain(language, 'assignmentState', state.state),
      },
    ];
  }

  private subscriptionLines(
    language: Language,
    sku: SubscribedSku | undefined,
  ): { label: string; value: string }[] {
    if (!sku) return [];
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    return [
      { label: t('admin.line.subscription'), value: this.statusText(language, sku.capabilityStatus) },
      {
        label: t('admin.line.freeSeats'),
        value: t('admin.freeSeats', {
          free: Math.max(0, sku.prepaidUnits.enabled - sku.consumedUnits),
          consumed: sku.consumedUnits,
          enabled: sku.prepaidUnits.enabled,
        }),
      },
    ];
  }

  private statusText(language: Language, status: string): string {
    return status === 'Enabled'
      ? this.text(language, 'admin.status.Enabled')
      : this.plain(language, 'capabilityStatus', status);
  }

  /** The tenant's subscriptions, anything not Enabled first, then the fullest. */
  /** The user is at Microsoft's install limit: how many, and where to deactivate one. */
  installLimit(language: Language, result: InstallLimitResult): CardAttachment {
    const atLimit = result.products.find((p) => p.atLimit) ?? result.products[0];
    return renderNoticeCard({
      title: this.text(language, 'installLimit.title'),
      text: this.text(language, 'installLimit.text', {
        count: atLimit?.pcsAndMacs ?? INSTALL_LIMIT.pcsOrMacs,
        limit: atLimit?.pcOrMacLimit ?? INSTALL_LIMIT.pcsOrMacs,
      }),
      links: [{ title: this.text(language, 'installLimit.link'), url: result.deactivateUrl }],
    });
  }

  subscriptions(language: Language, skus: SubscribedSku[]): CardAttachment {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    const free = (s: SubscribedSku) => s.prepaidUnits.enabled - s.consumedUnits;
    const sorted = [...skus].sort(
      (a, b) =>
        Number(a.capabilityStatus === 'Enabled') - Number(b.capabilityStatus === 'Enabled') ||
        free(a) - free(b),
    );
    return renderReportCard({
      title: t('admin.licences.title'),
      sections:
        sorted.length === 0
          ? [{ text: t('admin.licences.empty') }]
          : sorted.map((sku) => ({
              heading: this.products.name(sku.skuId, sku.skuPartNumber),
              style:
                sku.capabilityStatus === 'Enabled' ? (free(sku) <= 0 ? 'warning' : 'default') : 'attention',
              lines: [
                { label: t('admin.line.status'), value: this.statusText(language, sku.capabilityStatus) },
                {
                  label: t('admin.line.freeSeats'),
                  value: t('admin.freeSeats', {
                    free: Math.max(0, free(sku)),
                    consumed: sku.consumedUnits,
                    enabled: sku.prepaidUnits.enabled,
                  }),
                },
              ],
            })),
    });
  }

  groupReport(
    language: Language,
    group: DirectoryGroup,
    total: number,
    problems: { user: DirectoryUser; reason: Finding }[],
  ): CardAttachment {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    const shown = problems.slice(0, GROUP_REPORT_ROWS);
    const sections: ReportSection[] = [
      {
        lines: [{ label: '', value: group.displayName }],
        text: problems.length
          ? t('admin.group.summary', { count: problems.length, total })
          : t('admin.group.allGood', { total }),
      },
    ];
    if (shown.length > 0)
      sections.push({
        style: 'attention',
        lines: shown.map(({ user, reason }) => ({
          label: `${user.displayName} (${user.userPrincipalName})`,
          value: this.findingTitle(language, reason),
        })),
      });
    if (problems.length > shown.length)
      sections.push({
        text: t('admin.group.more', { count: problems.length - shown.length, shown: shown.length }),
      });
    return renderReportCard({ title: t('admin.group.title'), sections });
  }

  pickUser(language: Language, users: UserSummary[]): CardAttachment {
    return renderReportCard({
      title: this.text(language, 'admin.pickUser'),
      sections: [{ lines: users.map((u) => ({ label: u.displayName, value: u.userPrincipalName })) }],
      buttons: users.map((u) => ({
        label: u.displayName.slice(0, 40),
        data: { action: 'admin.pickUser', userId: u.id },
      })),
    });
  }

  pickGroup(language: Language, groups: DirectoryGroup[]): CardAttachment {
    return renderReportCard({
      title: this.text(language, 'admin.group.pick'),
      sections: [{ lines: groups.map((g) => ({ label: '', value: g.displayName })) }],
      buttons: groups.map((g) => ({
        label: g.displayName.slice(0, 40),
        data: { action: 'admin.pickGroup', groupId: g.id },
      })),
    });
  }

  audit(language: Language, entries: AuditEntry[]): CardAttachment {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    return renderReportCard({
      title: t('admin.audit.title'),
      sections: [
        entries.length === 0
          ? { text: t('admin.audit.empty') }
          : {
              lines: entries.map((e) => ({
                label: e.at.replace('T', ' ').slice(0, 19),
                value: `${e.requesterName} → ${e.action} ${e.target}: ${t(`admin.outcome.${e.outcome}`)}`,
              })),
            },
      ],
    });
  }

  form(language: Language): CardAttachment {
    return renderLicenseFormCard({
      title: this.text(language, 'admin.form.title'),
      hint: this.text(language, 'admin.form.hint'),
      placeholder: this.text(language, 'admin.form.placeholder'),
      submitLabel: this.text(language, 'admin.form.submit'),
    });
  }
}
