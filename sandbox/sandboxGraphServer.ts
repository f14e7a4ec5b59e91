/**
 * The sandbox tenant: a Microsoft Graph v1.0 look-alike on loopback that serves the sample directory in
 * sandbox/tenant.json, so the bot runs with no Azure configuration against the real Graph client over HTTP.
 *
 * Only node:http. Authorization headers are accepted and ignored. Faults (status, Retry-After, delay, broken JSON)
 * can be injected from code or over HTTP (/_sandbox/faults) and apply to whole requests or to single $batch parts.
 * The Office activations report is served as Graph serves it: 302 to a short-lived CSV download on this server.
 * See sandbox/README.md for the data and the HTTP API.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../bot/paths';

// ---------------------------------------------------------------------------------------------------------------
// Public types

export interface SandboxGraphServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback only; the default is 127.0.0.1. */
  host?: string;
  /** The tenant data; the default is sandbox/tenant.json in the project. */
  dataFile?: string;
}

export interface SandboxFault {
  /** Tested against the raw path+query as received (e.g. `/v1.0/users/x?$select=id`), or a $batch part's `url`. */
  match: RegExp | string;
  /** Answer with this status and a Graph error body. */
  status?: number;
  /** `Retry-After` header value, e.g. "0.25" or "2". */
  retryAfter?: string;
  /** Wait this long before answering (or before handling normally when no status/malformed is set). */
  delayMs?: number;
  /** 200 with a broken JSON body. */
  malformed?: boolean;
  /** How many requests it applies to; forever when absent. */
  times?: number;
  /** Error code in the body; derived from the status when absent (429 → TooManyRequests …). */
  code?: string;
  message?: string;
}

/**
 * A root message in a team's channel, as Graph's chatMessage resource shows it (only the fields the bot reads).
 * The sandbox has no Teams of its own: a test that fakes the Bot Connector adds what the bot posted.
 */
export interface SandboxChannelMessage {
  id: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  deletedDateTime?: string | null;
  messageType?: string;
  from?: { application?: { id: string; displayName?: string } | null } | null;
  attachments: { id?: string; contentType: string; content: string | null }[];
}

export interface SandboxRequestRecord {
  method: string;
  /** Path and query exactly as received (raw, not decoded). */
  path: string;
  /** The request body as text; undefined when empty. */
  body?: string;
  headers: Record<string, string | string[] | undefined>;
  /** The status sent back (set once answered). */
  status?: number;
  time: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Tenant data (sandbox/tenant.json)

const licenceSchema = z.object({ skuId: z.string(), disabledPlans: z.array(z.string()) });
const stateSchema = z.object({
  skuId: z.string(),
  state: z.string(),
  error: z.string().nullable(),
  assignedByGroup: z.string().nullable(),
  disabledPlans: z.array(z.string()),
  lastUpdatedDateTime: z.string().nullable().optional(),
});
const userSchema = z.looseObject({
  id: z.string(),
  displayName: z.string(),
  userPrincipalName: z.string(),
  accountEnabled: z.boolean(),
  userType: z.string(),
  usageLocation: z.string().nullable(),
  assignedLicenses: z.array(licenceSchema),
  licenseAssignmentStates: z.array(stateSchema),
});
const profileSchema = z.object({
  assignedLicenses: z.array(licenceSchema),
  licenseAssignmentStates: z.array(stateSchema),
});
const tenantSchema = z.object({
  tenantId: z.string(),
  organization: z.looseObject({ displayName: z.string(), defaultDomain: z.string() }),
  subscribedSkus: z.array(
    z.looseObject({
      id: z.string(),
      skuId: z.string(),
      skuPartNumber: z.string(),
      capabilityStatus: z.string(),
      consumedUnits: z.number(),
      prepaidUnits: z.object({
        enabled: z.number(),
        warning: z.number(),
        suspended: z.number(),
        lockedOut: z.number(),
      }),
      servicePlans: z.array(
        z.looseObject({
          servicePlanId: z.string(),
          servicePlanName: z.string(),
          provisioningStatus: z.string(),
        }),
      ),
    }),
  ),
  users: z.array(userSchema),
  generatedUsers: z
    .object({
      count: z.number().int().min(0).max(100000),
      idPrefix: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-$/i),
      displayName: z.string(),
      givenName: z.string().optional(),
      surname: z.string().optional(),
      userPrincipalName: z.string(),
      department: z.string().optional(),
      usageLocation: z.string().nullable(),
      preferredLanguage: z.string().optional(),
      memberOf: z.array(z.string()),
      pattern: z.array(z.string()).min(1),
      profiles: z.record(z.string(), profileSchema),
    })
    .optional(),
  groups: z.array(z.looseObject({ id: z.string(), displayName: z.string(), members: z.array(z.string()) })),
  roleAssignments: z.array(
    z.looseObject({
      id: z.string(),
      principalId: z.string(),
      roleDefinitionId: z.string(),
      directoryScopeId: z.string(),
    }),
  ),
  healthOverviews: z.array(z.object({ id: z.string(), service: z.string() })),
  serviceIssues: z.array(
    z.looseObject({ id: z.string(), service: z.string(), isResolved: z.boolean(), status: z.string() }),
  ),
  officeActivations: z
    .object({
      reportRefreshDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      /** The tenant's reports setting "Display concealed user, group, and site names in all reports". */
      displayConcealedNames: z.boolean(),
      /** Service plan name → the report's Product Type: a user with the plan working is in the report. */
      productTypes: z.record(z.string(), z.string()),
      /** Activations of named users; everyone else in the report has zeros. */
      activations: z.array(
        z.object({
          userPrincipalName: z.string(),
          productType: z.string(),
          lastActivatedDate: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .nullable(),
          windows: z.number().int().min(0),
          mac: z.number().int().min(0),
          windows10Mobile: z.number().int().min(0),
          ios: z.number().int().min(0),
          android: z.number().int().min(0),
          activatedOnSharedComputer: z.boolean(),
        }),
      ),
    })
    .optional(),
});
type TenantData = z.infer<typeof tenantSchema>;
type Json = Record<string, unknown>;
type ActivationRow = NonNullable<TenantData['officeActivations']>['activations'][number] & {
  displayName: string;
};

/** The sandbox data, indexed. Ids and UPNs are matched case-insensitively, as in Entra ID. */
class Tenant {
  readonly users: Json[] = [];
  readonly groups: Json[] = [];
  private readonly usersByKey = new Map<string, Json>();
  private readonly groupsById = new Map<string, Json>();
  /** group id → member ids (users and groups, in order). */
  private readonly members = new Map<string, string[]>();
  /** member id (user or group) → ids of the groups it is directly in. */
  private readonly parents = new Map<string, string[]>();

