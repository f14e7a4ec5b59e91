import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DesktopOfficePlans } from './verdict';

const productsSchema = z.object({
  source: z.string(),
  products: z.record(z.string(), z.object({ partNumber: z.string(), name: z.string() })),
});

const plansSchema = z.object({
  desktop: z.array(z.object({ id: z.string(), name: z.string() })).min(1),
  unattendedOnly: z.array(z.object({ id: z.string(), name: z.string() })),
  deviceBased: z.array(z.object({ id: z.string(), name: z.string() })),
});

/** Product names by SKU id (Microsoft's licensing reference) and the service plans that mean desktop Office. */
export class ProductCatalog {
  private constructor(
    private readonly products: Map<string, { partNumber: string; name: string }>,
    readonly plans: DesktopOfficePlans,
  ) {}

  static load(licensingDir: string): ProductCatalog {
    const products = productsSchema.parse(
      JSON.parse(readFileSync(join(licensingDir, 'products.json'), 'utf8')),
    );
    const plansFile = join(licensingDir, 'desktopOfficePlans.json');
    const plans = existsSync(plansFile)
      ? plansSchema.parse(JSON.parse(readFileSync(plansFile, 'utf8')))
      : undefined;
    return new ProductCatalog(
      new Map(Object.entries(products.products).map(([id, p]) => [id.toLowerCase(), p])),
      plans
        ? {
            desktop: plans.desktop.map((p) => p.id),
            unattendedOnly: plans.unattendedOnly.map((p) => p.id),
            deviceBased: plans.deviceBased.map((p) => p.id),
          }
        : DEFAULT_PLANS,
    );
  }

  /** The product's display name; the SKU part number or id when the reference does not know it yet. */
  name(skuId: string, partNumber?: string): string {
    return this.products.get(skuId.toLowerCase())?.name ?? partNumber ?? skuId;
  }
}

/** GRAPH-NOTES 2.2: OFFICESUBSCRIPTION, OFFICE_BUSINESS, OFFICESUBSCRIPTION_GOV; unattended; device-based. */
const DEFAULT_PLANS: DesktopOfficePlans = {
  desktop: [
    '43de0ff5-c92c-492b-9116-175376d08c38',
    '094e7854-93fc-4d55-b2c0-3ab5369ebdc1',
    'de9234ff-6483-44d9-b15e-dca72fdd27af',
  ],
  unattendedOnly: ['8d77e2d9-9e28-4450-8431-0def64078fc5'],
  deviceBased: ['3c994f28-87d5-4273-b07a-eb6190852599'],
};
