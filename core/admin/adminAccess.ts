import type { Directory } from '../licensing/directory';

/** Directory roles whose holders may look up other users' licences (role template ids). */
export const LICENCE_ADMIN_ROLES: Record<string, string> = {
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  'f2ef992c-3afb-46b9-b7cf-a126ee74c451': 'Global Reader',
  '4d6ac14f-3453-41d0-bef9-a3e0c569773a': 'License Administrator',
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'User Administrator',
  '729827e3-9c14-49f7-bb1b-9608f156bbb8': 'Helpdesk Administrator',
};

const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';

/** Who may query others: an admin role, or membership of ADMIN_GROUP_ID. The directory caches both checks. */
export class AdminAccess {
  constructor(
    private readonly directory: Directory,
    private readonly adminGroupId?: string,
  ) {}

  /**
   * Who may change where tickets go (register a support channel): the admin roles that can change things, not
   * Global Reader, or members of ADMIN_GROUP_ID.
   */
  async mayManageSupport(userObjectId: string | undefined): Promise<boolean> {
    if (!userObjectId) return false;
    const roles = await this.directory.getDirectoryRoleTemplateIds(userObjectId);
    if (
      roles.some((role) => role.toLowerCase() in LICENCE_ADMIN_ROLES && role.toLowerCase() !== GLOBAL_READER)
    )
      return true;
    return this.adminGroupId ? this.directory.isMemberOfGroup(userObjectId, this.adminGroupId) : false;
  }

  /** Throws DirectoryError when the directory cannot say; callers refuse in that case too. */
  async mayQueryOthers(userObjectId: string | undefined): Promise<boolean> {
    if (!userObjectId) return false;
    const roles = await this.directory.getDirectoryRoleTemplateIds(userObjectId);
    if (roles.some((role) => role.toLowerCase() in LICENCE_ADMIN_ROLES)) return true;
    return this.adminGroupId ? this.directory.isMemberOfGroup(userObjectId, this.adminGroupId) : false;
  }
}