  constructor(readonly data: TenantData) {
    for (const u of data.users) this.addUser(u);
    const gen = data.generatedUsers;
    const generatedIds: string[] = [];
    if (gen) {
      for (let n = 1; n <= gen.count; n++) {
        const profileName = gen.pattern[(n - 1) % gen.pattern.length];
        const profile = gen.profiles[profileName];
        if (!profile) throw new Error(`generatedUsers: no profile named "${profileName}"`);
        const nn = String(n).padStart(4, '0');
        const fill = (s: string | undefined): string | undefined => s?.replace(/\{n\}/g, nn);
        const upn = fill(gen.userPrincipalName)!;
        const user: Json = {
          id: gen.idPrefix + n.toString(16).padStart(12, '0'),
          displayName: fill(gen.displayName),
          givenName: fill(gen.givenName),
          surname: fill(gen.surname),
          userPrincipalName: upn,
          mail: upn,
          department: gen.department,
          accountEnabled: true,
          userType: 'Member',
          usageLocation: gen.usageLocation,
          preferredLanguage: gen.preferredLanguage,
          assignedLicenses: structuredClone(profile.assignedLicenses),
          licenseAssignmentStates: structuredClone(profile.licenseAssignmentStates),
        };
        this.addUser(user);
        generatedIds.push(user.id as string);
      }
    }
    for (const g of data.groups) {
      const id = g.id.toLowerCase();
      if (this.groupsById.has(id)) throw new Error(`Duplicate group id ${g.id}`);
      this.groups.push(g);
      this.groupsById.set(id, g);
      this.members.set(id, [...g.members]);
    }
    for (const groupId of gen?.memberOf ?? []) {
      const list = this.members.get(groupId.toLowerCase());
      if (!list) throw new Error(`generatedUsers.memberOf: no group ${groupId}`);
      list.push(...generatedIds);
    }
    for (const [groupId, list] of this.members) {
      for (const member of list) {
        const key = member.toLowerCase();
        if (!this.usersByKey.has(key) && !this.groupsById.has(key))
          throw new Error(`Group ${groupId}: member ${member} is neither a user nor a group`);
        const p = this.parents.get(key) ?? [];
        p.push(groupId);
        this.parents.set(key, p);
      }
    }
  }

  private addUser(u: Json): void {
    const id = String(u.id).toLowerCase();
    const upn = String(u.userPrincipalName).toLowerCase();
    if (this.usersByKey.has(id) || this.usersByKey.has(upn))
      throw new Error(`Duplicate user ${String(u.id)} / ${String(u.userPrincipalName)}`);
    this.users.push(u);
    this.usersByKey.set(id, u);
    this.usersByKey.set(upn, u);
  }

  user(idOrUpn: string): Json | undefined {
    return this.usersByKey.get(idOrUpn.toLowerCase());
  }

  group(id: string): Json | undefined {
    return this.groupsById.get(id.toLowerCase());
  }

  isGroup(id: string): boolean {
    return this.groupsById.has(id.toLowerCase());
  }

  directMembers(groupId: string): string[] {
    return this.members.get(groupId.toLowerCase()) ?? [];
  }

  /** Members through nested groups too, each once, in a stable order (users and groups). */
  transitiveMembers(groupId: string): string[] {
    const seen = new Set<string>();
    const out: string[] = [];
    const visit = (gid: string): void => {
      for (const m of this.directMembers(gid)) {
        const key = m.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(m);
        if (this.isGroup(m)) visit(m);
      }
    };
    seen.add(groupId.toLowerCase());
    visit(groupId);
    return out;
  }

  /** Ids (lower case) of every group the user or group is in, directly or through nesting. */
  transitiveGroupsOf(memberId: string): Set<string> {
    const out = new Set<string>();
    const queue = [memberId.toLowerCase()];
    while (queue.length > 0) {
      for (const g of this.parents.get(queue.shift()!) ?? []) {
        const key = g.toLowerCase();
        if (!out.has(key)) {
          out.add(key);
          queue.push(key);
        }
      }
    }
    return out;
  }

  directGroupsOf(memberId: string): string[] {
    return this.parents.get(memberId.toLowerCase()) ?? [];
  }

  private activationRows?: ActivationRow[];

  /**
   * The Office activations report's rows: one per user and product for every user with a working desktop Office plan
   * (officeActivations.productTypes), as Microsoft lists "all users with the Office product assigned"; zeros unless
   * officeActivations.activations says otherwise. Users in directory order.
   */
  officeActivationRows(): ActivationRow[] {
    if (this.activationRows) return this.activationRows;
    const config = this.data.officeActivations;
    const rows: ActivationRow[] = [];
    for (const user of config ? this.users : []) {
      const states = (user.licenseAssignmentStates as { skuId: string; state: string }[]) ?? [];
      const products = new Set<string>();
      for (const a of (user.assignedLicenses as { skuId: string; disabledPlans: string[] }[]) ?? []) {
        if (!states.some((s) => s.skuId === a.skuId && s.state.startsWith('Active'))) continue;
        const sku = this.data.subscribedSkus.find((s) => s.skuId === a.skuId);
        for (const plan of sku?.servicePlans ?? []) {
          const product = config!.productTypes[plan.servicePlanName];
          if (
            product &&
            plan.provisioningStatus !== 'Disabled' &&
            !a.disabledPlans.includes(plan.servicePlanId)
          )
            products.add(product);
        }
      }
      for (const productType of products)
        rows.push({
          userPrincipalName: String(user.userPrincipalName),
          displayName: String(user.displayName),
          productType,
          lastActivatedDate: null,
          windows: 0,
          mac: 0,
          windows10Mobile: 0,
          ios: 0,
          android: 0,
          activatedOnSharedComputer: false,
        });
    }
    for (const given of config?.activations ?? []) {
      const row = rows.find(
        (r) =>
          r.userPrincipalName.toLowerCase() === given.userPrincipalName.toLowerCase() &&
          r.productType === given.productType,
      );
      if (!row)
        throw new Error(
          `officeActivations: ${given.userPrincipalName} has no working licence for ${given.productType}`,
        );
      Object.assign(row, given, { userPrincipalName: row.userPrincipalName });
    }
    this.activationRows = rows;
    return rows;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Entity shapes for $select

interface EntityType {
  name: string;
  /** Properties the sandbox can return (true = collection, [] when unset). */
  properties: Record<string, boolean>;
  /** Returned when there's no $select; undefined = everything stored. */
  defaults?: string[];
  /** Real Graph properties the sandbox does not model: $select-ing them is a clear 400. */
  unmodelled?: string[];
}

const userType: EntityType = {
  name: 'microsoft.graph.user',
  properties: {
    id: false,
    displayName: false,
    givenName: false,
    surname: false,
    userPrincipalName: false,
    mail: false,
    mailNickname: false,
    jobTitle: false,
    department: false,
    companyName: false,
    officeLocation: false,
    preferredLanguage: false,
    mobilePhone: false,
    businessPhones: true,
    otherMails: true,
    proxyAddresses: true,
    accountEnabled: false,
    userType: false,
    usageLocation: false,
    createdDateTime: false,
    assignedLicenses: true,
    licenseAssignmentStates: true,
  },
  // Graph v1.0's default set: the licence properties are "returned only on $select".
  defaults: [
    'businessPhones',
    'displayName',
    'givenName',
    'id',
    'jobTitle',
    'mail',
    'mobilePhone',
    'officeLocation',
    'preferredLanguage',
    'surname',
    'userPrincipalName',
  ],
  unmodelled: [
    'assignedPlans',
    'provisionedPlans',
    'licenseDetails',
    'signInActivity',
    'memberOf',
    'manager',
  ],
};

const groupType: EntityType = {
  name: 'microsoft.graph.group',
  properties: {
    id: false,
    displayName: false,
    description: false,
    mail: false,
    mailEnabled: false,
    mailNickname: false,
    securityEnabled: false,
    groupTypes: true,
    createdDateTime: false,
    visibility: false,
    isAssignableToRole: false,
    assignedLicenses: true,
  },
};

const skuType: EntityType = {
  name: 'microsoft.graph.subscribedSku',
  properties: {
    id: false,
    accountId: false,
    accountName: false,
    appliesTo: false,
    capabilityStatus: false,
    consumedUnits: false,
    prepaidUnits: false,
    servicePlans: true,
    skuId: false,
    skuPartNumber: false,
    subscriptionIds: true,
  },
};

const issueType: EntityType = {
  name: 'microsoft.graph.serviceHealthIssue',
  properties: {
    id: false,
    startDateTime: false,
    endDateTime: false,
    lastModifiedDateTime: false,
    title: false,
    impactDescription: false,
    classification: false,
    origin: false,
    status: false,
    service: false,
    feature: false,
    featureGroup: false,
    isResolved: false,
    details: true,
    posts: true,
  },
};

const roleAssignmentType: EntityType = {
  name: 'microsoft.graph.unifiedRoleAssignment',
  properties: {
    id: false,
    principalId: false,
    roleDefinitionId: false,
    directoryScopeId: false,
    appScopeId: false,
    resourceScope: false,
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Errors and replies

class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const badRequest = (message: string, code = 'BadRequest'): GraphHttpError =>
  new GraphHttpError(400, code, message);
const notFound = (what: string): GraphHttpError =>
  new GraphHttpError(
    404,
    'Request_ResourceNotFound',
    `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`,
  );
const methodNotAllowed = (): GraphHttpError =>
  new GraphHttpError(
    405,
    'Request_BadRequest',
    'Specified HTTP method is not allowed for the request target.',
  );

interface Reply {
  status: number;
  headers: Record<string, string>;
  /** JSON body (undefined = no body). */
  body?: unknown;
  /** Sent verbatim instead of body (broken JSON). */
  raw?: string;
}

const JSON_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

const ERROR_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'Authorization_RequestDenied',
  404: 'Request_ResourceNotFound',
  409: 'Conflict',
  423: 'Locked',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

function errorBody(status: number, code: string, message: string, requestId: string): Json {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().slice(0, 19),
        'request-id': requestId,
        'client-request-id': requestId,
        ...(status === 429 ? { code: '429', status: '429' } : {}),
      },
    },
  };
}

/** A 200 whose body is cut off mid-way: not valid JSON. */
const BROKEN_JSON = '{"@odata.context":"sandbox","value":[{"id":"1a000000-0000-4000-8000-0000';

// ---------------------------------------------------------------------------------------------------------------
// Query strings and $filter

interface Query {
  /** Raw name=value pairs, as received (for nextLink). */
  raw: string[];
  /** Decoded values by lower-case name, `$` prefix removed. */
  options: Map<string, string>;
}

function decode(s: string, what: string): string {
  try {
    // Graph URLs: '+' is a literal plus, only %XX is decoded.
    return decodeURIComponent(s);
  } catch {
    throw badRequest(`Malformed percent-encoding in ${what}: '${s}'.`);
  }
}

const KNOWN_OPTIONS = new Set([
  'select',
  'filter',
  'top',
  'skiptoken',
  'skip',
  'count',
  'orderby',
  'expand',
  'search',
  'format',
]);

function parseQuery(rawQuery: string): Query {
  const raw = rawQuery === '' ? [] : rawQuery.split('&').filter((p) => p !== '');
  const options = new Map<string, string>();
  for (const pair of raw) {
    const eq = pair.indexOf('=');
    const name = decode(eq === -1 ? pair : pair.slice(0, eq), 'a query option name');
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1), `query option '${name}'`);
    const key = name.replace(/^\$/, '').toLowerCase();
    if (!KNOWN_OPTIONS.has(key)) continue; // other parameters are ignored, as Graph does
    if (options.has(key))
      throw badRequest(
        `Query option '$${key}' was specified more than once, but it must be specified at most once.`,
      );
    options.set(key, value);
  }
  return { raw, options };
}

