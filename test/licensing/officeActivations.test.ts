import assert from 'node:assert/strict';
import { DirectoryError, type Directory } from '../../core/licensing/directory';
import {
  DEACTIVATE_INSTALL_URL,
  INSTALL_LIMIT,
  isInstallLimited,
  summariseActivations,
  type OfficeActivationRow,
  type OfficeActivationsReading,
} from '../../core/licensing/officeActivations';
import { OfficeInstallLimit } from '../../core/licensing/officeInstallLimit';

const APPS = 'MICROSOFT 365 APPS FOR ENTERPRISE';

function row(overrides: Partial<OfficeActivationRow> = {}): OfficeActivationRow {
  return {
    productType: APPS,
    windows: 0,
    mac: 0,
    windows10Mobile: 0,
    ios: 0,
    android: 0,
    activatedOnSharedComputer: false,
    ...overrides,
  };
}

/** A directory that answers from a table of readings by name, and records what it was asked. */
function directoryOf(readings: Record<string, OfficeActivationsReading | Error>) {
  const asked: string[] = [];
  const directory: Pick<Directory, 'getOfficeActivations'> = {
    async getOfficeActivations(name) {
      asked.push(name);
      const reading = readings[name] ?? { kind: 'none' };
      if (reading instanceof Error) throw reading;
      return reading;
    },
  };
  return { directory, asked };
}

describe('Office activations and the install limit (domain)', () => {
  it("uses Microsoft's figures: 5 PCs or Macs, 5 tablets, 5 phones", () => {
    assert.deepEqual(INSTALL_LIMIT, { pcsOrMacs: 5, tablets: 5, phones: 5 });
    assert.equal(DEACTIVATE_INSTALL_URL, 'https://portal.office.com/account/?ref=MeControl#installs');
  });

  it('counts Windows and Mac together against the limit; mobile devices apart', () => {
    const cases: [Partial<OfficeActivationRow>, number, number, boolean][] = [
      [{ windows: 4, mac: 1, ios: 1, android: 1 }, 5, 2, true],
      [{ windows: 5 }, 5, 0, true],
      [{ mac: 5 }, 5, 0, true],
      [{ windows: 7, mac: 2 }, 9, 0, true], // past 5 (version 1910+ deactivates only past 10): still at the limit
      [{ windows: 4, ios: 5, android: 5, windows10Mobile: 1 }, 4, 11, false],
      [{ windows: 1, ios: 1 }, 1, 1, false],
      [{}, 0, 0, false],
    ];
    for (const [counts, pcsAndMacs, mobileDevices, atLimit] of cases) {
      const [product] = summariseActivations([row(counts)]);
      assert.equal(product.pcsAndMacs, pcsAndMacs, JSON.stringify(counts));
      assert.equal(product.mobileDevices, mobileDevices, JSON.stringify(counts));
      assert.equal(product.atLimit, atLimit, JSON.stringify(counts));
      assert.equal(product.pcOrMacLimit, 5);
    }
  });

  it('knows which products have an install limit', () => {
    for (const name of [
      'MICROSOFT 365 APPS FOR ENTERPRISE',
      'MICROSOFT 365 APPS FOR BUSINESS',
      'Microsoft 365 Apps for enterprise',
      'OFFICE 365 PROPLUS',
      'PROJECT ONLINE DESKTOP CLIENT',
      'VISIO ONLINE PLAN 2',
    ])
      assert.ok(isInstallLimited(name), name);
    assert.ok(!isInstallLimited('MICROSOFT EXCEL ADVANCED ANALYTICS'));
    const [addOn] = summariseActivations([
      row({ productType: 'MICROSOFT EXCEL ADVANCED ANALYTICS', windows: 9 }),
    ]);
    assert.equal(addOn.pcOrMacLimit, undefined);
    assert.equal(addOn.atLimit, false);
  });

  it('gives each product once, in report order, with the latest activation date and shared computer use', () => {
    const products = summariseActivations([
      row({ windows: 2, lastActivatedDate: '2026-03-01' }),
      row({ productType: 'VISIO ONLINE PLAN 2', windows: 1 }),
      row({ productType: 'microsoft 365 apps for enterprise ', mac: 3, lastActivatedDate: '2026-05-02' }),
      row({ windows: 0, activatedOnSharedComputer: true }),
    ]);
    assert.deepEqual(
      products.map((p) => [
        p.productType,
        p.pcsAndMacs,
        p.atLimit,
        p.lastActivatedDate,
        p.activatedOnSharedComputer,
      ]),
      [
        [APPS, 5, true, '2026-05-02', true],
        ['VISIO ONLINE PLAN 2', 1, false, undefined, false],
      ],
    );
  });

  it('treats nonsense counts as none', () => {
    const [product] = summariseActivations([row({ windows: -3, mac: Number.NaN, ios: 1.5, android: 2 })]);
    assert.equal(product.pcsAndMacs, 0);
    assert.equal(product.mobileDevices, 2);
  });
});

