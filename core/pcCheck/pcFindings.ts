import { officeProductOf, type PcFacts } from './pcCheck';

/**
 * What the facts from a user's PC mean for the diagnosis: which questions they answer, what the user must be
 * warned about, and where to go first. Question and choice ids are the content's (checked by a content test).
 */

/** The account the user is signed in to Teams with, as the directory knows it. */
export interface TeamsAccount {
  userPrincipalName: string;
  mail?: string;
}

export type PcFinding =
  /** Office is signed in, but not with the Teams account: it activates with the wrong (or no) licence. */
  | { kind: 'wrongAccount'; officeAccounts: string[]; personal: boolean; teamsAccount?: string }
  /** Joined to Azure AD and/or an on-premises domain: disconnecting the entry removes the PC from it. */
  | { kind: 'joined'; how: 'azureAd' | 'hybrid' | 'domain' }
  /** Windows 7 or 8 without TLS 1.2 for WinHTTP: Office cannot reach the activation service. */
  | { kind: 'tls12Off'; windows: string }
  /** Azure AD joined, but Windows holds no sign-in token (PRT) for the user: single sign-on to Office fails. */
  | { kind: 'noPrimaryRefreshToken' }
  /** The Teams account is signed in to Office, and a personal account too: Office may pick the wrong one. */
  | { kind: 'personalAlsoSignedIn'; personalAccounts: string[] }
  | { kind: 'signInUnreachable' }
  | { kind: 'sharedComputerActivation' }
  | { kind: 'noOffice' }
  /** The paste was cut short: later facts are unknown, so their questions are still asked. */
  | { kind: 'truncated' };

/** The questions a PC check can answer, and so the ones that offer it ("not sure? run this check"). */
export const PC_CHECK_QUESTIONS = ['office-product', 'admin-rights', 'office-account'] as const;

/** Where a non-admin user of Microsoft 365 Apps goes: the admin question without its "yes". */
export const OTHER_ADMIN_QUESTION = 'other-admin-account';

/** The procedures a PC fact leads to directly (content ids in the activation flow). */
export const PC_FACT_PROCEDURES = {
  tls12Off: 'tls12-on-older-windows',
  signInUnreachable: 'sign-in-service-unreachable',
} as const;

export type PcAnswer = { choice: string } | { question: string };

const sameAddress = (a: string, b?: string) => !!b && a.toLowerCase() === b.toLowerCase();

function isTeamsAccount(email: string, teams?: TeamsAccount): boolean {
  return !!teams && (sameAddress(email, teams.userPrincipalName) || sameAddress(email, teams.mail));
}

/** The answer the facts give to a content question, or undefined to ask it. */
export function answerFromPcFacts(
  questionId: string,
  facts: PcFacts,
  teams?: TeamsAccount,
): PcAnswer | undefined {
  switch (questionId) {
    case 'office-product': {
      const product = officeProductOf(facts);
      return product ? { choice: product } : undefined;
    }
    case 'admin-rights':
      if (facts.localAdmin === undefined) return undefined;
      return facts.localAdmin ? { choice: 'is-admin' } : { question: OTHER_ADMIN_QUESTION };
    case 'office-account': {
      const accounts = facts.officeAccounts;
      if (accounts.length === 0) return undefined;
      if (accounts.some((a) => isTeamsAccount(a.email, teams))) return { choice: 'same-work-account' };
      if (accounts.every((a) => a.kind === 'personal')) return { choice: 'personal-account' };
      // Without the Teams account a work address proves nothing: ask.
      return teams ? { choice: 'different-work-account' } : undefined;
    }
    default:
      return undefined;
  }
}

/** Everything worth telling the user about their PC, most urgent first. */
export function pcFindings(facts: PcFacts, teams?: TeamsAccount): PcFinding[] {
  const findings: PcFinding[] = [];
  const windows = facts.windows;
  // WinHTTP has TLS 1.2 on by default from Windows 8.1; before that it takes the update and the setting (KB3140245).
  const name = windows ? windowsName(windows.version) : undefined;
  if (facts.tls12 === 'off' && (name === 'Windows 7' || name === 'Windows 8'))
    findings.push({ kind: 'tls12Off', windows: name });
  if (facts.signInReachable === false) findings.push({ kind: 'signInUnreachable' });
  const wrong = wrongAccountOf(facts, teams);
  if (wrong) findings.push(wrong);
  const personal = facts.officeAccounts.filter((a) => a.kind === 'personal').map((a) => a.email);
  if (!wrong && personal.length > 0 && facts.officeAccounts.some((a) => isTeamsAccount(a.email, teams)))
    findings.push({ kind: 'personalAlsoSignedIn', personalAccounts: personal });
  const how = joinOf(facts);
  if (how === 'azureAd' || how === 'hybrid' || how === 'domain') findings.push({ kind: 'joined', how });
  if ((how === 'azureAd' || how === 'hybrid') && facts.join.primaryRefreshToken === false)
    findings.push({ kind: 'noPrimaryRefreshToken' });
  if (facts.clickToRun?.sharedComputerActivation) findings.push({ kind: 'sharedComputerActivation' });
  if (facts.officeRead && !facts.clickToRun && !facts.msi) findings.push({ kind: 'noOffice' });
  if (facts.truncated) findings.push({ kind: 'truncated' });
  return findings;
}

