import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, GraphError, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import { SandboxGraphServer } from '../../sandbox/sandboxGraphServer';

const root = join(__dirname, '..', '..');
const TENANT_ID = '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const SKU = {
  E3: '05e9a617-0261-4cee-bb44-138d3ef5d965',
  SPB: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46',
  BASIC: '3b555118-da6a-4418-894f-7df1e2096870',
  APPS_BUSINESS: 'cdd28e44-67e3-425e-be4c-737fab2899d3',
  O365_E3: '6fd2c87f-b296-42f0-b197-1e91e994b900',
};
const PLAN = {
  OFFICESUBSCRIPTION: '43de0ff5-c92c-492b-9116-175376d08c38',
  OFFICE_BUSINESS: '094e7854-93fc-4d55-b2c0-3ab5369ebdc1',
};
const GROUP = {
  E3: '2b000000-0000-4000-8000-0000000000e3',
  ADMINS: '2b000000-0000-4000-8000-0000000000ad',
  ALL_STAFF: '2b000000-0000-4000-8000-000000000a11',
};
const ROLE = {
  GLOBAL_ADMIN: '62e90394-69f5-4237-9190-012177145e10',
  HELPDESK_ADMIN: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
};
const uid = (hex: string): string => `1a000000-0000-4000-8000-0000000000${hex}`;
const LICENCE_SELECT =
  'id,displayName,userPrincipalName,accountEnabled,userType,usageLocation,assignedLicenses,licenseAssignmentStates';

interface Licensed {
  id: string;
  displayName: string;
  userPrincipalName: string;
  accountEnabled: boolean;
  userType: string;
  usageLocation: string | null;
  assignedLicenses: { skuId: string; disabledPlans: string[] }[];
  licenseAssignmentStates: {
    skuId: string;
    state: string;
    error: string | null;
    assignedByGroup: string | null;
    disabledPlans: string[];
  }[];
}
interface Sku {
  skuId: string;
  skuPartNumber: string;
  capabilityStatus: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number; warning: number; suspended: number; lockedOut: number };
  servicePlans: { servicePlanId: string; servicePlanName: string; provisioningStatus: string }[];
}

/** OData string literal, percent-encoded for a query string (the SDK's filter() does no encoding). */
const lit = (v: string): string => encodeURIComponent(`'${v.replace(/'/g, "''")}'`);
const noRetry = [new RetryHandlerOptions(0, 0)];

async function rejection(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (e) {
    return e as GraphError;
  }
  throw new Error('expected the request to fail');
}

