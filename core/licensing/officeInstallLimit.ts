import { DirectoryError, type Directory } from './directory';
import {
  installLimitFrom,
  type InstallLimitResult,
  type OfficeActivationsReading,
} from './officeActivations';

/**
 * Whether a user is at Microsoft's install limit for Office, from the Office activations report. Answers only when
 * the report gives a definite answer: undefined when the report is unavailable (no permission, concealed names, Graph
 * trouble) or does not list the user. Never throws for Graph trouble.
 */
export class OfficeInstallLimit {
  constructor(private readonly directory: Pick<Directory, 'getOfficeActivations'>) {}

  /**
   * Looks the user up by UPN, then by mail address when that differs (Office may be signed in with either; the
   * report is keyed by UPN, so a match by mail only helps where the two differ in case or the UPN was renamed).
   */
  async check(userPrincipalName: string, mail?: string): Promise<InstallLimitResult | undefined> {
    const byUpn = await this.read(userPrincipalName);
    if (byUpn.kind === 'activations')
      return installLimitFrom(byUpn.rows, 'userPrincipalName', byUpn.reportRefreshDate);
    if (
      byUpn.kind !== 'none' ||
      !mail ||
      mail.trim().toLowerCase() === userPrincipalName.trim().toLowerCase()
    )
      return undefined;
    const byMail = await this.read(mail);
    return byMail.kind === 'activations'
      ? installLimitFrom(byMail.rows, 'mail', byMail.reportRefreshDate)
      : undefined;
  }

  private async read(name: string): Promise<OfficeActivationsReading> {
    if (name.trim() === '') return { kind: 'none' };
    try {
      return await this.directory.getOfficeActivations(name.trim());
    } catch (error) {
      // The Graph adapter answers `unavailable` itself; other implementations may still throw DirectoryError.
      if (error instanceof DirectoryError) return { kind: 'unavailable', reason: 'error' };
      throw error;
    }
  }
}