function wrongAccountOf(facts: PcFacts, teams?: TeamsAccount): PcFinding | undefined {
  const accounts = facts.officeAccounts;
  if (accounts.length === 0 || accounts.some((a) => isTeamsAccount(a.email, teams))) return undefined;
  const personal = accounts.some((a) => a.kind === 'personal');
  // A work address other than an unknown Teams account is not evidence; a personal account always is.
  if (!teams && !personal) return undefined;
  return {
    kind: 'wrongAccount',
    officeAccounts: accounts.map((a) => a.email),
    personal,
    ...(teams ? { teamsAccount: teams.userPrincipalName } : {}),
  };
}

/** How the PC is joined, from dsregcmd's flags; `workplace` is a registered (not joined) device. */
export function joinOf(facts: PcFacts): 'azureAd' | 'hybrid' | 'domain' | 'workplace' | 'none' | undefined {
  const { azureAd, domain, workplace } = facts.join;
  if (azureAd && domain) return 'hybrid';
  if (azureAd) return 'azureAd';
  if (domain) return 'domain';
  if (workplace) return 'workplace';
  if (azureAd === false || domain === false) return 'none';
  return undefined;
}

/** Facts that change what a step says: the content's step `factWarnings` name them. */
export const PC_FACT_CONDITIONS = ['joined', 'sharedComputerActivation', 'notAdmin'] as const;
export type PcFactCondition = (typeof PC_FACT_CONDITIONS)[number];

export function pcFactHolds(condition: PcFactCondition, facts: PcFacts): boolean {
  switch (condition) {
    case 'joined': {
      const how = joinOf(facts);
      return how === 'azureAd' || how === 'hybrid' || how === 'domain';
    }
    case 'sharedComputerActivation':
      return !!facts.clickToRun?.sharedComputerActivation;
    case 'notAdmin':
      return facts.localAdmin === false;
  }
}

/**
 * Where a pasted check leads first. A PC that cannot reach Microsoft fails whatever Office does, so the network
 * comes first; then the wrong account (the activation flow joins it with the licence); then the flow the user was
 * in, its questions answered from the facts.
 */
export type PcRoute =
  { kind: 'procedure'; procedureId: string } | { kind: 'flow'; flow: 'activation' | 'signin-repair' };

export function routeOfPcCheck(
  findings: readonly PcFinding[],
  wasIn?: 'activation' | 'signin-repair',
): PcRoute {
  if (findings.some((f) => f.kind === 'tls12Off'))
    return { kind: 'procedure', procedureId: PC_FACT_PROCEDURES.tls12Off };
  if (findings.some((f) => f.kind === 'signInUnreachable'))
    return { kind: 'procedure', procedureId: PC_FACT_PROCEDURES.signInUnreachable };
  if (findings.some((f) => f.kind === 'wrongAccount')) return { kind: 'flow', flow: 'activation' };
  return { kind: 'flow', flow: wasIn ?? 'signin-repair' };
}

/** Windows by its version number: the edition line says "Windows 10" on Windows 11 only in old builds. */
export function windowsName(version: string): string | undefined {
  const [major, minor, build] = version.split('.').map(Number);
  if (major === 6 && minor === 1) return 'Windows 7';
  if (major === 6 && minor === 2) return 'Windows 8';
  if (major === 6 && minor === 3) return 'Windows 8.1';
  if (major === 10 && build >= 22000) return 'Windows 11';
  if (major === 10) return 'Windows 10';
  return undefined;
}

/** Product names for Click-to-Run release ids (Office deployment tool's product ids), as Microsoft writes them. */
const PRODUCT_NAMES: Record<string, string> = {
  O365ProPlusRetail: 'Microsoft 365 Apps for enterprise',
  O365ProPlusEEANoTeamsRetail: 'Microsoft 365 Apps for enterprise',
  O365BusinessRetail: 'Microsoft 365 Apps for business',
  O365BusinessEEANoTeamsRetail: 'Microsoft 365 Apps for business',
  O365SmallBusPremRetail: 'Microsoft 365 Business',
  O365HomePremRetail: 'Microsoft 365 Personal / Family',
  O365AppsBasicRetail: 'Microsoft 365 Basic',
  ProPlus2024Volume: 'Office LTSC Professional Plus 2024',
  ProPlus2021Volume: 'Office LTSC Professional Plus 2021',
  ProPlus2019Volume: 'Office Professional Plus 2019',
  Standard2024Volume: 'Office LTSC Standard 2024',
  Standard2021Volume: 'Office LTSC Standard 2021',
  Standard2019Volume: 'Office Standard 2019',
  HomeBusiness2024Retail: 'Office Home & Business 2024',
  HomeBusiness2021Retail: 'Office Home & Business 2021',
  HomeBusiness2019Retail: 'Office Home & Business 2019',
  HomeStudent2024Retail: 'Office Home 2024',
  HomeStudent2021Retail: 'Office Home & Student 2021',
  HomeStudent2019Retail: 'Office Home & Student 2019',
  Personal2021Retail: 'Office Personal 2021',
  Personal2019Retail: 'Office Personal 2019',
  Professional2021Retail: 'Office Professional 2021',
  Professional2019Retail: 'Office Professional 2019',
  ProPlusRetail: 'Office Professional Plus 2016',
  ProfessionalRetail: 'Office Professional 2016',
  HomeBusinessRetail: 'Office Home & Business 2016',
  PersonalRetail: 'Office Personal 2016',
};

/** The names of the Office products installed by Click-to-Run; an id without a known name as it was printed. */
export function officeProductNames(facts: PcFacts): string[] {
  const names = (facts.clickToRun?.products ?? []).map((id) => PRODUCT_NAMES[id] ?? id);
  return [...new Set(names)];
}
