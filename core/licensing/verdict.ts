import type { DirectoryUser, ServiceHealthIssue, SubscribedSku } from './directory';

/** Desktop Office comes from one of three service plans (GRAPH-NOTES 2.2); two more are special cases. */
export interface DesktopOfficePlans {
  desktop: string[];
  unattendedOnly: string[];
  deviceBased: string[];
}

export type FindingCode =
  | 'accountDisabled'
  | 'guest'
  | 'noLicence'
  | 'noDesktopOffice'
  | 'officePlanDisabled'
  | 'assignmentError'
  | 'subscriptionWarning'
  | 'subscriptionExpired'
  | 'provisioningPending'
  | 'deviceBased'
  | 'unattendedOnly'
  | 'serviceIncident'
  | 'licenceOk';

export interface Finding {
  code: FindingCode;
  /** blocker: explains why Office cannot activate; warning: worth knowing; ok: all good. */
  severity: 'blocker' | 'warning' | 'ok';
  /** Values for the message: product names, group names, raw enum values (the caller localises enums). */
  params: Record<string, string>;
}

/** A finding as the dashboard counts it: an assignment error with its Entra error code (CountViolation…). */
export function findingKind(finding: Finding): string {
  return finding.code === 'assignmentError' && finding.params.reason
    ? `assignmentError:${finding.params.reason}`
    : finding.code;
}

export interface LicenceVerdict {
  usableDesktopOffice: boolean;
  findings: Finding[];
}

export interface VerdictInput {
  user: DirectoryUser;
  skus: SubscribedSku[];
  openIssues: ServiceHealthIssue[];
  plans: DesktopOfficePlans;
  productName: (skuId: string) => string;
  /** Display names of groups that assigned licences; ids not in the map are shown as ids. */
  groupNames: ReadonlyMap<string, string>;
}

/** Services whose incidents can stop Office from activating or signing in (compared case-insensitively). */
export const ACTIVATION_SERVICES = [
  'microsoft 365 apps',
  'microsoft 365 suite',
  'identity service',
  'office for the web',
];

const EXPIRED = new Set(['suspended', 'lockedout', 'deleted']);
const PENDING = new Set(['pendinginput', 'pendingactivation', 'pendingprovisioning', 'error']);
const lower = (value: string | undefined | null) => (value ?? '').toLowerCase();

type OfficeKind = 'desktop' | 'unattendedOnly' | 'deviceBased' | 'none';

interface LicenceFacts {
  skuId: string;
  product: string;
  sku?: SubscribedSku;
  officeKind: OfficeKind;
  officePlanId?: string;
  officeDisabled: boolean;
  subscriptionStatus: string;
  provisioning?: string;
  usable: boolean;
}

/** What a user's licence means for desktop Office, per assigned SKU. Used by the verdict and the admin view. */
export function licenceFacts(
  user: DirectoryUser,
  skus: SubscribedSku[],
  plans: DesktopOfficePlans,
  productName: (skuId: string) => string,
): LicenceFacts[] {
  return user.assignedLicenses.map((assigned) => {
    const sku = skus.find((s) => lower(s.skuId) === lower(assigned.skuId));
    const planIds = (sku?.servicePlans ?? []).map((p) => lower(p.servicePlanId));
    const find = (ids: string[]) => ids.find((id) => planIds.includes(lower(id)));
    const desktop = find(plans.desktop);
    const unattended = find(plans.unattendedOnly);
    const device = find(plans.deviceBased);
    const officePlanId = desktop ?? unattended ?? device;
    const officeKind: OfficeKind = desktop
      ? 'desktop'
      : unattended
        ? 'unattendedOnly'
        : device
          ? 'deviceBased'
          : 'none';
    const disabled = [
      ...assigned.disabledPlans,
      ...user.licenseAssignmentStates
        .filter((s) => lower(s.skuId) === lower(assigned.skuId))
        .flatMap((s) => s.disabledPlans),
    ].map(lower);
    const officeDisabled = !!officePlanId && disabled.includes(lower(officePlanId));
    const subscriptionStatus = sku?.capabilityStatus ?? 'Enabled';
    const provisioning = sku?.servicePlans.find(
      (p) => lower(p.servicePlanId) === lower(officePlanId),
    )?.provisioningStatus;
    const state = user.licenseAssignmentStates.find((s) => lower(s.skuId) === lower(assigned.skuId))?.state;
    const assignmentWorks = !state || ['active', 'activewitherror'].includes(lower(state));
    return {
      skuId: assigned.skuId,
      product: productName(assigned.skuId),
      sku,
      officeKind,
      officePlanId,
      officeDisabled,
      subscriptionStatus,
      provisioning,
      usable:
        officeKind === 'desktop' &&
        !officeDisabled &&
        assignmentWorks &&
        !EXPIRED.has(lower(subscriptionStatus)) &&
        !PENDING.has(lower(provisioning)),
    };
  });
}