describe('sandbox tenant: Graph look-alike on loopback, through the real Graph SDK', () => {
  let sandbox: SandboxGraphServer;
  let graph: Client;

  before(async () => {
    sandbox = await SandboxGraphServer.start({ port: 0 });
    graph = Client.init({
      baseUrl: sandbox.url + '/',
      authProvider: (done) => done(null, 'unused'),
      defaultVersion: 'v1.0',
    });
  });

  after(async () => {
    await sandbox.close();
  });

  afterEach(() => {
    sandbox.clearFaults();
    sandbox.clearRequests();
  });

  /** Follows @odata.nextLink: SDK 3.x can't take an absolute http:// URL, so pass the part after /v1.0. */
  async function allPages<T>(first: { value: T[]; '@odata.nextLink'?: string }): Promise<T[][]> {
    const pages = [first.value];
    let next = first['@odata.nextLink'];
    while (next) {
      assert.ok(next.startsWith(`${sandbox.url}/v1.0/`), next);
      const page = await graph.api(next.slice(`${sandbox.url}/v1.0`.length)).get();
      pages.push(page.value);
      next = page['@odata.nextLink'];
    }
    return pages;
  }

  const getUser = (idOrUpn: string): Promise<Licensed> =>
    graph
      .api(`/users/${encodeURIComponent(idOrUpn)}`)
      .select(LICENCE_SELECT)
      .middlewareOptions(noRetry)
      .get();

  describe('data', () => {
    it('has every Playground user (current, listed and commented out) with the same id, UPN and name', async () => {
      const yml = readFileSync(join(root, '.m365agentsplayground.yml'), 'utf8');
      const ids = [...yml.matchAll(/aadObjectId:\s*([0-9a-f-]{36})/gi)].map((m) => m[1]);
      assert.equal(ids.length, 13);
      const people = [
        ...yml.matchAll(
          /^[#\s-]*name:\s*(.+?)\s*\n[#\s]*userPrincipleName:\s*(\S+)\s*\n[#\s]*aadObjectId:\s*([0-9a-f-]{36})/gim,
        ),
      ];
      assert.equal(people.length, 13);
      for (const [, name, upn, id] of people) {
        const user = await getUser(id);
        assert.equal(user.id, id);
        assert.equal(user.displayName, name);
        assert.equal(user.userPrincipalName, upn);
      }
      assert.equal((yml.match(/^tenantId:\s*(\S+)/m) ?? [])[1], TENANT_ID);
      const org = await graph.api('/organization').get();
      assert.equal(org.value[0].id, TENANT_ID);
    });

    it('shows one licensing situation per Playground user', async () => {
      const u = async (hex: string): Promise<Licensed> => getUser(uid(hex));
      const fine = await u('01');
      assert.deepEqual(fine.assignedLicenses, [{ skuId: SKU.E3, disabledPlans: [] }]);
      assert.equal(fine.licenseAssignmentStates[0].state, 'Active');
      assert.equal(fine.licenseAssignmentStates[0].error, null);
      assert.equal(fine.licenseAssignmentStates[0].assignedByGroup, GROUP.E3);

      assert.equal((await u('02')).assignedLicenses[0].skuId, SKU.SPB);
      assert.equal((await u('03')).assignedLicenses[0].skuId, SKU.BASIC);
      assert.deepEqual((await u('04')).assignedLicenses, [
        { skuId: SKU.E3, disabledPlans: [PLAN.OFFICESUBSCRIPTION] },
      ]);

      const seats = await u('05');
      assert.deepEqual(seats.assignedLicenses, []);
      assert.equal(seats.licenseAssignmentStates[0].state, 'Error');
      assert.equal(seats.licenseAssignmentStates[0].error, 'CountViolation');
      assert.equal(seats.licenseAssignmentStates[0].assignedByGroup, GROUP.E3);

      const location = await u('06');
      assert.equal(location.usageLocation, null);
      assert.deepEqual(location.assignedLicenses, []);
      assert.equal(location.licenseAssignmentStates[0].error, 'ProhibitedInUsageLocationViolation');
      assert.ok(location.licenseAssignmentStates[0].assignedByGroup);

      assert.equal((await u('07')).assignedLicenses[0].skuId, SKU.APPS_BUSINESS);
      assert.equal((await u('08')).assignedLicenses[0].skuId, SKU.O365_E3);
      const disabled = await u('09');
      assert.equal(disabled.accountEnabled, false);
      assert.equal(disabled.assignedLicenses[0].skuId, SKU.E3);
      const none = await u('0a');
      assert.deepEqual([none.assignedLicenses, none.licenseAssignmentStates], [[], []]);
      const guest = await u('0b');
      assert.equal(guest.userType, 'Guest');
      assert.equal(guest.userPrincipalName, 'chris.lee_fabrikam.example#EXT#@contoso.example');
      assert.deepEqual(guest.assignedLicenses, []);
      assert.equal((await u('0c')).assignedLicenses[0].skuId, SKU.E3);
      assert.equal((await u('0d')).assignedLicenses[0].skuId, SKU.E3);
    });

    it('serves SKUs whose plans and seat counts tell the story', async () => {
      const res = await graph.api('/subscribedSkus').get();
      const skus: Sku[] = res.value;
      const by = (id: string): Sku => skus.find((s) => s.skuId === id)!;
      const planIds = (s: Sku): string[] => s.servicePlans.map((p) => p.servicePlanId);
      const e3 = by(SKU.E3);
      assert.equal(e3.skuPartNumber, 'SPE_E3');
      assert.equal(e3.consumedUnits, e3.prepaidUnits.enabled, 'E3 is out of seats');
      assert.ok(planIds(e3).includes(PLAN.OFFICESUBSCRIPTION));
      for (const name of ['SHAREPOINTWAC', 'EXCHANGE_S_ENTERPRISE', 'TEAMS1'])
        assert.ok(
          e3.servicePlans.some((p) => p.servicePlanName === name),
          name,
        );
      const spb = by(SKU.SPB);
      assert.ok(planIds(spb).includes(PLAN.OFFICE_BUSINESS));
      assert.ok(!planIds(spb).includes(PLAN.OFFICESUBSCRIPTION));
      const basic = by(SKU.BASIC);
      assert.ok(!planIds(basic).some((p) => p === PLAN.OFFICESUBSCRIPTION || p === PLAN.OFFICE_BUSINESS));
      assert.ok(basic.servicePlans.some((p) => p.servicePlanName === 'OFFICEMOBILE_SUBSCRIPTION'));
      const apps = by(SKU.APPS_BUSINESS);
      assert.equal(apps.capabilityStatus, 'Warning');
      assert.ok(apps.prepaidUnits.warning > 0);
      assert.equal(by(SKU.O365_E3).capabilityStatus, 'Suspended');
      assert.ok(by(SKU.O365_E3).prepaidUnits.suspended > 0);

      // consumedUnits agree with the users actually holding each licence (generated users included).
      const first = await graph
        .api('/users')
        .select('id,assignedLicenses,licenseAssignmentStates')
        .top(999)
        .middlewareOptions(noRetry)
        .get();
      const users = (await allPages<Licensed>(first)).flat();
      assert.ok(users.length > 1050);
      for (const sku of skus) {
        const holders = users.filter((u) =>
          u.licenseAssignmentStates.some((s) => s.skuId === sku.skuId && s.state.startsWith('Active')),
        );
        assert.equal(holders.length, sku.consumedUnits, sku.skuPartNumber);
        for (const u of users)
          for (const a of u.assignedLicenses.filter((l) => l.skuId === sku.skuId))
            for (const p of a.disabledPlans)
              assert.ok(planIds(sku).includes(p), `${u.id} disables unknown ${p}`);
      }
      for (const u of users)
        for (const a of u.assignedLicenses)
          assert.ok(
            skus.some((s) => s.skuId === a.skuId),
            `${u.id} has a licence for an unknown SKU`,
          );
    });
  });

  describe('users', () => {
    it('gets a user by id with $select: only the selected properties and id', async () => {
      const user = await graph
        .api(`/users/${uid('04')}`)
        .select('displayName,assignedLicenses')
        .get();
      delete user['@odata.context'];
      assert.deepEqual(Object.keys(user).sort(), ['assignedLicenses', 'displayName', 'id']);
      assert.equal(user.displayName, '田中 健');
    });

    it('returns the default property set without $select (no licence properties, as in Graph)', async () => {
      const user = await graph.api(`/users/${uid('01')}`).get();
      assert.equal(user.userPrincipalName, 'hanako.sato@contoso.example');
      assert.ok(!('assignedLicenses' in user));
      assert.ok(!('accountEnabled' in user));
    });

    it("gets the guest by UPN (percent-encoded #EXT#) and by the users('upn') form", async () => {
      const upn = 'chris.lee_fabrikam.example#EXT#@contoso.example';
      const user = await graph
        .api(`/users/${encodeURIComponent(upn)}`)
        .select('id,userType')
        .get();
      assert.deepEqual([user.id, user.userType], [uid('0b'), 'Guest']);
      assert.equal(
        sandbox.requests[0].path,
        '/v1.0/users/chris.lee_fabrikam.example%23EXT%23%40contoso.example?$select=id,userType',
      );
      const again = await graph
        .api(`/users('${encodeURIComponent(upn)}')`)
        .select('id')
        .get();
      assert.equal(again.id, uid('0b'));
      const apostrophe = await graph
        .api(`/users('${encodeURIComponent("sean.o''brien@contoso.example")}')`)
        .get();
      assert.equal(apostrophe.displayName, "Sean O'Brien");
    });

    it('answers 404 Request_ResourceNotFound for an unknown user', async () => {
      const e = await rejection(getUser('nobody@contoso.example'));
      assert.equal(e.statusCode, 404);
      assert.equal(e.code, 'Request_ResourceNotFound');
    });

    it('answers 400 for an unknown $select property', async () => {
      const e = await rejection(
        graph
          .api(`/users/${uid('01')}`)
          .select('id,shoeSize')
          .middlewareOptions(noRetry)
          .get(),
      );
      assert.equal(e.statusCode, 400);
      assert.match(e.message, /shoeSize/);
    });

    it('filters with startswith, eq, or, and a doubled quote', async () => {
      const sato = await graph
        .api('/users')
        .filter(`startswith(displayName,${lit('佐藤')})`)
        .select('id')
        .get();
      assert.equal(sato.value.length, 3);

      const obrien = await graph
        .api('/users')
        .filter(
          `displayName eq ${lit("Sean O'Brien")} or userPrincipalName eq ${lit('ken.tanaka@contoso.example')}`,
        )
        .select('id,displayName')
        .get();
      assert.deepEqual(obrien.value.map((u: Licensed) => u.displayName).sort(), ["Sean O'Brien", '田中 健']);
      assert.ok(sandbox.requests.some((r) => r.path.includes('%27Sean%20O%27%27Brien%27')));

      const byUpn = await graph
        .api('/users')
        .filter(`startswith(userPrincipalName,${lit("sean.o'b")})`)
        .get();
      assert.equal(byUpn.value.length, 1);
      const guest = await graph
        .api('/users')
        .filter(`userPrincipalName eq ${lit('CHRIS.LEE_fabrikam.example#EXT#@contoso.example')}`)
        .get();
      assert.equal(guest.value[0].id, uid('0b'));
    });

    it("decodes %20 as a space and leaves '+' a plus", async () => {
      const spaced = await graph
        .api('/users')
        .filter(`startswith(displayName,${lit('Chris Lee')})`)
        .get();
      assert.equal(spaced.value.length, 1);
      const plus = await graph.api('/users').filter("startswith(displayName,'Chris+Lee')").get();
      assert.equal(plus.value.length, 0);
      const encodedPlus = await graph
        .api('/users')
        .filter(`startswith(displayName,${lit('C++')})`)
        .get();
      assert.equal(encodedPlus.value.length, 0);
      assert.ok(sandbox.requests.at(-1)!.path.includes('C%2B%2B'));
    });

    it('answers 400 with a clear message for filter syntax it does not understand', async () => {
      for (const filter of [
        'accountEnabled eq true',
        `contains(displayName,${lit('佐藤')})`,
        `displayName ne ${lit('x')}`,
        `startswith(displayName,${lit('x')}`,
        `displayName eq ${encodeURIComponent("'unterminated")}`,
      ]) {
        const e = await rejection(graph.api('/users').filter(filter).middlewareOptions(noRetry).get());
        assert.equal(e.statusCode, 400, filter);
        assert.match(e.message, /sandbox understands startswith\(displayName\|userPrincipalName/, filter);
      }
      const orderBy = await rejection(
        graph.api('/users').orderby('displayName').middlewareOptions(noRetry).get(),
      );
      assert.equal(orderBy.statusCode, 400);
    });

    it('pages /users with $top and an absolute @odata.nextLink', async () => {
      const first = await graph
        .api('/users')
        .filter(`startswith(userPrincipalName,${lit('staff')})`)
        .top(999)
        .get();
      assert.equal(first.value.length, 999);
      const pages = await allPages(first);
      assert.deepEqual(
        pages.map((p) => p.length),
        [999, 36],
      );
      const small = await graph.api('/users').select('id').get();
      assert.equal(small.value.length, 100, 'default page size');
      assert.ok(small['@odata.nextLink']);
      const tooBig = await rejection(graph.api('/users').top(1000).middlewareOptions(noRetry).get());
      assert.equal(tooBig.statusCode, 400);
    });

    it('checks group membership transitively with checkMemberGroups', async () => {
      const ids = [GROUP.E3, GROUP.ADMINS, GROUP.ALL_STAFF];
      const admin = await graph.api(`/users/${uid('0d')}/checkMemberGroups`).post({ groupIds: ids });
      assert.deepEqual(admin.value, [GROUP.ADMINS, GROUP.ALL_STAFF]);
      const seats = await graph.api(`/users/${uid('05')}/checkMemberGroups`).post({ groupIds: ids });
      assert.deepEqual(seats.value, [GROUP.E3, GROUP.ALL_STAFF]);
      const guest = await graph.api(`/users/${uid('0b')}/checkMemberGroups`).post({ groupIds: ids });
      assert.deepEqual(guest.value, []);
      const bad = await rejection(
        graph
          .api(`/users/${uid('0d')}/checkMemberGroups`)
          .middlewareOptions(noRetry)
          .post({ ids }),
      );
      assert.equal(bad.statusCode, 400);
    });

    it('lists role assignments by principalId', async () => {
      const forId = (
        id: string,
      ): Promise<{ value: { roleDefinitionId: string; directoryScopeId: string }[] }> =>
        graph
          .api('/roleManagement/directory/roleAssignments')
          .filter(`principalId eq ${lit(id)}`)
          .get();
      const admin = await forId(uid('0d'));
      assert.deepEqual(
        admin.value.map((r) => [r.roleDefinitionId, r.directoryScopeId]),
        [[ROLE.GLOBAL_ADMIN, '/']],
      );
      assert.equal((await forId(uid('0c'))).value[0].roleDefinitionId, ROLE.HELPDESK_ADMIN);
      assert.deepEqual((await forId(uid('01'))).value, []);
    });
  });

  describe('groups, service health', () => {
    it('gets and finds groups', async () => {
      const group = await graph.api(`/groups/${GROUP.E3}`).select('displayName').get();
      delete group['@odata.context'];
      assert.deepEqual(group, { id: GROUP.E3, displayName: 'Office ライセンス (E3)' });
      const all = await graph
        .api('/groups')
        .filter(`displayName eq ${lit('全社員')}`)
        .select('id')
        .get();
      assert.deepEqual(all.value, [{ id: GROUP.ALL_STAFF }]);
      const office = await graph
        .api('/groups')
        .filter(`startswith(displayName,${lit('office')})`)
        .get();
      assert.deepEqual(
        office.value.map((g: { id: string }) => g.id),
        [GROUP.E3],
      );
      const missing = await rejection(graph.api('/groups/2b000000-0000-4000-8000-00000000ffff').get());
      assert.equal(missing.statusCode, 404);
    });

    it('pages the 1,050 transitive members of 全社員 with $top=999 in two pages', async () => {
      const first = await graph
        .api(`/groups/${GROUP.ALL_STAFF}/transitiveMembers/microsoft.graph.user`)
        .select('id,displayName,assignedLicenses,licenseAssignmentStates')
        .top(999)
        .get();
      const pages = await allPages<Licensed>(first);
      assert.deepEqual(
        pages.map((p) => p.length),
        [999, 51],
      );
      const members = pages.flat();
      assert.equal(new Set(members.map((m) => m.id)).size, 1050);
      assert.ok(
        members.some((m) => m.id === uid('0d')),
        'nested IT 管理者 group expanded',
      );
      assert.ok(!members.some((m) => m.id === uid('0b')), 'the guest is not staff');
      const officeOff = members.filter((m) =>
        m.assignedLicenses.some((a) => a.disabledPlans.includes(PLAN.OFFICESUBSCRIPTION)),
      );
      const basic = members.filter((m) => m.assignedLicenses.some((a) => a.skuId === SKU.BASIC));
      assert.ok(officeOff.length > 10 && basic.length > 10, `${officeOff.length} / ${basic.length}`);
      assert.ok(sandbox.requests.every((r) => r.path.includes('$top=999')));
    });

    it('explains the SDK pitfall when an absolute http:// nextLink is passed to api()', async () => {
      const first = await graph
        .api(`/groups/${GROUP.ALL_STAFF}/transitiveMembers/microsoft.graph.user`)
        .top(999)
        .get();
      const e = await rejection(graph.api(first['@odata.nextLink']).middlewareOptions(noRetry).get());
      assert.equal(e.statusCode, 400);
      assert.match(e.message, /after '\/v1\.0'/);
    });

    it('serves service issues, filterable on isResolved and pageable', async () => {
      const all = await graph.api('/admin/serviceAnnouncement/issues').get();
      assert.equal(all.value.length, 3);
      const open = await graph.api('/admin/serviceAnnouncement/issues').filter('isResolved eq false').get();
      assert.deepEqual(open.value.map((i: { service: string }) => i.service).sort(), [
        'Exchange Online',
        'Microsoft 365 Apps',
      ]);
      const apps = open.value.find((i: { service: string }) => i.service === 'Microsoft 365 Apps');
      assert.match(apps.title, /activate/);
      assert.equal(apps.classification, 'Incident');
      const paged = await graph.api('/admin/serviceAnnouncement/issues').top(2).get();
      assert.deepEqual(
        (await allPages(paged)).map((p) => p.length),
        [2, 1],
      );
    });
  });

  describe('$batch', () => {
    it('routes each part through the same handlers; a fault can hit one part (429 + Retry-After)', async () => {
      sandbox.injectFault({ match: /^\/subscribedSkus/, status: 429, retryAfter: '0.25', times: 1 });
      const body = {
        requests: [
          { id: 'user', method: 'GET', url: `/users/${uid('05')}?$select=${LICENCE_SELECT}` },
          { id: 'skus', method: 'GET', url: '/subscribedSkus?$select=skuId,consumedUnits,prepaidUnits' },
          {
            id: 'issues',
            method: 'GET',
            url: '/admin/serviceAnnouncement/issues?$filter=isResolved%20eq%20false',
          },
          { id: 'missing', method: 'GET', url: '/users/nobody@contoso.example' },
          {
            id: 'member',
            method: 'POST',
            url: `/users/${uid('0d')}/checkMemberGroups`,
            headers: { 'Content-Type': 'application/json' },
            body: { groupIds: [GROUP.ADMINS] },
          },
        ],
      };
      const res = await graph.api('/$batch').post(body);
      const part = (
        id: string,
      ): { status: number; headers: Record<string, string>; body: Record<string, unknown> } =>
        res.responses.find((r: { id: string }) => r.id === id);
      assert.equal(part('user').status, 200);
      assert.equal(
        (part('user').body as unknown as Licensed).licenseAssignmentStates[0].error,
        'CountViolation',
      );
      assert.equal(part('skus').status, 429);
      assert.equal(part('skus').headers['Retry-After'], '0.25');
      assert.equal((part('skus').body.error as { code: string }).code, 'TooManyRequests');
      assert.equal((part('issues').body.value as unknown[]).length, 2);
      assert.equal(part('missing').status, 404);
      assert.deepEqual(part('member').body.value, [GROUP.ADMINS]);
      assert.equal(sandbox.requests.length, 1, 'the SDK does not retry a throttled part');

      // The caller retries just that part; the fault was for one time only.
      const retry = await graph.api('/$batch').post({ requests: [body.requests[1]] });
      assert.equal(retry.responses[0].status, 200);
      assert.equal(retry.responses[0].body.value.length, 5);
    });

    it('rejects more than 20 requests, duplicate ids and a malformed payload with 400', async () => {
      const req = (id: string): object => ({ id, method: 'GET', url: '/subscribedSkus' });
      const many = await rejection(
        graph
          .api('/$batch')
          .middlewareOptions(noRetry)
          .post({ requests: Array.from({ length: 21 }, (_, i) => req(String(i))) }),
      );
      assert.equal(many.statusCode, 400);
      const twenty = await graph
        .api('/$batch')
        .post({ requests: Array.from({ length: 20 }, (_, i) => req(String(i))) });
      assert.equal(twenty.responses.length, 20);
      const dup = await rejection(
        graph
          .api('/$batch')
          .middlewareOptions(noRetry)
          .post({ requests: [req('a'), req('A')] }),
      );
      assert.equal(dup.statusCode, 400);
      const bad = await rejection(graph.api('/$batch').middlewareOptions(noRetry).post({ nope: true }));
      assert.equal(bad.statusCode, 400);
    });

    it('marks a part that depends on a failed one 424, and a malformed part as a broken JSON text', async () => {
      sandbox.injectFault({ match: 'issues', malformed: true });
      const res = await graph.api('/$batch').post({
        requests: [
          { id: '1', method: 'GET', url: '/users/nobody' },
          { id: '2', method: 'GET', url: '/subscribedSkus', dependsOn: ['1'] },
          { id: '3', method: 'GET', url: '/admin/serviceAnnouncement/issues' },
        ],
      });
      assert.deepEqual(
        res.responses.map((r: { status: number }) => r.status),
        [404, 424, 200],
      );
      assert.equal(typeof res.responses[2].body, 'string');
      assert.throws(() => JSON.parse(res.responses[2].body));
    });
  });

  describe('faults', () => {
    it('429 with a fractional Retry-After, once: the SDK waits, retries and succeeds', async () => {
      sandbox.injectFault({ match: '/subscribedSkus', status: 429, retryAfter: '0.05', times: 1 });
      const started = Date.now();
      const res = await graph.api('/subscribedSkus').get();
      assert.equal(res.value.length, 5);
      assert.ok(Date.now() - started >= 45);
      const log = sandbox.requests;
      assert.deepEqual(
        log.map((r) => r.status),
        [429, 200],
      );
      assert.equal(log[1].headers['retry-attempt'], '1');
    });

    it('429 without retries surfaces TooManyRequests with the header', async () => {
      sandbox.injectFault({ match: /\/users\//, status: 429, retryAfter: '2.128' });
      const res = await fetch(`${sandbox.url}/v1.0/users/${uid('01')}`, {
        headers: { Authorization: 'Bearer x' },
      });
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '2.128');
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'TooManyRequests');
      const e = await rejection(getUser(uid('01')));
      assert.equal(e.statusCode, 429);
      assert.equal(e.code, 'TooManyRequests');
    });

    it('503 (until cleared)', async () => {
      sandbox.injectFault({ match: 'subscribedSkus', status: 503 });
      for (let i = 0; i < 2; i++) {
        const e = await rejection(graph.api('/subscribedSkus').middlewareOptions(noRetry).get());
        assert.equal(e.statusCode, 503);
        assert.equal(e.code, 'ServiceUnavailable');
      }
      sandbox.clearFaults();
      assert.equal((await graph.api('/subscribedSkus').get()).value.length, 5);
    });

    it('delay, then the normal answer', async () => {
      sandbox.injectFault({ match: 'issues', delayMs: 40, times: 1 });
      const started = Date.now();
      const res = await graph.api('/admin/serviceAnnouncement/issues').get();
      assert.ok(Date.now() - started >= 35);
      assert.equal(res.value.length, 3);
    });

    it('malformed JSON (200 with a broken body)', async () => {
      sandbox.injectFault({ match: 'subscribedSkus', malformed: true, times: 1 });
      const raw = await fetch(`${sandbox.url}/v1.0/subscribedSkus`);
      assert.equal(raw.status, 200);
      await assert.rejects(raw.json());
      sandbox.injectFault({ match: 'subscribedSkus', malformed: true, times: 1 });
      await assert.rejects(graph.api('/subscribedSkus').middlewareOptions(noRetry).get());
      assert.equal((await graph.api('/subscribedSkus').get()).value.length, 5, 'times=1: then success');
    });

    it('times=N applies N times then stops; the first matching fault wins', async () => {
      sandbox.injectFault({ match: 'roleAssignments', status: 504, times: 2 });
      sandbox.injectFault({ match: 'roleAssignments', status: 403 });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${sandbox.url}/v1.0/roleManagement/directory/roleAssignments`);
        statuses.push(res.status);
      }
      assert.deepEqual(statuses, [504, 504, 403, 403]);
    });

    it('has an HTTP control API for faults and the request log', async () => {
      const post = await fetch(`${sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ matchRegex: '^/v1\\.0/groups', status: 503, retryAfter: '1', times: 1 }),
      });
      assert.equal(post.status, 201);
      assert.equal((await fetch(`${sandbox.url}/v1.0/groups`)).status, 503);
      assert.equal((await fetch(`${sandbox.url}/v1.0/groups`)).status, 200);
      const log = (await (await fetch(`${sandbox.url}/_sandbox/requests`)).json()) as {
        value: { path: string }[];
      };
      assert.deepEqual(
        log.value.map((r) => r.path),
        ['/v1.0/groups', '/v1.0/groups'],
      );
      await fetch(`${sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        body: JSON.stringify({ match: '/groups', status: 500 }),
      });
      assert.equal((await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' })).status, 204);
      assert.equal((await fetch(`${sandbox.url}/v1.0/groups`)).status, 200);
      const invalid = await fetch(`${sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        body: '{"match":"x"}',
      });
      assert.equal(invalid.status, 400);
    });

    it('never crashes on nonsense: unknown routes, versions, methods and bodies', async () => {
      const cases: [string, string, number][] = [
        ['GET', '/v1.0/nonsense', 400],
        ['GET', '/beta/users', 400],
        ['GET', '/', 400],
        ['DELETE', `/v1.0/users/${uid('01')}`, 405],
        ['GET', '/v1.0/users/%E0%A4%A', 400],
        ['POST', `/v1.0/users/${uid('01')}/checkMemberGroups`, 400],
        ['GET', `/v1.0/users?$top=abc`, 400],
        ['GET', `/v1.0/users?$skiptoken=garbage`, 400],
      ];
      for (const [method, path, status] of cases) {
        const res = await fetch(`${sandbox.url}${path}`, {
          method,
          body: method === 'POST' ? '{not json' : undefined,
        });
        assert.equal(res.status, status, `${method} ${path}`);
        const body = (await res.json()) as { error: { code: string; message: string } };
        assert.ok(body.error.code && body.error.message, `${method} ${path}`);
      }
    });
  });
  describe('Office activations report', () => {
    const REPORT = '/v1.0/reports/getOffice365ActivationsUserDetail';
    const COLUMNS =
      'Report Refresh Date,User Principal Name,Display Name,Product Type,Last Activated Date,Windows,Mac,Windows 10 Mobile,iOS,Android,Activated On Shared Computer';

    afterEach(() => sandbox.concealReportNames(false));

    async function download(): Promise<{ bytes: Buffer; lines: string[][] }> {
      const redirect = await fetch(`${sandbox.url}${REPORT}`, { redirect: 'manual' });
      assert.equal(redirect.status, 302);
      const location = redirect.headers.get('location')!;
      assert.match(location, new RegExp(`^${sandbox.url}/data/download/[0-9a-f]{32}$`));
      const file = await fetch(location);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'application/octet-stream');
      const bytes = Buffer.from(await file.arrayBuffer());
      const text = bytes.toString('utf8');
      assert.ok(text.endsWith('\r\n') && !/[^\r]\n/.test(text), 'CRLF line ends');
      return {
        bytes,
        lines: text
          .slice(1, -2)
          .split('\r\n')
          .map((l) => l.split(',')),
      };
    }

    it('answers 302 to a short-lived CSV download with the documented columns, BOM and CRLF', async () => {
      const { bytes, lines } = await download();
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      assert.equal(lines[0].join(','), COLUMNS);
      const rows = lines.slice(1);
      const ichiro = rows.find((r) => r[1] === 'ichiro.sato@contoso.example');
      assert.deepEqual(ichiro, [
        '2026-11-21',
        'ichiro.sato@contoso.example',
        '佐藤 一郎',
        'MICROSOFT 365 APPS FOR ENTERPRISE',
        '2026-11-19',
        '4',
        '1',
        '0',
        '1',
        '1',
        'False',
      ]);
      // Everyone with a working desktop Office plan, nobody else: the generated staff's E3 holders included.
      const upns = new Set(rows.map((r) => r[1]));
      assert.ok(upns.has('taro.suzuki@contoso.example') && upns.has('staff0001@contoso.example'));
      for (const without of ['yui.takahashi', 'ken.tanaka', 'mei.ito', 'riku.nakamura', 'yuto.kato'])
        assert.ok(!upns.has(`${without}@contoso.example`), without);
      assert.equal(sandbox.requests.length, 2);
      assert.equal(sandbox.requests[1].path.startsWith('/data/download/'), true, 'the download is logged');
    });

    it('conceals names as 32 hex digits when the reports setting says so (admin/reportSettings)', async () => {
      const settings = await graph.api('/admin/reportSettings').get();
      assert.equal(settings.displayConcealedNames, false);
      await graph.api('/admin/reportSettings').patch({ displayConcealedNames: true });
      assert.equal((await graph.api('/admin/reportSettings').get()).displayConcealedNames, true);
      const { lines } = await download();
      for (const row of lines.slice(1)) {
        assert.match(row[1], /^[0-9A-F]{32}$/);
        assert.match(row[2], /^[0-9A-F]{32}$/);
      }
      const bad = await fetch(`${sandbox.url}/v1.0/admin/reportSettings`, { method: 'PATCH', body: '{}' });
      assert.equal(bad.status, 400);
    });

    it('refuses unknown download links, other reports and other methods', async () => {
      const cases: [string, string, number][] = [
        ['GET', '/data/download/0123456789abcdef0123456789abcdef', 404],
        ['POST', REPORT, 405],
        ['GET', "/v1.0/reports/getOffice365ActiveUserDetail(period='D7')", 400],
      ];
      for (const [method, path, status] of cases)
        assert.equal(
          (await fetch(`${sandbox.url}${path}`, { method, redirect: 'manual' })).status,
          status,
          path,
        );
      const part = await graph.api('/$batch').post({
        requests: [{ id: '1', method: 'GET', url: '/reports/getOffice365ActivationsUserDetail' }],
      });
      assert.equal(part.responses[0].status, 302);
      assert.match(part.responses[0].headers.Location, /\/data\/download\//);
    });
  });
});