describe('OfficeInstallLimit service', () => {
  const UPN = 'ichiro.sato@contoso.example';

  it('answers at the limit, products at the limit first, with where to deactivate one', async () => {
    const { directory } = directoryOf({
      [UPN]: {
        kind: 'activations',
        rows: [row({ productType: 'VISIO ONLINE PLAN 2', windows: 2 }), row({ windows: 4, mac: 1 })],
        reportRefreshDate: '2026-11-21',
      },
    });
    const result = await new OfficeInstallLimit(directory).check(UPN);
    assert.ok(result);
    assert.equal(result.atLimit, true);
    assert.deepEqual(
      result.products.map((p) => [p.productType, p.pcsAndMacs, p.atLimit]),
      [
        [APPS, 5, true],
        ['VISIO ONLINE PLAN 2', 2, false],
      ],
    );
    assert.equal(result.deactivateUrl, DEACTIVATE_INSTALL_URL);
    assert.equal(result.reportRefreshDate, '2026-11-21');
    assert.equal(result.matchedBy, 'userPrincipalName');
  });

  it('answers under the limit too: that is a definite answer', async () => {
    const { directory } = directoryOf({
      [UPN]: { kind: 'activations', rows: [row({ windows: 1, ios: 1 })] },
    });
    const result = await new OfficeInstallLimit(directory).check(UPN);
    assert.equal(result?.atLimit, false);
    assert.equal(result?.products[0].pcsAndMacs, 1);
    assert.equal(result?.reportRefreshDate, undefined);
  });

  it('tries the mail address when the UPN is not in the report, and only then', async () => {
    const MAIL = 'ichiro@sales.contoso.example';
    const found = directoryOf({ [MAIL]: { kind: 'activations', rows: [row({ windows: 5 })] } });
    const result = await new OfficeInstallLimit(found.directory).check(UPN, MAIL);
    assert.equal(result?.matchedBy, 'mail');
    assert.equal(result?.atLimit, true);
    assert.deepEqual(found.asked, [UPN, MAIL]);

    const same = directoryOf({});
    assert.equal(await new OfficeInstallLimit(same.directory).check(UPN, UPN.toUpperCase()), undefined);
    assert.deepEqual(same.asked, [UPN], 'the same name is not asked twice');

    const refused = directoryOf({ [UPN]: { kind: 'unavailable', reason: 'forbidden' } });
    assert.equal(await new OfficeInstallLimit(refused.directory).check(UPN, MAIL), undefined);
    assert.deepEqual(refused.asked, [UPN], 'an unavailable report is not asked again under another name');
  });

  it('says nothing without a definite answer, and never throws for directory trouble', async () => {
    const cases: (OfficeActivationsReading | Error)[] = [
      { kind: 'none' },
      { kind: 'unavailable', reason: 'forbidden' },
      { kind: 'unavailable', reason: 'concealed' },
      { kind: 'unavailable', reason: 'error' },
      new DirectoryError('unavailable', 'Graph is down'),
    ];
    for (const reading of cases) {
      const { directory } = directoryOf({ [UPN]: reading });
      assert.equal(await new OfficeInstallLimit(directory).check(UPN), undefined, JSON.stringify(reading));
    }
    const { directory, asked } = directoryOf({});
    assert.equal(await new OfficeInstallLimit(directory).check('  '), undefined);
    assert.deepEqual(asked, []);
  });

  it('lets a programming error through', async () => {
    const { directory } = directoryOf({ [UPN]: new TypeError('bug') });
    await assert.rejects(new OfficeInstallLimit(directory).check(UPN), TypeError);
  });
});