/**
 * Why Office will or won't activate for this user, as far as the directory can tell: the server-side half of
 * the "Unable to activate Office" checklist. Blockers come first.
 */
export function diagnoseLicence(input: VerdictInput): LicenceVerdict {
  const { user } = input;
  const findings: Finding[] = [];
  const facts = licenceFacts(user, input.skus, input.plans, input.productName);
  const usable = facts.filter((f) => f.usable);

  if (!user.accountEnabled) findings.push({ code: 'accountDisabled', severity: 'blocker', params: {} });
  if (lower(user.userType) === 'guest')
    findings.push({ code: 'guest', severity: usable.length ? 'warning' : 'blocker', params: {} });

  const failedAssignments = user.licenseAssignmentStates.filter((s) => s.error && lower(s.error) !== 'none');
  for (const failed of failedAssignments) {
    findings.push({
      code: 'assignmentError',
      severity: lower(failed.state) === 'error' && usable.length === 0 ? 'blocker' : 'warning',
      params: {
        product: input.productName(failed.skuId),
        reason: String(failed.error),
        group: failed.assignedByGroup
          ? (input.groupNames.get(failed.assignedByGroup) ?? failed.assignedByGroup)
          : '',
      },
    });
  }

  if (usable.length === 0) {
    if (facts.length === 0) {
      if (failedAssignments.length === 0)
        findings.push({ code: 'noLicence', severity: 'blocker', params: {} });
    } else {
      for (const fact of facts) {
        if (fact.officeKind === 'desktop' && fact.officeDisabled)
          findings.push({
            code: 'officePlanDisabled',
            severity: 'blocker',
            params: { product: fact.product },
          });
        else if (fact.officeKind === 'desktop' && EXPIRED.has(lower(fact.subscriptionStatus)))
          findings.push({
            code: 'subscriptionExpired',
            severity: 'blocker',
            params: { product: fact.product, status: fact.subscriptionStatus },
          });
        else if (fact.officeKind === 'desktop' && PENDING.has(lower(fact.provisioning)))
          findings.push({
            code: 'provisioningPending',
            severity: 'blocker',
            params: { product: fact.product, status: fact.provisioning ?? '' },
          });
        else if (fact.officeKind === 'unattendedOnly')
          findings.push({ code: 'unattendedOnly', severity: 'blocker', params: { product: fact.product } });
        else if (fact.officeKind === 'deviceBased')
          findings.push({ code: 'deviceBased', severity: 'warning', params: { product: fact.product } });
      }
      if (facts.every((f) => f.officeKind === 'none'))
        findings.push({
          code: 'noDesktopOffice',
          severity: 'blocker',
          // One name a line: the view joins them as the reader's language lists things.
          params: { products: facts.map((f) => f.product).join('\n') },
        });
    }
  } else {
    for (const fact of usable)
      if (lower(fact.subscriptionStatus) === 'warning')
        findings.push({
          code: 'subscriptionWarning',
          severity: 'warning',
          params: { product: fact.product },
        });
  }

  for (const issue of input.openIssues) {
    if (!issue.isResolved && ACTIVATION_SERVICES.includes(lower(issue.service)))
      findings.push({
        code: 'serviceIncident',
        severity: 'warning',
        params: { service: issue.service, title: issue.title, id: issue.id },
      });
  }
  if (usable.length > 0 && user.accountEnabled)
    findings.push({ code: 'licenceOk', severity: 'ok', params: { product: usable[0].product } });

  const order = { blocker: 0, warning: 1, ok: 2 };
  findings.sort((a, b) => order[a.severity] - order[b.severity]);
  return { usableDesktopOffice: usable.length > 0 && user.accountEnabled, findings };
}

/** The first reason a user has no usable desktop Office, for one-line reports. */
export function mainBlocker(verdict: LicenceVerdict): Finding | undefined {
  return verdict.findings.find((f) => f.severity === 'blocker');
}
