/**
 * Office activations and Microsoft's per-user install limit, as the domain sees them: one user's rows of the
 * Office activations report and what they mean. The Graph adapter (bot/directory/) reads the report
 * (GET /reports/getOffice365ActivationsUserDetail, GRAPH-NOTES 1.7); nothing here knows Graph or botbuilder.
 */

/**
 * One row of the Office activations report: one user, one product. The report lists every user who has an Office
 * product assigned, with zeros when nothing is activated; it covers up to the last 24 to 48 hours, and it names no
 * device (learn.microsoft.com/microsoft-365/admin/activity-reports/microsoft-office-activations, MicrosoftDocs
 * microsoft-365-docs `microsoft-365/admin/activity-reports/microsoft-office-activations.md`; MicrosoftDocs/
 * SupportArticles-docs `Office/Client/activation/activation-usage-report-issues.md`).
 */
export interface OfficeActivationRow {
  /** As the report spells it, e.g. "MICROSOFT 365 APPS FOR ENTERPRISE". */
  productType: string;
  /** Windows PCs the product is activated on. */
  windows: number;
  mac: number;
  windows10Mobile: number;
  ios: number;
  android: number;
  activatedOnSharedComputer: boolean;
  /** YYYY-MM-DD; absent when the product was never activated. */
  lastActivatedDate?: string;
}

/**
 * Why there is no answer: the app lacks Reports.Read.All (`forbidden`), the tenant conceals user names in reports
 * so no row can be matched to a person (`concealed`), or Graph failed (`error`).
 */
export type OfficeActivationsUnavailableReason = 'forbidden' | 'concealed' | 'error';

/** What the directory knows about one user's Office activations. */
export type OfficeActivationsReading =
  | {
      kind: 'activations';
      rows: OfficeActivationRow[];
      /** The report's "Report Refresh Date" (YYYY-MM-DD), when it gave one. */
      reportRefreshDate?: string;
    }
  /** The user is not in the report: no Office product is assigned to them. */
  | { kind: 'none' }
  | { kind: 'unavailable'; reason: OfficeActivationsUnavailableReason };

/**
 * Microsoft 365 Apps: "each person can install Microsoft 365 on up to five PCs or Mac, five tablets, and five phones"
 * (learn.microsoft.com/microsoft-365/commerce/licenses/subscriptions-and-licenses, "How many devices can people
 * install Microsoft 365 on?", MicrosoftDocs/microsoft-365-docs `microsoft-365/commerce/licenses/
 * subscriptions-and-licenses.md`, ms.date 01/06/2025). The same figures, "up to five desktops, five tablets, and five
 * mobile devices", and that they apply to Project Online Desktop Client and Visio Online Plan 2 too:
 * learn.microsoft.com/deployoffice/overview-licensing-activation-microsoft-365-apps (MicrosoftDocs/
 * OfficeDocs-DeployOffice `DeployOffice/overview-licensing-activation-microsoft-365-apps.md`, ms.date 05/22/2024). That page adds that since version 1910 a user is no longer asked to deactivate another
 * device first; past 10 activated devices the least recently used Windows one is deactivated automatically. The
 * "maximum number of devices" error still exists (learn.microsoft.com/office/troubleshoot/activation/activation-limits,
 * MicrosoftDocs/SupportArticles-docs `Office/Client/activation/activation-limits.md`, ms.date 02/11/2025), so at 5
 * the honest advice is: deactivate one you no longer use.
 */
export const INSTALL_LIMIT = { pcsOrMacs: 5, tablets: 5, phones: 5 } as const;

/**
 * Where a work or school user sees their Office installs and signs out of (deactivates) one: the Microsoft 365 portal,
 * My account > Apps & devices. The URL as Microsoft's own troubleshooting article links it ("Go to the Microsoft 365
 * portal: https://portal.office.com/account/?ref=MeControl#installs",
 * learn.microsoft.com/office/troubleshoot/activation/license-not-assigned, MicrosoftDocs/SupportArticles-docs
 * `Office/Client/activation/license-not-assigned.md`, ms.date 06/06/2024); "Individuals in your
 * organization can see their Microsoft 365 Apps activations by going to https://portal.office.com/account/"
 * (SupportArticles-docs `Office/Client/activation/activation-usage-report-issues.md`). Not
 * myaccount.microsoft.com/device-list: that page removes Entra device registrations, not Office activations.
 */
export const DEACTIVATE_INSTALL_URL = 'https://portal.office.com/account/?ref=MeControl#installs';