type Literal = string | boolean;
type FilterNode =
  | { kind: 'binary'; op: 'or' | 'and'; left: FilterNode; right: FilterNode }
  | { kind: 'eq' | 'startswith'; property: string; value: Literal };

/** A tiny OData $filter parser: `prop eq 'x'`, `prop eq true`, `startswith(prop,'x')`, `and`, `or`, parentheses. */
function parseFilter(text: string): FilterNode {
  type Token = { t: 'id' | 'str' | 'punct'; v: string };
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ t: 'punct', v: c });
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated string literal');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ t: 'str', v: value });
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_./]*/.exec(text.slice(i));
      if (!m) throw new Error(`unexpected character '${c}' at position ${i}`);
      tokens.push({ t: 'id', v: m[0] });
      i += m[0].length;
    }
  }
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const expect = (t: Token['t'], v?: string): Token => {
    const tok = tokens[pos];
    if (!tok || tok.t !== t || (v !== undefined && tok.v !== v))
      throw new Error(
        `expected ${v ?? t} at token ${pos + 1}${tok ? ` (found '${tok.v}')` : ' (found the end)'}`,
      );
    pos++;
    return tok;
  };
  const literal = (): Literal => {
    const tok = tokens[pos];
    if (tok?.t === 'str') {
      pos++;
      return tok.v;
    }
    if (tok?.t === 'id' && (tok.v === 'true' || tok.v === 'false')) {
      pos++;
      return tok.v === 'true';
    }
    throw new Error(`expected a quoted string or true/false at token ${pos + 1}`);
  };
  const primary = (): FilterNode => {
    const tok = peek();
    if (tok?.t === 'punct' && tok.v === '(') {
      pos++;
      const inner = orExpr();
      expect('punct', ')');
      return inner;
    }
    const name = expect('id').v;
    if (name === 'startswith') {
      expect('punct', '(');
      const property = expect('id').v;
      expect('punct', ',');
      const value = literal();
      expect('punct', ')');
      return { kind: 'startswith', property, value };
    }
    expect('id', 'eq');
    return { kind: 'eq', property: name, value: literal() };
  };
  const andExpr = (): FilterNode => {
    let left = primary();
    while (peek()?.t === 'id' && peek()?.v === 'and') {
      pos++;
      left = { kind: 'binary', op: 'and', left, right: primary() };
    }
    return left;
  };
  const orExpr = (): FilterNode => {
    let left = andExpr();
    while (peek()?.t === 'id' && peek()?.v === 'or') {
      pos++;
      left = { kind: 'binary', op: 'or', left, right: andExpr() };
    }
    return left;
  };
  const tree = orExpr();
  if (pos !== tokens.length) throw new Error(`unexpected '${tokens[pos].v}' at token ${pos + 1}`);
  return tree;
}

interface FilterRules {
  /** Property name (any case) → allowed operators and literal type. */
  properties: Record<string, { ops: ('eq' | 'startswith')[]; type: 'string' | 'boolean' }>;
  help: string;
}

function compileFilter(text: string | undefined, rules: FilterRules): ((item: Json) => boolean) | undefined {
  if (text === undefined) return undefined;
  let tree: FilterNode;
  try {
    tree = parseFilter(text);
  } catch (e) {
    throw badRequest(
      `Invalid filter clause: ${(e as Error).message}. The sandbox understands ${rules.help}. Got: ${text}`,
      'Request_BadRequest',
    );
  }
  const canonical = new Map(Object.keys(rules.properties).map((p) => [p.toLowerCase(), p]));
  const check = (node: FilterNode): ((item: Json) => boolean) => {
    if (node.kind === 'binary') {
      const l = check(node.left);
      const r = check(node.right);
      return node.op === 'or' ? (x) => l(x) || r(x) : (x) => l(x) && r(x);
    }
    const property = canonical.get(node.property.toLowerCase());
    const rule = property ? rules.properties[property] : undefined;
    if (!property || !rule || !rule.ops.includes(node.kind) || typeof node.value !== rule.type)
      throw badRequest(
        `Unsupported filter: ${node.kind} on '${node.property}' with ${typeof node.value} value. The sandbox understands ${rules.help}. Got: ${text}`,
        'Request_BadRequest',
      );
    const value = node.value;
    if (typeof value === 'boolean') return (x) => x[property] === value;
    const v = value.toLowerCase();
    return node.kind === 'eq'
      ? (x) => typeof x[property] === 'string' && (x[property] as string).toLowerCase() === v
      : (x) => typeof x[property] === 'string' && (x[property] as string).toLowerCase().startsWith(v);
  };
  return check(tree);
}

