import { loadUnderstandingOnce } from '../helpers/testBot';
import assert from 'node:assert/strict';
import { stringsOf } from '../helpers/testBot';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ContentCatalog } from '../../core/content/catalog';
import type { FlowContent } from '../../core/content/schema';
import { LANGUAGES, type Language } from '../../core/language';
import { matchKeywords } from '../../core/textMatching';
import { DiagnosisViews } from '../../views/diagnosisViews';
import { buildProducts, buildProductTable, parseCsv } from '../../scripts/buildProductTable';

/**
 * The activation checklist (content/<lang>/activation.json) against its source article, the licence texts
 * (content/<lang>/licensing.json) and the licensing reference data (content/licensing/).
 * The seed fixture is a verbatim copy of the article (see test/fixtures/seeds/README.md).
 */

const ROOT = path.resolve(__dirname, '..', '..');
const CONTENT_DIR = path.join(ROOT, 'content');
const SEED_FILE = path.join(ROOT, 'test', 'fixtures', 'seeds', 'unable-to-activate-office.ja.txt');
const SEED_SHA256 = 'bd2ffa7ed8b0030944fb310dfe143b763c5deb1e78ff2bfcda8af42f7b0bc677';
const SOURCE_URL =
  'https://github.com/MicrosoftDocs/OfficeDocs-AlchemyInsights-pr.ja-JP/blob/814dccf809cd9be57538f0b87cafd746c381a4ba/AlchemyInsights/fixing-office-apps-message-unlicensed-product.md';

/**
 * Where each of the seed's relative links points today. The article links learn.microsoft.com paths; the
 * /office365/ ones have since moved (learn redirects them) and the content uses the current address.
 */
const LEARN = 'https://learn.microsoft.com';
const RELATIVE_LINKS: Record<string, string> = {
  '/microsoft-365/admin/manage/assign-licenses-to-users': `${LEARN}/microsoft-365/admin/manage/assign-licenses-to-users`,
  '/microsoft-365/admin/manage/remove-licenses-from-users': `${LEARN}/microsoft-365/admin/manage/remove-licenses-from-users`,
  '/office365/enterprise/view-service-health': `${LEARN}/microsoft-365/enterprise/view-service-health`,
  '/office365/enterprise/urls-and-ip-address-ranges': `${LEARN}/microsoft-365/enterprise/urls-and-ip-address-ranges`,
  '/office365/troubleshoot/activation/reset-office-365-proplus-activation-state': `${LEARN}/office/troubleshoot/activation/reset-office-365-proplus-activation-state`,
  '/office/troubleshoot/activation-installation/issue-when-activate-office-from-office-365': `${LEARN}/office/troubleshoot/activation-installation/issue-when-activate-office-from-office-365`,
};