/**
 * Products the install limit applies to: Microsoft 365 Apps (for enterprise or business, formerly Office 365 ProPlus /
 * Business), Project Online Desktop Client and Visio Online Plan 2 (sources at INSTALL_LIMIT). The report names
 * products in capitals ("MICROSOFT 365 APPS FOR ENTERPRISE"); others it lists (e.g. "MICROSOFT EXCEL ADVANCED
 * ANALYTICS") are add-ons with no install of their own.
 */
export function isInstallLimited(productType: string): boolean {
  const name = productType.toUpperCase();
  return /MICROSOFT 365 APPS|OFFICE 365 PROPLUS|OFFICE 365 BUSINESS|PROJECT|VISIO/.test(name);
}

/** One product's activations for one user, and whether the user is at the install limit for it. */
export interface ProductActivations {
  productType: string;
  /** Windows PCs and Macs: the installs the limit of 5 counts. */
  pcsAndMacs: number;
  /** Windows 10 Mobile, iOS and Android together: the report does not tell tablets from phones. */
  mobileDevices: number;
  /** The PC/Mac limit for this product (5), or undefined when the product has no install limit. */
  pcOrMacLimit?: number;
  /** pcsAndMacs has reached pcOrMacLimit: a new PC or Mac needs one of them deactivated. */
  atLimit: boolean;
  /**
   * The user has used shared computer activation, which "doesn't count against that limit" (learn.microsoft.com/
   * deployoffice/overview-shared-computer-activation, OfficeDocs-DeployOffice `DeployOffice/overview-shared-computer-
   * activation.md`). The report does not say which of the Windows activations were shared, so they are counted.
   */
  activatedOnSharedComputer: boolean;
  lastActivatedDate?: string;
}

/** Per product (each once, in report order): how many PCs/Macs are activated and whether that is the limit. */
export function summariseActivations(rows: readonly OfficeActivationRow[]): ProductActivations[] {
  const byProduct = new Map<string, ProductActivations>();
  for (const row of rows) {
    const key = row.productType.trim().toUpperCase();
    const product = byProduct.get(key) ?? {
      productType: row.productType.trim(),
      pcsAndMacs: 0,
      mobileDevices: 0,
      pcOrMacLimit: isInstallLimited(row.productType) ? INSTALL_LIMIT.pcsOrMacs : undefined,
      atLimit: false,
      activatedOnSharedComputer: false,
    };
    product.pcsAndMacs += count(row.windows) + count(row.mac);
    product.mobileDevices += count(row.windows10Mobile) + count(row.ios) + count(row.android);
    product.activatedOnSharedComputer ||= row.activatedOnSharedComputer;
    const last = [product.lastActivatedDate, row.lastActivatedDate].filter((d): d is string => !!d).sort();
    if (last.length > 0) product.lastActivatedDate = last[last.length - 1];
    product.atLimit = product.pcOrMacLimit !== undefined && product.pcsAndMacs >= product.pcOrMacLimit;
    byProduct.set(key, product);
  }
  return [...byProduct.values()];
}

/** A definite answer about one user's installs. */
export interface InstallLimitResult {
  /** At least one product is at its PC/Mac limit. */
  atLimit: boolean;
  /** Every product the report lists for the user; those at the limit first, most installs first. */
  products: ProductActivations[];
  /** Where the user deactivates an install. */
  deactivateUrl: string;
  /** The day the report describes (YYYY-MM-DD), when known: it lags a day or two behind. */
  reportRefreshDate?: string;
  /** Which of the account names found the user in the report. */
  matchedBy: 'userPrincipalName' | 'mail';
}

/** A count from the report: anything but a non-negative integer counts as nothing. */
function count(value: number): number {
  return Number.isInteger(value) && value > 0 ? value : 0;
}

/** Builds the answer from a user's rows. */
export function installLimitFrom(
  rows: readonly OfficeActivationRow[],
  matchedBy: InstallLimitResult['matchedBy'],
  reportRefreshDate?: string,
): InstallLimitResult {
  const products = summariseActivations(rows).sort(
    (a, b) => Number(b.atLimit) - Number(a.atLimit) || b.pcsAndMacs - a.pcsAndMacs,
  );
  return {
    atLimit: products.some((p) => p.atLimit),
    products,
    deactivateUrl: DEACTIVATE_INSTALL_URL,
    ...(reportRefreshDate ? { reportRefreshDate } : {}),
    matchedBy,
  };
}
