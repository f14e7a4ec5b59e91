import { DirectoryError, type Directory, type LicensingSnapshot } from './directory';
import type { ProductCatalog } from './productCatalog';
import { diagnoseLicence, type LicenceVerdict } from './verdict';

export type LicenceCheck =
  | { kind: 'checked'; snapshot: LicensingSnapshot; verdict: LicenceVerdict }
  | { kind: 'notFound' }
  | { kind: 'unavailable'; reason: DirectoryError['kind'] };

/** Fetches what the directory knows about a user and turns it into a verdict. Never throws for Graph trouble. */
export class LicenceChecker {
  constructor(
    private readonly directory: Directory,
    private readonly products: ProductCatalog,
  ) {}

  async check(idOrUpn: string): Promise<LicenceCheck> {
    let snapshot: LicensingSnapshot | undefined;
    try {
      snapshot = await this.directory.getLicensingSnapshot(idOrUpn);
    } catch (error) {
      if (error instanceof DirectoryError) return { kind: 'unavailable', reason: error.kind };
      throw error;
    }
    if (!snapshot) return { kind: 'notFound' };
    return { kind: 'checked', snapshot, verdict: this.verdictFor(snapshot) };
  }

  verdictFor(
    snapshot: Pick<LicensingSnapshot, 'user' | 'skus' | 'openIssues' | 'groupNames'>,
  ): LicenceVerdict {
    return diagnoseLicence({
      user: snapshot.user,
      skus: snapshot.skus,
      openIssues: snapshot.openIssues,
      plans: this.products.plans,
      productName: (skuId) =>
        this.products.name(skuId, snapshot.skus.find((s) => s.skuId === skuId)?.skuPartNumber),
      groupNames: snapshot.groupNames,
    });
  }
}