const USER_FILTER: FilterRules = {
  properties: {
    displayName: { ops: ['eq', 'startswith'], type: 'string' },
    userPrincipalName: { ops: ['eq', 'startswith'], type: 'string' },
  },
  help: "startswith(displayName|userPrincipalName,'text'), displayName|userPrincipalName eq 'text', combined with or/and",
};
const GROUP_FILTER: FilterRules = {
  properties: { displayName: { ops: ['eq', 'startswith'], type: 'string' } },
  help: "startswith(displayName,'text') and displayName eq 'text', combined with or/and",
};
const ISSUE_FILTER: FilterRules = {
  properties: {
    isResolved: { ops: ['eq'], type: 'boolean' },
    service: { ops: ['eq'], type: 'string' },
    classification: { ops: ['eq'], type: 'string' },
    status: { ops: ['eq'], type: 'string' },
  },
  help: "isResolved eq true|false and service|classification|status eq 'text', combined with or/and",
};
const ROLE_FILTER: FilterRules = {
  properties: {
    principalId: { ops: ['eq'], type: 'string' },
    roleDefinitionId: { ops: ['eq'], type: 'string' },
  },
  help: "principalId eq 'id' and roleDefinitionId eq 'id', combined with or/and",
};

function project(item: Json, type: EntityType, select: string | undefined): Json {
  let fields: string[];
  if (select === undefined || select.trim() === '') {
    fields = type.defaults ?? Object.keys(item).filter((k) => k in type.properties);
  } else {
    fields = [];
    for (const f of select.split(',').map((s) => s.trim())) {
      if (f === '') continue;
      if (f === '*') {
        fields.push(...Object.keys(type.properties));
        continue;
      }
      const name = Object.keys(type.properties).find((p) => p.toLowerCase() === f.toLowerCase());
      if (!name) {
        if (type.unmodelled?.some((p) => p.toLowerCase() === f.toLowerCase()))
          throw badRequest(
            `The sandbox tenant does not model '${f}' on ${type.name}; use assignedLicenses, licenseAssignmentStates and /subscribedSkus.`,
          );
        throw badRequest(
          `Parsing OData Select and Expand failed: Could not find a property named '${f}' on type '${type.name}'.`,
        );
      }
      fields.push(name);
    }
    if ('id' in type.properties && !fields.includes('id')) fields.unshift('id');
  }
  const out: Json = {};
  for (const f of fields) {
    const v = item[f];
    out[f] = v === undefined ? (type.properties[f] ? [] : null) : structuredClone(v);
  }
  return out;
}

/** Everything except `$…` notes and internal keys. */
function stripNotes(item: Json, drop: string[] = []): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(item)) if (!k.startsWith('$') && !drop.includes(k)) out[k] = v;
  return out;
}

function parseTop(q: Query, defaultTop: number, maxTop: number): number {
  const text = q.options.get('top');
  if (text === undefined) return defaultTop;
  if (!/^\d+$/.test(text)) throw badRequest(`Invalid value '${text}' for $top: must be a positive integer.`);
  const top = Number(text);
  if (top < 1 || top > maxTop)
    throw badRequest(
      `Invalid page size specified: '${text}'. Must be between 1 and ${maxTop} inclusive.`,
      'Request_BadRequest',
    );
  return top;
}

const encodeSkipToken = (offset: number): string => Buffer.from(`sandbox:${offset}`).toString('base64url');
function decodeSkipToken(token: string): number {
  const m = /^sandbox:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw badRequest(`Invalid $skiptoken '${token}'.`, 'Directory_ExpiredPageToken');
  return Number(m[1]);
}

// ---------------------------------------------------------------------------------------------------------------
// Routing

interface RouteContext {
  method: string;
  /** Raw path (no query), e.g. `/v1.0/users/x%40y`. */
  rawPath: string;
  query: Query;
  /** Parsed JSON body, if any. */
  body: unknown;
  requestId: string;
}

interface ActiveFault extends SandboxFault {
  remaining: number;
}

export class SandboxGraphServer {
  private readonly log: SandboxRequestRecord[] = [];
  /** Channel messages by `${teamId}/${channelId}`, oldest first. */
  private readonly channelMessages = new Map<string, SandboxChannelMessage[]>();
  private faults: ActiveFault[] = [];
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private closed = false;
  /** Report download tokens → when they expire (ms since the epoch). */
  private readonly reportDownloads = new Map<string, number>();
  private displayConcealedNames: boolean;
  private activationsCsvOverride?: string;

  private constructor(
    private readonly server: Server,
    private readonly tenant: Tenant,
    readonly url: string,
  ) {
    this.displayConcealedNames = tenant.data.officeActivations?.displayConcealedNames ?? false;
  }

  static async start(options: SandboxGraphServerOptions = {}): Promise<SandboxGraphServer> {
    const dataFile = options.dataFile ?? join(projectRoot(__dirname), 'sandbox', 'tenant.json');
    const parsed = tenantSchema.safeParse(JSON.parse(readFileSync(dataFile, 'utf8')));
    if (!parsed.success)
      throw new Error(`Invalid sandbox tenant data in ${dataFile}: ${parsed.error.message}`);
    const tenant = new Tenant(parsed.data);
    const host = options.host ?? '127.0.0.1';
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    const sandbox = new SandboxGraphServer(server, tenant, `http://${urlHost}:${port}`);
    server.on('request', (req, res) => void sandbox.onRequest(req, res));
    return sandbox;
  }

