/**
 * The directory as the domain sees it: users, their licences, the tenant's subscriptions and service health.
 * The Graph adapter (bot/directory/) implements this port and turns Graph errors into DirectoryError.
 */
import type { OfficeActivationsReading } from './officeActivations';

export type { OfficeActivationsReading } from './officeActivations';

export type CapabilityStatus = 'Enabled' | 'Warning' | 'Suspended' | 'LockedOut' | 'Deleted';
export type AssignmentState = 'Active' | 'ActiveWithError' | 'Disabled' | 'Error';
export type AssignmentError =
  | 'CountViolation'
  | 'MutuallyExclusiveViolation'
  | 'DependencyViolation'
  | 'ProhibitedInUsageLocationViolation'
  | 'UniquenessViolation'
  | 'Other';

export interface DirectoryUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  /** The primary SMTP address; absent when the user has no mailbox. Office may be signed in with either name. */
  mail?: string;
  accountEnabled: boolean;
  /** 'Member' or 'Guest'. */
  userType: string;
  usageLocation?: string;
  assignedLicenses: { skuId: string; disabledPlans: string[] }[];
  licenseAssignmentStates: {
    skuId: string;
    state: AssignmentState | string;
    error?: AssignmentError | string | null;
    /** The group that assigned the licence; absent for a direct assignment. */
    assignedByGroup?: string | null;
    disabledPlans: string[];
  }[];
}

export interface SubscribedSku {
  skuId: string;
  skuPartNumber: string;
  capabilityStatus: CapabilityStatus | string;
  consumedUnits: number;
  prepaidUnits: { enabled: number; warning: number; suspended: number; lockedOut: number };
  servicePlans: { servicePlanId: string; servicePlanName: string; provisioningStatus: string }[];
}

export interface ServiceHealthIssue {
  id: string;
  service: string;
  title: string;
  status: string;
  classification: string;
  isResolved: boolean;
  startDateTime?: string;
}

export interface DirectoryGroup {
  id: string;
  displayName: string;
}

export interface UserSummary {
  id: string;
  displayName: string;
  userPrincipalName: string;
}

export type DirectoryErrorKind = 'unavailable' | 'throttled' | 'timeout' | 'forbidden' | 'malformed';

/** Anything that went wrong talking to the directory, already classified for the user-facing answer. */
export class DirectoryError extends Error {
  constructor(
    readonly kind: DirectoryErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryError';
  }
}

/** Everything the licence verdict needs about one user, fetched as cheaply as the caches allow. */
export interface LicensingSnapshot {
  user: DirectoryUser;
  skus: SubscribedSku[];
  openIssues: ServiceHealthIssue[];
  /** Names of the groups that assigned (or failed to assign) this user's licences. */
  groupNames: Map<string, string>;
}

export interface Directory {
  /** By object id or UPN; undefined when no such user exists. */
  getLicensingSnapshot(idOrUpn: string): Promise<LicensingSnapshot | undefined>;
  /** Users whose display name or UPN starts with the text (at most `limit`). */
  findUsers(text: string, limit: number): Promise<UserSummary[]>;
  listSubscribedSkus(): Promise<SubscribedSku[]>;
  getGroup(id: string): Promise<DirectoryGroup | undefined>;
  findGroups(text: string, limit: number): Promise<DirectoryGroup[]>;
  /** Users who are members of the group, directly or through nested groups, with their licensing (up to `limit`). */
  listGroupMembersLicensing(groupId: string, limit: number): Promise<DirectoryUser[]>;
  /** Template ids of the user's active tenant-wide directory roles. */
  getDirectoryRoleTemplateIds(userId: string): Promise<string[]>;
  isMemberOfGroup(userId: string, groupId: string): Promise<boolean>;
  /**
   * The user's rows of the Office activations report (optional Graph permission Reports.Read.All), looked up by UPN.
   * Never throws for Graph trouble: a refusal, concealed names or a failure come back as `unavailable`.
   */
  getOfficeActivations(userPrincipalName: string): Promise<OfficeActivationsReading>;
}