const seedBytes = readFileSync(SEED_FILE);
const seed = seedBytes.toString('utf8');
/** Targets of the seed's markdown links, `[text](target "optional title")`, each once. */
const seedLinks = [...new Set([...seed.matchAll(/\]\((\S+?)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]))];
const seedUrls = seedLinks.filter((l) => /^https?:\/\//.test(l));
const seedPaths = seedLinks.filter((l) => l.startsWith('/'));

const readJson = <T>(...parts: string[]): T =>
  JSON.parse(readFileSync(path.join(CONTENT_DIR, ...parts), 'utf8')) as T;
const activation = (language: Language) => readJson<FlowContent>(language, 'activation.json');
const signinRepair = (language: Language) => readJson<FlowContent>(language, 'signin-repair.json');
const licensingTexts = (language: Language) => readJson<Record<string, string>>(language, 'licensing.json');

/** Every url the file links to: step links, procedure sources, related links. */
function linkUrls(flow: FlowContent): Set<string> {
  return new Set([
    ...flow.steps.flatMap((s) => (s.links ?? []).map((l) => l.url)),
    ...flow.procedures.map((p) => p.source.url),
    ...(flow.related ?? []).map((l) => l.url),
  ]);
}

const placeholders = (text: string): string[] =>
  [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

/** The verdicts and the placeholders their texts (title, user, admin together) use. */
const VERDICTS: Record<string, string[]> = {
  accountDisabled: [],
  guest: [],
  noLicence: [],
  noDesktopOffice: ['products'],
  officePlanDisabled: ['product'],
  assignmentError: ['group', 'product', 'reason'],
  subscriptionWarning: ['product'],
  subscriptionExpired: ['product', 'status'],
  provisioningPending: ['product', 'status'],
  deviceBased: [],
  unattendedOnly: [],
  serviceIncident: ['id', 'service', 'title'],
  licenceOk: ['product'],
  unavailable: [],
};
const ASSIGNMENT_ERRORS = [
  'CountViolation',
  'MutuallyExclusiveViolation',
  'DependencyViolation',
  'ProhibitedInUsageLocationViolation',
  'UniquenessViolation',
  'Other',
];
const EXPECTED_TEXT_KEYS = [
  ...Object.keys(VERDICTS).flatMap((v) => ['title', 'user', 'admin'].map((part) => `verdict.${v}.${part}`)),
  ...ASSIGNMENT_ERRORS.map((e) => `assignmentError.${e}`),
  'assignmentError.direct',
  ...['Warning', 'Suspended', 'LockedOut', 'Deleted'].map((s) => `capabilityStatus.${s}`),
  ...['PendingInput', 'PendingActivation', 'PendingProvisioning', 'Error', 'Disabled'].map(
    (s) => `provisioningStatus.${s}`,
  ),
  // Graph's licenseAssignmentState.state and user.userType values, in plain words on the admin's card.
  ...['Active', 'ActiveWithSolution', 'Disabled', 'Error', 'ProcessingInProgress'].map(
    (s) => `assignmentState.${s}`,
  ),
  ...['Member', 'Guest'].map((s) => `userType.${s}`),
  'who.user',
  'who.admin',
  'licence.checking',
  'licence.heading',
  'licence.unavailableNote',
].sort();

describe('activation content (seed: "Unable to activate Office")', () => {
  let catalog: ContentCatalog;
  before(() => {
    catalog = ContentCatalog.load(CONTENT_DIR);
  });

  describe('the seed fixture itself', () => {
    it('is the verbatim article', () => {
      assert.equal(createHash('sha256').update(seedBytes).digest('hex'), SEED_SHA256);
      assert.ok(seed.startsWith('---\ntitle: Office をライセンス認証することができない\n'));
      assert.ok(seed.includes('Unable to activate Office'));
    });

    it('has the links the tests rely on', () => {
      assert.deepEqual([...seedUrls].sort(), [
        'https://aka.ms/SARA-OfficeActivation-Alchemy',
        'https://aka.ms/SaRA-OfficeSignInScenario',
        'https://support.microsoft.com/topic/update-to-enable-tls-1-1-and-tls-1-2-as-default-secure-protocols-in-winhttp-in-windows-c4bd73d2-31d7-761e-0178-11268bb10392',
        'https://support.office.com/Article/0d23d3c0-c19c-4b2f-9845-5344fedc4380?wt.mc_id=Alchemy_ClientDIA',
        'https://support.office.com/Article/7821d4b6-7c1d-4205-aa0e-a6b40c5bb88b?wt.mc_id=Alchemy_ClientDIA',
        'https://support.office.com/article/5a20dc11-47e9-4b6f-945d-478cb6d92071',
        'https://support.office.com/article/628ea040-f265-49de-b986-be09c3ebf8a9',
      ]);
      assert.deepEqual([...seedPaths].sort(), Object.keys(RELATIVE_LINKS).sort());
      assert.equal(seedLinks.length, seedUrls.length + seedPaths.length, 'every link is absolute or a path');
    });
  });

  describe('the flow', () => {
    it('loads, with its own first question next to the sign-in repair flow', () => {
      for (const language of LANGUAGES) {
        const flow = catalog.flow(language);
        assert.equal(flow.startOf('activation').id, 'office-account');
        assert.equal(flow.startOf('signin-repair').id, 'office-product');
        assert.equal(activation(language).language, language);
      }
    });

    it('uses no id of the sign-in repair flow', () => {
      for (const language of LANGUAGES) {
        const idsOf = (flow: FlowContent) => [
          ...flow.questions.map((q) => `question ${q.id}`),
          ...flow.procedures.map((p) => `procedure ${p.id}`),
          ...flow.steps.map((s) => `step ${s.id}`),
        ];
        const repair = new Set(idsOf(signinRepair(language)));
        assert.deepEqual(
          idsOf(activation(language)).filter((id) => repair.has(id)),
          [],
        );
      }
    });

    it('asks which account Office shows and leads each answer to its procedure', () => {
      for (const language of LANGUAGES) {
        const question = catalog.flow(language).question('office-account');
        assert.ok(question.help, 'explains where to look');
        assert.deepEqual(
          question.choices.map((c) => [c.id, c.next]),
          [
            ['same-work-account', { procedure: 'activation-client-checks' }],
            ['different-work-account', { procedure: 'sign-in-with-licensed-account' }],
            ['personal-account', { procedure: 'personal-account-signed-in' }],
            ['not-sure', { procedure: 'activation-client-checks' }],
          ],
        );
      }
    });

    it('picks the right answer from typed text', () => {
      const cases: [Language, string, string][] = [
        ['ja', 'Teams と同じです', 'same-work-account'],
        ['ja', '違うアカウントが出ています', 'different-work-account'],
        ['ja', '同じではないです', 'different-work-account'],
        ['ja', 'taro@gmail.com と表示されています', 'personal-account'],
        ['ja', 'よく分からない', 'not-sure'],
        ['en', 'It shows the same account', 'same-work-account'],
        ['en', 'not the same account', 'different-work-account'],
        ['en', 'my hotmail address', 'personal-account'],
        ['en', "I don't know", 'not-sure'],
      ];
      for (const [language, text, expected] of cases) {
        const choices = catalog.flow(language).question('office-account').choices;
        assert.equal(matchKeywords(text, choices)?.id, expected, `${language}: "${text}"`);
      }
    });

    it('walks the client-side checklist in the seed order, with a checkpoint after signing in again', () => {
      for (const language of LANGUAGES) {
        const flow = catalog.flow(language);
        const procedure = flow.procedure('activation-client-checks');
        assert.deepEqual(procedure.steps, [
          'check-tls12-windows7',
          'check-firewall-proxy',
          'sign-out-and-sign-in-again',
          'run-activation-troubleshooter',
          'reset-activation-state',
          'online-repair',
        ]);
        assert.deepEqual(procedure.fallbacks, []);
        assert.deepEqual(
          procedure.steps.filter((id) => flow.step(id).checkpoint),
          ['sign-out-and-sign-in-again'],
        );
        for (const id of ['sign-in-with-licensed-account', 'personal-account-signed-in'])
          assert.ok(flow.procedure(id).steps.length > 0);
      }
    });

    it('cites the article as the source of every procedure', () => {
      const titles: Record<Language, string> = {
        ja: 'Office をライセンス認証することができない',
        en: 'Unable to activate Office',
      };
      assert.ok(seed.includes(titles.ja) && seed.includes(titles.en));
      for (const language of LANGUAGES)
        for (const procedure of activation(language).procedures)
          assert.deepEqual(procedure.source, { title: titles[language], url: SOURCE_URL });
    });
  });

  describe('links', () => {
    for (const language of LANGUAGES) {
      it(`every absolute URL of the seed is linked byte for byte (${language})`, () => {
        const flow = activation(language);
        const urls = linkUrls(flow);
        for (const url of seedUrls) assert.ok(urls.has(url), `${language} has no link to ${url}`);
        // And no mangled copy: every such URL anywhere in the file is one of the seed's.
        const hosts = /https:\/\/(?:support\.microsoft\.com|support\.office\.com|aka\.ms)\/[^\s)\]"]+/g;
        const found = stringsOf(flow).flatMap((s) => s.match(hosts) ?? []);
        assert.ok(found.length >= seedUrls.length);
        for (const url of found) assert.ok(seedUrls.includes(url), `${language}: not in the seed: ${url}`);
      });

      it(`every relative learn path of the seed is represented (${language})`, () => {
        const strings = stringsOf(activation(language));
        for (const [seedPath, url] of Object.entries(RELATIVE_LINKS))
          assert.ok(
            strings.some((s) => s.includes(url)),
            `${language}: ${seedPath} (${url}) is not in the content`,
          );
      });
    }

    it('puts each seed link on the step the seed says', () => {
      const stepLinks: Record<string, string[]> = {
        'check-tls12-windows7': [seedUrls.find((u) => u.includes('tls-1-2'))!],
        'check-firewall-proxy': [RELATIVE_LINKS['/office365/enterprise/urls-and-ip-address-ranges']],
        'sign-out-and-sign-in-again': [
          'https://support.office.com/article/5a20dc11-47e9-4b6f-945d-478cb6d92071',
          'https://support.office.com/article/628ea040-f265-49de-b986-be09c3ebf8a9',
          RELATIVE_LINKS['/microsoft-365/admin/manage/assign-licenses-to-users'],
        ],
        'run-activation-troubleshooter': [
          'https://aka.ms/SARA-OfficeActivation-Alchemy',
          'https://aka.ms/SaRA-OfficeSignInScenario',
        ],
        'reset-activation-state': [
          RELATIVE_LINKS['/office365/troubleshoot/activation/reset-office-365-proplus-activation-state'],
        ],
        'online-repair': [
          'https://support.office.com/Article/7821d4b6-7c1d-4205-aa0e-a6b40c5bb88b?wt.mc_id=Alchemy_ClientDIA',
        ],
      };
      for (const language of LANGUAGES) {
        const flow = catalog.flow(language);
        for (const [stepId, urls] of Object.entries(stepLinks)) {
          const step = flow.step(stepId);
          for (const url of urls) {
            assert.ok(
              step.links.some((l) => l.url === url),
              `${language}/${stepId} has no button for ${url}`,
            );
            assert.ok(
              [step.text, ...step.notes].some((t) => t.includes(`](${url})`)),
              `${language}/${stepId} does not link ${url} in its text`,
            );
          }
        }
        // Removing and re-assigning the licence is an admin action: a note, not a step for the user.
        const signIn = flow.step('sign-out-and-sign-in-again');
        assert.ok(!signIn.text.includes('remove-licenses-from-users'));
        assert.ok(
          signIn.notes.some((n) =>
            n.includes(RELATIVE_LINKS['/microsoft-365/admin/manage/remove-licenses-from-users']),
          ),
        );
        assert.deepEqual(
          activation(language).related?.map((l) => l.url),
          [
            'https://support.office.com/Article/0d23d3c0-c19c-4b2f-9845-5344fedc4380?wt.mc_id=Alchemy_ClientDIA',
            RELATIVE_LINKS[
              '/office/troubleshoot/activation-installation/issue-when-activate-office-from-office-365'
            ],
            RELATIVE_LINKS['/office365/enterprise/view-service-health'],
          ],
        );
      }
    });

    it('renders every activation step with its links as buttons', () => {
      const views = new DiagnosisViews(catalog, 'http://localhost:3978', loadUnderstandingOnce().commands);
      for (const language of LANGUAGES) {
        const buttons = new Set<string>();
        for (const procedure of activation(language).procedures)
          procedure.steps.forEach((_, index) => {
            const card = JSON.stringify(views.step(language, procedure.id, index).content);
            for (const m of card.matchAll(/"url":"([^"]+)"/g)) buttons.add(m[1]);
          });
        for (const url of seedUrls.filter((u) => !u.includes('0d23d3c0')))
          assert.ok(buttons.has(url), `${language}: no button for ${url}`);
      }
    });
  });

  describe('licensing texts', () => {
    it('has exactly the expected keys, the same in ja and en', () => {
      for (const language of LANGUAGES)
        assert.deepEqual(Object.keys(licensingTexts(language)).sort(), EXPECTED_TEXT_KEYS, language);
    });

    it('gives every verdict a title, a user part and an admin part in both languages', () => {
      for (const language of LANGUAGES)
        for (const verdict of Object.keys(VERDICTS))
          for (const part of ['title', 'user', 'admin']) {
            const key = `verdict.${verdict}.${part}`;
            assert.ok(catalog.hasText(key), key);
            assert.ok(catalog.text(language, key).trim().length > 0, `${language} ${key}`);
          }
    });

    it('uses the same placeholders in ja and en for every key', () => {
      const ja = licensingTexts('ja');
      const en = licensingTexts('en');
      for (const key of Object.keys(ja)) assert.deepEqual(placeholders(en[key]), placeholders(ja[key]), key);
    });

    it('uses exactly the placeholders each verdict is given, and none elsewhere', () => {
      for (const language of LANGUAGES) {
        const texts = licensingTexts(language);
        for (const [verdict, expected] of Object.entries(VERDICTS)) {
          const used = ['title', 'user', 'admin'].flatMap((part) =>
            placeholders(texts[`verdict.${verdict}.${part}`]),
          );
          assert.deepEqual([...new Set(used)].sort(), expected, `${language} ${verdict}`);
        }
        for (const key of Object.keys(texts).filter((k) => !k.startsWith('verdict.')))
          assert.deepEqual(placeholders(texts[key]), [], `${language} ${key}`);
      }
    });

    it('fills an assignment error from its parts', () => {
      const text = catalog.text('en', 'verdict.assignmentError.admin', {
        product: 'Microsoft 365 E3',
        group: catalog.text('en', 'assignmentError.direct'),
        reason: catalog.text('en', 'assignmentError.CountViolation'),
      });
      assert.ok(!/\{\w+\}/.test(text), text);
      assert.ok(text.includes('Microsoft 365 E3') && text.includes('not by a group'));
    });
  });

  describe('licensing reference data', () => {
    const table = readJson<{
      source: string;
      products: Record<string, { partNumber: string; name: string }>;
    }>('licensing', 'products.json');

    it('names the SKUs the sandbox tenant uses', () => {
      const expected: Record<string, [string, string]> = {
        '05e9a617-0261-4cee-bb44-138d3ef5d965': ['SPE_E3', 'Microsoft 365 E3'],
        'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46': ['SPB', 'Microsoft 365 Business Premium'],
        '3b555118-da6a-4418-894f-7df1e2096870': ['O365_BUSINESS_ESSENTIALS', 'Microsoft 365 Business Basic'],
        'cdd28e44-67e3-425e-be4c-737fab2899d3': ['O365_BUSINESS', 'Microsoft 365 Apps for Business'],
        '6fd2c87f-b296-42f0-b197-1e91e994b900': ['ENTERPRISEPACK', 'Office 365 E3'],
      };
      for (const [skuId, [partNumber, name]] of Object.entries(expected))
        assert.deepEqual(table.products[skuId], { partNumber, name }, skuId);
    });

    it('is keyed by lower-case GUID, sorted, and says where it came from', () => {
      const ids = Object.keys(table.products);
      assert.ok(ids.length > 500, `${ids.length} SKUs`);
      assert.deepEqual(ids, [...ids].sort());
      for (const id of ids) {
        assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        const { partNumber, name } = table.products[id];
        assert.ok(partNumber && name && partNumber === partNumber.trim() && name === name.trim(), id);
      }
      assert.match(table.source, /Product names and service plan identifiers for licensing/);
      assert.match(table.source, /scripts\/buildProductTable\.ts/);
    });

    it('lists the desktop Office service plans', () => {
      type Plan = { id: string; name: string; friendlyName: string; examples: string[] };
      const plans = readJson<
        Record<'desktop' | 'unattendedOnly' | 'deviceBased', Plan[]> & { source: string }
      >('licensing', 'desktopOfficePlans.json');
      const idsAndNames = (list: Plan[]) => list.map((p) => [p.name, p.id]);
      assert.deepEqual(idsAndNames(plans.desktop), [
        ['OFFICESUBSCRIPTION', '43de0ff5-c92c-492b-9116-175376d08c38'],
        ['OFFICE_BUSINESS', '094e7854-93fc-4d55-b2c0-3ab5369ebdc1'],
        ['OFFICESUBSCRIPTION_GOV', 'de9234ff-6483-44d9-b15e-dca72fdd27af'],
      ]);
      assert.deepEqual(idsAndNames(plans.unattendedOnly), [
        ['OFFICESUBSCRIPTION_unattended', '8d77e2d9-9e28-4450-8431-0def64078fc5'],
      ]);
      assert.deepEqual(idsAndNames(plans.deviceBased), [
        ['OFFICE_PROPLUS_DEVICE', '3c994f28-87d5-4273-b07a-eb6190852599'],
      ]);
      // The example SKUs are real part numbers of the product table.
      const partNumbers = new Set(Object.values(table.products).map((p) => p.partNumber));
      for (const plan of [...plans.desktop, ...plans.unattendedOnly, ...plans.deviceBased])
        for (const example of plan.examples) assert.ok(partNumbers.has(example), `${plan.name}: ${example}`);
      assert.match(plans.source, /Product names and service plan identifiers for licensing/);
    });
  });

  describe('scripts/buildProductTable.ts', () => {
    const header =
      'Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names';

    it('reads the BOM, quoted commas, doubled quotes and CRLF', () => {
      const csv = `\uFEFF${header}\r\n"Power Pages T3 min 1,000 units","PP_1,000",01D46C34-3525-47D5-BD1A-5F19979938A0,A,a7c70a41-5e02-4271-93e6-d9b4184d83f5,"The ""A"" plan"\r\n`;
      const rows = parseCsv(csv);
      assert.equal(rows[0][0], 'Product_Display_Name');
      assert.deepEqual(rows[1], [
        'Power Pages T3 min 1,000 units',
        'PP_1,000',
        '01D46C34-3525-47D5-BD1A-5F19979938A0',
        'A',
        'a7c70a41-5e02-4271-93e6-d9b4184d83f5',
        'The "A" plan',
      ]);
      assert.deepEqual(buildProducts(rows), {
        '01d46c34-3525-47d5-bd1a-5f19979938a0': {
          partNumber: 'PP_1,000',
          name: 'Power Pages T3 min 1,000 units',
        },
      });
    });

    it('keeps one entry per SKU and refuses a SKU with two names', () => {
      const row = (name: string, plan: string) =>
        `${name},SPB,cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46,${plan},094e7854-93fc-4d55-b2c0-3ab5369ebdc1,x`;
      const table = buildProductTable(
        Buffer.from(
          [
            header,
            row('Microsoft 365 Business Premium', 'A'),
            row('Microsoft 365 Business Premium', 'B'),
          ].join('\n'),
        ),
        'test edition',
      );
      assert.deepEqual(Object.keys(table.products), ['cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46']);
      assert.match(table.source, /test edition; 2 rows, 1 SKUs, sha256 [0-9a-f]{64}/);
      assert.throws(
        () => buildProducts(parseCsv([header, row('One name', 'A'), row('Another name', 'B')].join('\n'))),
        /Line 3: SKU cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46/,
      );
    });
  });
});