  /** Every request received (except /_sandbox/ control calls), oldest first. */
  get requests(): SandboxRequestRecord[] {
    return [...this.log];
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  injectFault(fault: SandboxFault): void {
    this.faults.push(validateFault(fault));
  }

  clearFaults(): void {
    this.faults = [];
  }

  /**
   * The tenant's reports setting "Display concealed user, group, and site names in all reports" (Graph:
   * admin/reportSettings displayConcealedNames): when on, the activations report shows 32-hex-digit hashes instead
   * of UPNs and display names.
   */
  concealReportNames(conceal: boolean): void {
    this.displayConcealedNames = conceal;
  }

  /** Serves this text as the activations report's CSV instead of the tenant's (undefined: back to the tenant's). */
  overrideActivationsReport(csv: string | undefined): void {
    this.activationsCsvOverride = csv;
  }

  /** Adds a message to a channel, as if the bot had posted it through the Bot Connector. */
  addChannelMessage(teamId: string, channelId: string, message: SandboxChannelMessage): void {
    const key = `${teamId.toLowerCase()}/${channelId}`;
    this.channelMessages.set(key, [...(this.channelMessages.get(key) ?? []), message]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // -- HTTP plumbing ------------------------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const rawUrl = req.url ?? '/';
    const method = (req.method ?? 'GET').toUpperCase();
    let reply: Reply;
    let record: SandboxRequestRecord | undefined;
    try {
      const text = await readBody(req);
      if (rawUrl.startsWith('/_sandbox/') || rawUrl === '/_sandbox') {
        reply = this.control(method, rawUrl, text);
      } else {
        record = {
          method,
          path: rawUrl,
          body: text === '' ? undefined : text,
          headers: { ...req.headers },
          time: new Date().toISOString(),
        };
        this.log.push(record);
        reply = await this.withFaults(rawUrl, requestId, async () =>
          rawUrl.startsWith(REPORT_DOWNLOAD_PATH)
            ? this.reportDownload(method, rawUrl)
            : this.dispatch(method, rawUrl, text, requestId, true),
        );
      }
    } catch (e) {
      reply = this.errorReply(e, requestId);
    }
    if (record) record.status = reply.status;
    if (res.destroyed || res.writableEnded) return;
    const payload = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
    const clientRequestId = req.headers['client-request-id'];
    res.writeHead(reply.status, {
      ...(payload !== '' ? { 'Content-Type': JSON_TYPE } : {}),
      'request-id': requestId,
      'client-request-id': typeof clientRequestId === 'string' ? clientRequestId : requestId,
      'OData-Version': '4.0',
      ...reply.headers,
      'Content-Length': Buffer.byteLength(payload),
    });
    res.end(payload);
  }

  private errorReply(e: unknown, requestId: string): Reply {
    if (e instanceof GraphHttpError)
      return { status: e.status, headers: {}, body: errorBody(e.status, e.code, e.message, requestId) };
    // A bug in the sandbox: still a Graph-shaped answer, never a crash.
    const message = e instanceof Error ? e.message : String(e);
    return {
      status: 500,
      headers: {},
      body: errorBody(500, 'InternalServerError', `Sandbox error: ${message}`, requestId),
    };
  }

  private takeFault(target: string): ActiveFault | undefined {
    const fault = this.faults.find((f) => {
      if (typeof f.match === 'string') return target.includes(f.match);
      f.match.lastIndex = 0;
      return f.match.test(target);
    });
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  private async withFaults(target: string, requestId: string, handle: () => Promise<Reply>): Promise<Reply> {
    const fault = this.takeFault(target);
    if (fault?.delayMs) await this.sleep(fault.delayMs);
    if (fault?.status !== undefined) {
      const code = fault.code ?? ERROR_CODES[fault.status] ?? 'UnknownError';
      const message =
        fault.message ??
        (fault.status === 429 ? 'Please retry again later.' : `Injected fault: ${fault.status}.`);
      return {
        status: fault.status,
        headers: fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {},
        body: errorBody(fault.status, code, message, requestId),
      };
    }
    if (fault?.malformed) return { status: 200, headers: {}, raw: BROKEN_JSON };
    try {
      return await handle();
    } catch (e) {
      return this.errorReply(e, requestId);
    }
  }

  private async dispatch(
    method: string,
    rawUrl: string,
    text: string,
    requestId: string,
    topLevel: boolean,
  ): Promise<Reply> {
    const q = rawUrl.indexOf('?');
    const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = parseQuery(q === -1 ? '' : rawUrl.slice(q + 1));
    let body: unknown = undefined;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        throw badRequest(
          'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
        );
      }
    }
    const segments = rawPath
      .split('/')
      .slice(1)
      .map((s) => decode(s, 'the path'));
    if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
    if (segments[0] !== 'v1.0')
      throw badRequest(
        `The sandbox tenant serves Microsoft Graph v1.0 only (paths start with /v1.0/); got '${rawPath}'.`,
      );
    const rest = segments.slice(1);
    if (/^https?:$/i.test(rest[0] ?? ''))
      throw badRequest(
        `Resource not found for the segment '${rest[0]}'. An absolute URL was appended to the base URL: Graph SDK 3.x ` +
          'strips the host only from https:// URLs passed to api(), so follow a sandbox @odata.nextLink by passing ' +
          "the part after '/v1.0' (e.g. nextLink.slice(baseUrl.length + 'v1.0'.length)).",
      );
    if (rest.length === 1 && rest[0] === '$batch') {
      if (!topLevel) throw badRequest('A $batch request cannot contain another $batch.');
      if (method !== 'POST') throw methodNotAllowed();
      return this.batch(body);
    }
    const ctx: RouteContext = { method, rawPath, query, body, requestId };
    const reply = this.reports(normalise(rest), ctx);
    if (reply) return reply;
    return { status: 200, headers: {}, body: this.route(normalise(rest), ctx) };
  }

  // -- Reports: the Office activations report and the tenant's report settings ---------------------------------

  /** The answers that are not a JSON 200: a 302 to the report's CSV, a 204 for a settings update. */
  private reports(seg: string[], ctx: RouteContext): Reply | undefined {
    const [root, name, ...extra] = seg.map((s) => s.toLowerCase());
    if (root === 'reports' && name !== undefined && extra.length === 0) {
      if (name.replace(/\(\)$/, '') !== 'getoffice365activationsuserdetail')
        throw badRequest(
          `The sandbox tenant serves only the report getOffice365ActivationsUserDetail, not '${name}'.`,
        );
      if (ctx.method !== 'GET') throw methodNotAllowed();
      if (!this.tenant.data.officeActivations && this.activationsCsvOverride === undefined)
        throw badRequest('This sandbox tenant has no officeActivations data.');
      // Graph: 302 to a pre-authenticated download URL, valid for a few minutes, that needs no Authorization.
      const token = randomUUID().replace(/-/g, '');
      const now = Date.now();
      for (const [t, expires] of this.reportDownloads) if (expires <= now) this.reportDownloads.delete(t);
      this.reportDownloads.set(token, now + REPORT_DOWNLOAD_TTL_MS);
      return {
        status: 302,
        headers: { Location: `${this.url}${REPORT_DOWNLOAD_PATH}${token}`, 'Content-Type': 'text/plain' },
      };
    }
    if (root === 'admin' && name === 'reportsettings' && extra.length === 0) {
      if (ctx.method === 'GET')
        return {
          status: 200,
          headers: {},
          body: {
            '@odata.context': `${this.url}/v1.0/$metadata#admin/reportSettings/$entity`,
            displayConcealedNames: this.displayConcealedNames,
          },
        };
      if (ctx.method !== 'PATCH') throw methodNotAllowed();
      const conceal = (ctx.body as { displayConcealedNames?: unknown } | undefined)?.displayConcealedNames;
      if (typeof conceal !== 'boolean')
        throw badRequest('PATCH admin/reportSettings needs a body { "displayConcealedNames": true|false }.');
      this.displayConcealedNames = conceal;
      return { status: 204, headers: {} };
    }
    return undefined;
  }

  /** GET /data/download/{token}: the CSV, with a byte-order mark and CRLF line ends, as a file download. */
  private reportDownload(method: string, rawUrl: string): Reply {
    if (method !== 'GET') throw methodNotAllowed();
    const token = rawUrl.slice(REPORT_DOWNLOAD_PATH.length).split('?')[0];
    const expires = this.reportDownloads.get(token);
    if (expires === undefined || expires <= Date.now())
      throw new GraphHttpError(404, 'NotFound', 'The report download link does not exist or has expired.');
    return {
      status: 200,
      headers: { 'Content-Type': 'application/octet-stream' },
      raw: this.activationsCsvOverride ?? this.activationsCsv(),
    };
  }

  private activationsCsv(): string {
    const refreshDate = this.tenant.data.officeActivations!.reportRefreshDate;
    const conceal = (value: string): string =>
      this.displayConcealedNames ? createHash('md5').update(value).digest('hex').toUpperCase() : value;
    const lines = [
      ACTIVATIONS_REPORT_COLUMNS,
      ...this.tenant
        .officeActivationRows()
        .map((r) => [
          refreshDate,
          conceal(r.userPrincipalName),
          conceal(r.displayName),
          r.productType,
          r.lastActivatedDate ?? '',
          String(r.windows),
          String(r.mac),
          String(r.windows10Mobile),
          String(r.ios),
          String(r.android),
          r.activatedOnSharedComputer ? 'True' : 'False',
        ]),
    ];
    return '\uFEFF' + lines.map((fields) => fields.map(csvField).join(',')).join('\r\n') + '\r\n';
  }

  // -- Graph endpoints ----------------------------------------------------------------------------------------

  private route(seg: string[], ctx: RouteContext): unknown {
    const [root, key, sub, cast, ...extra] = seg;
    const lower = (s: string | undefined): string | undefined => s?.toLowerCase();
    const get = (): void => {
      if (ctx.method !== 'GET') throw methodNotAllowed();
    };
    const post = (): void => {
      if (ctx.method !== 'POST') throw methodNotAllowed();
    };
    const unknown = (): never => {
      throw badRequest(`Resource not found for the segment '${seg.join('/')}'.`);
    };
    switch (lower(root)) {
      case 'users': {
        if (key === undefined) {
          get();
          return this.listUsers(ctx);
        }
        const user = this.tenant.user(key);
        if (sub === undefined) {
          get();
          if (!user) throw notFound(key);
          this.rejectOptions(ctx, ['filter', 'top', 'skiptoken', 'orderby', 'expand', 'search']);
          return {
            '@odata.context': `${this.url}/v1.0/$metadata#users/$entity`,
            ...project(user, userType, ctx.query.options.get('select')),
          };
        }
        if (!user) throw notFound(key);
        if (extra.length > 0) unknown();
        switch (lower(sub)) {
          case 'checkmembergroups':
            if (cast !== undefined) unknown();
            post();
            return this.checkMemberGroups(user, ctx);
          case 'licensedetails':
            if (cast !== undefined) unknown();
            get();
            return this.licenseDetails(user);
          case 'memberof':
          case 'transitivememberof':
            get();
            return this.memberOf(user, lower(sub) === 'transitivememberof', cast, ctx);
        }
        return unknown();
      }
      case 'groups': {
        if (key === undefined) {
          get();
          return this.listGroups(ctx);
        }
        const group = this.tenant.group(key);
        if (!group) throw notFound(key);
        if (sub === undefined) {
          get();
          this.rejectOptions(ctx, ['filter', 'top', 'skiptoken', 'orderby', 'expand', 'search']);
          return {
            '@odata.context': `${this.url}/v1.0/$metadata#groups/$entity`,
            ...project(stripNotes(group, ['members']), groupType, ctx.query.options.get('select')),
          };
        }
        if (extra.length > 0) unknown();
        if (lower(sub) === 'members' || lower(sub) === 'transitivemembers') {
          get();
          return this.groupMembers(group, lower(sub) === 'transitivemembers', cast, ctx);
        }
        return unknown();
      }
      case 'subscribedskus': {
        get();
        if (sub !== undefined) unknown();
        this.rejectOptions(ctx, ['filter', 'orderby', 'expand', 'search', 'top', 'skiptoken']);
        const select = ctx.query.options.get('select');
        const skus = this.tenant.data.subscribedSkus.map((s) => project(stripNotes(s), skuType, select));
        if (key !== undefined) {
          const one = skus.find((s) => String(s.id ?? '').toLowerCase() === key.toLowerCase());
          const full = this.tenant.data.subscribedSkus.find((s) => s.id.toLowerCase() === key.toLowerCase());
          if (!full) throw notFound(key);
          return {
            '@odata.context': `${this.url}/v1.0/$metadata#subscribedSkus/$entity`,
            ...(one ?? project(stripNotes(full), skuType, select)),
          };
        }
        return { '@odata.context': `${this.url}/v1.0/$metadata#subscribedSkus`, value: skus };
      }
      case 'organization': {
        get();
        if (key !== undefined && key.toLowerCase() !== this.tenant.data.tenantId) throw notFound(key);
        const o = this.tenant.data.organization;
        const org = {
          id: this.tenant.data.tenantId,
          displayName: o.displayName,
          countryLetterCode: o.countryLetterCode ?? null,
          verifiedDomains: [{ name: o.defaultDomain, isDefault: true, isInitial: false, type: 'Managed' }],
        };
        return key === undefined ? { value: [org] } : org;
      }
      case 'admin': {
        if (lower(key) !== 'serviceannouncement') return unknown();
        get();
        if (lower(sub) === 'issues' && extra.length === 0) return this.issues(cast, ctx);
        if (lower(sub) === 'healthoverviews' && extra.length === 0) return this.healthOverviews(cast, ctx);
        return unknown();
      }
      case 'teams': {
        // GET /teams/{team-id}/channels/{channel-id}/messages/delta, with `lastModifiedDateTime gt` only.
        if (lower(sub) !== 'channels' || cast === undefined) return unknown();
        if (extra.length !== 2 || lower(extra[0]) !== 'messages' || lower(extra[1]) !== 'delta')
          return unknown();
        get();
        return this.channelMessagesDelta(key!, cast, ctx);
      }
      case 'rolemanagement': {
        if (lower(key) !== 'directory' || lower(sub) !== 'roleassignments' || cast !== undefined)
          return unknown();
        get();
        return this.roleAssignments(ctx);
      }
    }
    return unknown();
  }

  private channelMessagesDelta(teamId: string, channelId: string, ctx: RouteContext): Json {
    this.rejectOptions(ctx, ['orderby', 'search', 'skip', 'select']);
    const filter = ctx.query.options.get('filter');
    let after = -Infinity;
    if (filter !== undefined) {
      const m = /^\s*lastModifiedDateTime\s+gt\s+(\S+)\s*$/i.exec(filter);
      if (!m || Number.isNaN(Date.parse(m[1])))
        throw badRequest(
          `Invalid filter clause: only 'lastModifiedDateTime gt {dateTime}' is supported on delta.`,
        );
      after = Date.parse(m[1]);
    }
    const messages = (this.channelMessages.get(`${teamId.toLowerCase()}/${channelId}`) ?? []).filter(
      (m) => Date.parse(m.lastModifiedDateTime) > after,
    );
    const out = this.page(messages as unknown as Json[], ctx, 50, 50, 'Collection(chatMessage)');
    if (!out['@odata.nextLink']) out['@odata.deltaLink'] = `${this.url}${ctx.rawPath}?$deltatoken=sandbox`;
    return out;
  }

  /** 400 for query options an endpoint doesn't support (Graph would often ignore or reject them). */
  private rejectOptions(ctx: RouteContext, names: string[]): void {
    for (const n of names)
      if (ctx.query.options.has(n))
        throw badRequest(
          `The query option '$${n}' is not supported on this resource by the sandbox tenant.`,
          'Request_BadRequest',
        );
  }

  private page(items: Json[], ctx: RouteContext, defaultTop: number, maxTop: number, context: string): Json {
    this.rejectOptions(ctx, ['orderby', 'expand', 'search']);
    const top = parseTop(ctx.query, defaultTop, maxTop);
    const token = ctx.query.options.get('skiptoken');
    const skipText = ctx.query.options.get('skip');
    if (skipText !== undefined && !/^\d+$/.test(skipText))
      throw badRequest(`Invalid value '${skipText}' for $skip.`);
    const offset = token !== undefined ? decodeSkipToken(token) : Number(skipText ?? 0);
    const value = items.slice(offset, offset + top);
    const out: Json = { '@odata.context': `${this.url}/v1.0/$metadata#${context}` };
    if (ctx.query.options.get('count') === 'true' && token === undefined) out['@odata.count'] = items.length;
    if (offset + top < items.length) {
      const kept = ctx.query.raw.filter((p) => !/^\$?(skiptoken|skip)(=|$)/i.test(decode(p, 'the query')));
      out['@odata.nextLink'] =
        `${this.url}${ctx.rawPath}?${[...kept, `$skiptoken=${encodeSkipToken(offset + top)}`].join('&')}`;
    }
    out.value = value;
    return out;
  }

  private listUsers(ctx: RouteContext): Json {
    const filter = compileFilter(ctx.query.options.get('filter'), USER_FILTER);
    const select = ctx.query.options.get('select');
    const matched = this.tenant.users
      .filter((u) => !filter || filter(u))
      .map((u) => project(u, userType, select));
    return this.page(matched, ctx, 100, 999, 'users');
  }

  private listGroups(ctx: RouteContext): Json {
    const filter = compileFilter(ctx.query.options.get('filter'), GROUP_FILTER);
    const select = ctx.query.options.get('select');
    const matched = this.tenant.groups
      .map((g) => stripNotes(g, ['members']))
      .filter((g) => !filter || filter(g))
      .map((g) => project(g, groupType, select));
    return this.page(matched, ctx, 100, 999, 'groups');
  }

  private directoryObjects(ids: string[], cast: string | undefined, ctx: RouteContext): Json[] {
    const castType = cast?.toLowerCase();
    if (castType !== undefined && castType !== 'microsoft.graph.user' && castType !== 'microsoft.graph.group')
      throw badRequest(
        `The sandbox tenant can cast to microsoft.graph.user or microsoft.graph.group, not '${cast}'.`,
      );
    const select = ctx.query.options.get('select');
    const out: Json[] = [];
    for (const id of ids) {
      const group = this.tenant.group(id);
      if (group) {
        if (castType === 'microsoft.graph.user') continue;
        const item = project(stripNotes(group, ['members']), groupType, select);
        out.push(castType ? item : { '@odata.type': '#microsoft.graph.group', ...item });
        continue;
      }
      const user = this.tenant.user(id);
      if (!user || castType === 'microsoft.graph.group') continue;
      const item = project(user, userType, select);
      out.push(castType ? item : { '@odata.type': '#microsoft.graph.user', ...item });
    }
    return out;
  }

  private groupMembers(group: Json, transitive: boolean, cast: string | undefined, ctx: RouteContext): Json {
    this.rejectOptions(ctx, ['filter']);
    const id = String(group.id);
    const ids = transitive ? this.tenant.transitiveMembers(id) : this.tenant.directMembers(id);
    const context =
      cast?.toLowerCase() === 'microsoft.graph.user' ? 'users' : cast ? 'groups' : 'directoryObjects';
    return this.page(this.directoryObjects(ids, cast, ctx), ctx, 100, 999, context);
  }

  private memberOf(user: Json, transitive: boolean, cast: string | undefined, ctx: RouteContext): Json {
    this.rejectOptions(ctx, ['filter']);
    const id = String(user.id);
    const ids = transitive ? [...this.tenant.transitiveGroupsOf(id)] : this.tenant.directGroupsOf(id);
    if (cast !== undefined && cast.toLowerCase() !== 'microsoft.graph.group')
      throw badRequest(
        `The sandbox tenant models group memberships only (cast to microsoft.graph.group), not '${cast}'.`,
      );
    return this.page(
      this.directoryObjects(ids, cast, ctx),
      ctx,
      100,
      999,
      cast ? 'groups' : 'directoryObjects',
    );
  }

  private checkMemberGroups(user: Json, ctx: RouteContext): Json {
    const body = ctx.body as { groupIds?: unknown } | undefined;
    const ids = body?.groupIds;
    if (!Array.isArray(ids) || ids.some((g) => typeof g !== 'string' || g === ''))
      throw badRequest(
        'checkMemberGroups needs a body { "groupIds": ["…"] } with non-empty strings.',
        'Request_BadRequest',
      );
    if (ids.length > 20)
      throw badRequest('checkMemberGroups accepts at most 20 group ids.', 'Request_BadRequest');
    const groups = this.tenant.transitiveGroupsOf(String(user.id));
    return {
      '@odata.context': `${this.url}/v1.0/$metadata#Collection(Edm.String)`,
      value: (ids as string[]).filter((g) => groups.has(g.toLowerCase())),
    };
  }

  private licenseDetails(user: Json): Json {
    const states = (user.licenseAssignmentStates as { skuId: string; state: string }[]) ?? [];
    const value: Json[] = [];
    for (const a of (user.assignedLicenses as { skuId: string; disabledPlans: string[] }[]) ?? []) {
      if (!states.some((s) => s.skuId === a.skuId && s.state.startsWith('Active'))) continue;
      const sku = this.tenant.data.subscribedSkus.find((s) => s.skuId === a.skuId);
      if (!sku) continue;
      value.push({
        id: `${String(user.id)}_${sku.skuId}`,
        skuId: sku.skuId,
        skuPartNumber: sku.skuPartNumber,
        servicePlans: sku.servicePlans.map((p) => ({
          servicePlanId: p.servicePlanId,
          servicePlanName: p.servicePlanName,
          provisioningStatus: a.disabledPlans.includes(p.servicePlanId) ? 'Disabled' : p.provisioningStatus,
          appliesTo: p.appliesTo ?? 'User',
        })),
      });
    }
    return {
      '@odata.context': `${this.url}/v1.0/$metadata#users('${String(user.id)}')/licenseDetails`,
      value,
    };
  }

  private issues(id: string | undefined, ctx: RouteContext): Json {
    const all = this.tenant.data.serviceIssues.map((i) => stripNotes(i));
    const select = ctx.query.options.get('select');
    if (id !== undefined) {
      const issue = all.find((i) => String(i.id).toLowerCase() === id.toLowerCase());
      if (!issue) throw notFound(id);
      return project(issue, issueType, select);
    }
    const filter = compileFilter(ctx.query.options.get('filter'), ISSUE_FILTER);
    const matched = all.filter((i) => !filter || filter(i)).map((i) => project(i, issueType, select));
    return this.page(matched, ctx, 100, 1000, 'admin/serviceAnnouncement/issues');
  }

  private healthOverviews(name: string | undefined, ctx: RouteContext): Json {
    this.rejectOptions(ctx, ['filter']);
    const overview = (o: { id: string; service: string }): Json => {
      const open = this.tenant.data.serviceIssues
        .filter((i) => !i.isResolved && i.service === o.service)
        .sort((a, b) => String(b.startDateTime ?? '').localeCompare(String(a.startDateTime ?? '')));
      return { service: o.service, status: open[0]?.status ?? 'ServiceOperational', id: o.id };
    };
    const all = this.tenant.data.healthOverviews;
    if (name !== undefined) {
      const o = all.find(
        (x) => x.service.toLowerCase() === name.toLowerCase() || x.id.toLowerCase() === name.toLowerCase(),
      );
      if (!o) throw notFound(name);
      return overview(o);
    }
    return this.page(all.map(overview), ctx, 100, 1000, 'admin/serviceAnnouncement/healthOverviews');
  }

  private roleAssignments(ctx: RouteContext): Json {
    const filter = compileFilter(ctx.query.options.get('filter'), ROLE_FILTER);
    const select = ctx.query.options.get('select');
    const matched = this.tenant.data.roleAssignments
      .map((r) => stripNotes(r))
      .filter((r) => !filter || filter(r))
      .map((r) => project(r, roleAssignmentType, select));
    return this.page(matched, ctx, 100, 999, 'roleManagement/directory/roleAssignments');
  }

  // -- $batch -------------------------------------------------------------------------------------------------

  private async batch(body: unknown): Promise<Reply> {
    const requests = (body as { requests?: unknown } | undefined)?.requests;
    if (!Array.isArray(requests)) throw badRequest('Invalid batch payload: expected { "requests": [ … ] }.');
    if (requests.length === 0) throw badRequest('Invalid batch payload: "requests" is empty.');
    if (requests.length > 20) throw badRequest('The batch contains more than 20 requests; the limit is 20.');
    const seen = new Set<string>();
    const parts: { id: string; method: string; url: string; body: unknown; dependsOn: string[] }[] = [];
    for (const r of requests as Record<string, unknown>[]) {
      const id = r?.id;
      if (typeof id !== 'string' || id === '')
        throw badRequest('Every batch request needs a non-empty string "id".');
      if (seen.has(id.toLowerCase()))
        throw badRequest(`Batch request ids must be unique; '${id}' appears more than once.`);
      seen.add(id.toLowerCase());
      if (typeof r.method !== 'string' || typeof r.url !== 'string')
        throw badRequest(`Batch request '${id}' needs string "method" and "url".`);
      const dependsOn = r.dependsOn ?? [];
      if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string'))
        throw badRequest(`Batch request '${id}': "dependsOn" must be an array of ids.`);
      parts.push({
        id,
        method: r.method.toUpperCase(),
        url: r.url,
        body: r.body,
        dependsOn: dependsOn as string[],
      });
    }
    for (const p of parts)
      for (const d of p.dependsOn)
        if (!seen.has(d.toLowerCase()))
          throw badRequest(`Batch request '${p.id}' depends on unknown id '${d}'.`);

    const statusById = new Map<string, number>();
    const responses: Json[] = [];
    for (const p of parts) {
      const partRequestId = randomUUID();
      let reply: Reply;
      if (p.dependsOn.some((d) => (statusById.get(d.toLowerCase()) ?? 0) >= 400)) {
        reply = {
          status: 424,
          headers: {},
          body: errorBody(
            424,
            'FailedDependency',
            'The request depends on a request that failed.',
            partRequestId,
          ),
        };
      } else if (/^[a-z][a-z0-9+.-]*:/i.test(p.url)) {
        reply = this.errorReply(
          badRequest(`Batch request '${p.id}': the url must be relative, e.g. "/users/{id}".`),
          partRequestId,
        );
      } else {
        const url = p.url.startsWith('/') ? p.url : `/${p.url}`;
        const text = p.body === undefined ? '' : typeof p.body === 'string' ? p.body : JSON.stringify(p.body);
        reply = await this.withFaults(p.url, partRequestId, () =>
          this.dispatch(p.method, `/v1.0${url}`, text, partRequestId, false),
        );
      }
      statusById.set(p.id.toLowerCase(), reply.status);
      const headers: Record<string, string> = { 'Cache-Control': 'no-cache', ...reply.headers };
      if (reply.raw !== undefined || reply.body !== undefined) headers['Content-Type'] = JSON_TYPE;
      // A malformed part: its body is a cut-off JSON text (a string) instead of an object.
      responses.push({ id: p.id, status: reply.status, headers, body: reply.raw ?? reply.body });
    }
    return { status: 200, headers: {}, body: { responses } };
  }

  // -- /_sandbox control API ----------------------------------------------------------------------------------

  private control(method: string, rawUrl: string, text: string): Reply {
    const path = rawUrl.split('?')[0].replace(/\/+$/, '');
    const json = (): unknown => {
      try {
        return text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        throw badRequest('Body is not valid JSON.');
      }
    };
    if (path === '/_sandbox/health' && method === 'GET')
      return {
        status: 200,
        headers: {},
        body: {
          status: 'ok',
          url: this.url,
          tenantId: this.tenant.data.tenantId,
          users: this.tenant.users.length,
        },
      };
    if (path === '/_sandbox/requests') {
      if (method === 'GET') return { status: 200, headers: {}, body: { value: this.requests } };
      if (method === 'DELETE') {
        this.clearRequests();
        return { status: 204, headers: {} };
      }
    }
    if (path === '/_sandbox/faults') {
      if (method === 'GET')
        return {
          status: 200,
          headers: {},
          body: { value: this.faults.map((f) => ({ ...f, match: String(f.match) })) },
        };
      if (method === 'DELETE') {
        this.clearFaults();
        return { status: 204, headers: {} };
      }
      if (method === 'POST') {
        const b = json() as Record<string, unknown>;
        let match: RegExp | string;
        try {
          match =
            typeof b.matchRegex === 'string'
              ? new RegExp(b.matchRegex, typeof b.flags === 'string' ? b.flags : '')
              : (b.match as string);
        } catch (e) {
          throw badRequest(`Invalid matchRegex: ${(e as Error).message}`);
        }
        let fault: ActiveFault;
        try {
          fault = validateFault({ ...(b as unknown as SandboxFault), match });
        } catch (e) {
          throw badRequest((e as Error).message);
        }
        this.faults.push(fault);
        return { status: 201, headers: {}, body: { ...fault, match: String(fault.match) } };
      }
    }
    throw badRequest(
      'Sandbox control API: GET /_sandbox/health, GET|DELETE /_sandbox/requests, GET|POST|DELETE /_sandbox/faults.',
    );
  }
}

function validateFault(f: SandboxFault): ActiveFault {
  if (typeof f.match !== 'string' && !(f.match instanceof RegExp))
    throw new Error(
      'A fault needs "match": a string (substring of the raw path+query) or a RegExp ("matchRegex" over HTTP).',
    );
  if (f.status !== undefined && (!Number.isInteger(f.status) || f.status < 100 || f.status > 599))
    throw new Error(`Invalid fault status ${String(f.status)}.`);
  if (f.delayMs !== undefined && (typeof f.delayMs !== 'number' || !(f.delayMs >= 0)))
    throw new Error(`Invalid fault delayMs ${String(f.delayMs)}.`);
  if (f.retryAfter !== undefined && typeof f.retryAfter !== 'string')
    throw new Error('Fault retryAfter must be a string header value, e.g. "0.25".');
  if (f.times !== undefined && (!Number.isInteger(f.times) || f.times < 1))
    throw new Error(`Invalid fault times ${String(f.times)}: a positive integer, or absent for forever.`);
  if (f.status === undefined && !f.malformed && !f.delayMs)
    throw new Error('A fault needs at least one of status, malformed or delayMs.');
  return {
    match: f.match,
    status: f.status,
    retryAfter: f.retryAfter,
    delayMs: f.delayMs,
    malformed: f.malformed === true ? true : undefined,
    times: f.times,
    code: f.code,
    message: f.message,
    remaining: f.times ?? Number.POSITIVE_INFINITY,
  };
}

/** Where the activations report's CSV is downloaded from (Graph's is on reports.office.com, /data/download/…). */
const REPORT_DOWNLOAD_PATH = '/data/download/';
const REPORT_DOWNLOAD_TTL_MS = 5 * 60_000;
/** GDC api-reference/v1.0/api/reportroot-getoffice365activationsuserdetail.md, in this order. */
const ACTIVATIONS_REPORT_COLUMNS = [
  'Report Refresh Date',
  'User Principal Name',
  'Display Name',
  'Product Type',
  'Last Activated Date',
  'Windows',
  'Mac',
  'Windows 10 Mobile',
  'iOS',
  'Android',
  'Activated On Shared Computer',
];

/** A CSV field, quoted when it holds a comma, a quote, a line break or edge spaces (RFC 4180). */
function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** `users('x')` → `users`, `x` (the OData key form; quotes doubled inside). */
function normalise(segments: string[]): string[] {
  const out: string[] = [];
  for (const s of segments) {
    const m = /^([A-Za-z]+)\('((?:[^']|'')*)'\)$/.exec(s);
    if (m) out.push(m[1], m[2].replace(/''/g, "'"));
    else out.push(s);
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4 * 1024 * 1024)
      throw new GraphHttpError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
