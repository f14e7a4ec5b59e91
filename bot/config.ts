import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Configuration, read once from the environment by the composition root. Every problem names its variable;
 * secrets are never echoed (see redactedConfig).
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const booleanFlag = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return false;
    if (/^(true|1|yes)$/i.test(v)) return true;
    if (/^(false|0|no)$/i.test(v)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });

/** A Teams channel's conversation id (19:…@thread.tacv2); anything with spaces or a thread part is a mistake. */
const channelId = optionalString.pipe(
  z
    .string()
    .regex(
      /^[^\s;]+$/,
      'must be a channel conversation id such as 19:abc@thread.tacv2 (no spaces, no ;messageid=)',
    )
    .max(200)
    .optional(),
);

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const envSchema = z
  .object({
    PORT: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v === '' ? '3978' : v))
      .pipe(z.string().regex(/^\d+$/, 'must be a port number'))
      .transform(Number)
      .pipe(z.number().int().min(1, 'must be a port number').max(65535, 'must be a port number')),
    HOST: optionalString,
    ALLOW_UNAUTHENTICATED_REMOTE: booleanFlag,
    PUBLIC_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    MicrosoftAppType: optionalString.pipe(
      z.enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']).optional(),
    ),
    MicrosoftAppId: optionalString.pipe(z.string().regex(guid, 'must be a GUID').optional()),
    MicrosoftAppPassword: optionalString,
    MicrosoftAppTenantId: optionalString.pipe(z.string().regex(guid, 'must be a GUID').optional()),
    ALLOWED_TENANT_IDS: optionalString.transform((v, ctx) => {
      const ids = (v ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      for (const id of ids)
        if (!guid.test(id)) ctx.addIssue({ code: 'custom', message: `'${id}' is not a tenant GUID` });
      return ids.map((id) => id.toLowerCase());
    }),
    DATA_DIR: optionalString.transform((v) => v ?? './data'),
    SQLITE_SYNCHRONOUS: optionalString.pipe(z.enum(['normal', 'full']).optional()),
    AZURE_STORAGE_CONNECTION_STRING: optionalString,
    AZURE_STORAGE_ACCOUNT_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    AZURE_STORAGE_CONTAINER: optionalString.pipe(
      z
        .string()
        .regex(
          /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/,
          'must be a container name: 3-63 of a-z, 0-9 and -',
        )
        .optional(),
    ),
    NODE_ENV: optionalString,
    GRAPH_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    AZURE_TENANT_ID: optionalString.pipe(z.string().regex(guid, 'must be a GUID').optional()),
    AZURE_CLIENT_ID: optionalString.pipe(z.string().regex(guid, 'must be a GUID').optional()),
    AZURE_CLIENT_SECRET: optionalString,
    AZURE_CLIENT_CERTIFICATE_PATH: optionalString,
    AZURE_USE_MANAGED_IDENTITY: booleanFlag,
    ADMIN_GROUP_ID: optionalString.pipe(z.string().regex(guid, 'must be a GUID').optional()),
    LOG_LEVEL: optionalString.pipe(z.enum(['debug', 'info', 'warn', 'error']).optional()),
    APPLICATIONINSIGHTS_CONNECTION_STRING: optionalString.pipe(
      z
        .string()
        .regex(
          /(^|;)\s*(InstrumentationKey|IngestionEndpoint)=/i,
          'must be an Application Insights connection string',
        )
        .optional(),
    ),
    SUPPORT_CHANNEL_ID: channelId,
    SUPPORT_CHANNEL_ID_SIGNIN: channelId,
    SUPPORT_CHANNEL_ID_ACTIVATION: channelId,
    SUPPORT_CHANNEL_ID_ACCOUNT: channelId,
    SUPPORT_CHANNEL_ID_OTHER: channelId,
    SUPPORT_TEAM_GROUP_ID: optionalString.pipe(
      z.string().regex(guid, "must be the team's group id (a GUID: groupId= in the team's link)").optional(),
    ),
    SUPPORT_LANGUAGE: optionalString.pipe(z.enum(['ja', 'en']).optional()),
    STATS_RETENTION_DAYS: optionalString
      .transform((v) => v ?? '90')
      .pipe(z.string().regex(/^\d+$/, 'must be a number of days'))
      .transform(Number)
      .pipe(z.number().int().min(7, 'must be at least 7 days').max(3650, 'must be at most 3650 days')),
    SUPPORT_TIME_ZONE: optionalString.pipe(
      z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Tokyo').optional(),
    ),
  })
  .superRefine((env, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    const usesSecretOrCertificate = !!(env.AZURE_CLIENT_SECRET || env.AZURE_CLIENT_CERTIFICATE_PATH);
    if (env.AZURE_STORAGE_CONNECTION_STRING && env.AZURE_STORAGE_ACCOUNT_URL)
      problem('AZURE_STORAGE_ACCOUNT_URL', 'and AZURE_STORAGE_CONNECTION_STRING are both set: choose one');
    if (env.AZURE_CLIENT_SECRET && env.AZURE_CLIENT_CERTIFICATE_PATH)
      problem('AZURE_CLIENT_CERTIFICATE_PATH', 'and AZURE_CLIENT_SECRET are both set: choose one');
    if (usesSecretOrCertificate && !env.AZURE_TENANT_ID)
      problem('AZURE_TENANT_ID', 'is required with a client secret or certificate');
    if (usesSecretOrCertificate && !env.AZURE_CLIENT_ID)
      problem('AZURE_CLIENT_ID', 'is required with a client secret or certificate');
    const hasGraphCredential = usesSecretOrCertificate || env.AZURE_USE_MANAGED_IDENTITY;
    if (env.GRAPH_BASE_URL) {
      if (!hasGraphCredential && !isLoopbackUrl(env.GRAPH_BASE_URL))
        problem(
          'GRAPH_BASE_URL',
          `is '${env.GRAPH_BASE_URL}', which is not loopback, and no Graph credentials are set: the bot never sends a request without a token to a host that is not loopback`,
        );
      if (hasGraphCredential && !env.GRAPH_BASE_URL.startsWith('https://'))
        problem(
          'GRAPH_BASE_URL',
          'must be https:// when Graph credentials are set: the token must not travel in clear text',
        );
    }
    if (!hasGraphCredential && env.NODE_ENV === 'production')
      problem(
        'AZURE_CLIENT_ID',
        'and a client secret, certificate or managed identity are required when NODE_ENV=production (the sandbox tenant is sample data)',
      );
    if (hasGraphCredential && !env.MicrosoftAppId && env.HOST && !LOOPBACK_HOSTS.has(env.HOST))
      problem(
        'ALLOW_UNAUTHENTICATED_REMOTE',
        'cannot be combined with Graph credentials: anyone on the network could read licences as any user',
      );
    if (!env.MicrosoftAppId) {
      if (env.NODE_ENV === 'production')
        problem(
          'MicrosoftAppId',
          'is required when NODE_ENV=production: without it anyone could post to the bot',
        );
      if (env.HOST && !LOOPBACK_HOSTS.has(env.HOST) && !env.ALLOW_UNAUTHENTICATED_REMOTE)
        problem(
          'HOST',
          `is '${env.HOST}', which is not loopback; without MicrosoftAppId the bot has no authentication. Set MicrosoftAppId, or ALLOW_UNAUTHENTICATED_REMOTE=true to force it`,
        );
      return;
    }
    const appType = env.MicrosoftAppType ?? 'SingleTenant';
    if (!env.PUBLIC_BASE_URL)
      problem(
        'PUBLIC_BASE_URL',
        'is required when MicrosoftAppId is set: the download links on cards must reach users',
      );
    if (appType !== 'MultiTenant' && !env.MicrosoftAppTenantId)
      problem('MicrosoftAppTenantId', `is required for MicrosoftAppType=${appType}`);
    if (appType === 'UserAssignedMSI' && env.MicrosoftAppPassword)
      problem('MicrosoftAppPassword', 'must be empty for MicrosoftAppType=UserAssignedMSI');
    if (appType !== 'UserAssignedMSI' && !env.MicrosoftAppPassword)
      problem('MicrosoftAppPassword', `is required for MicrosoftAppType=${appType}`);
  });

export interface BotAuthSettings {
  MicrosoftAppType: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI';
  MicrosoftAppId: string;
  MicrosoftAppPassword: string;
  MicrosoftAppTenantId: string;
}

export type GraphCredentialConfig =
  | { kind: 'secret'; tenantId: string; clientId: string; secret: string }
  | { kind: 'certificate'; tenantId: string; clientId: string; certificatePath: string }
  | { kind: 'managedIdentity'; clientId?: string };

/**
 * How the bot reaches Microsoft Graph: with a credential (a real tenant), at a loopback URL without a token
 * (a test's fake Graph), or at the built-in sandbox tenant that the bot starts itself.
 */
export type GraphConfig =
  | { mode: 'credential'; baseUrl: string; credential: GraphCredentialConfig }
  | { mode: 'loopback'; baseUrl: string }
  | { mode: 'sandbox' };

/**
 * Where state, tickets, the outbox and the audit log live: an SQLite file in DATA_DIR (one instance), or an Azure
 * Blob Storage container that several instances share.
 */
export type StorageConfig =
  | { kind: 'sqlite'; durability: 'normal' | 'full' }
  | { kind: 'blob'; container: string; connectionString: string }
  | { kind: 'blob'; container: string; accountUrl: string; managedIdentityClientId?: string };

export interface AppConfig {
  port: number;
  host: string;
  /** True when requests are authenticated (MicrosoftAppId set). */
  authenticated: boolean;
  /** Listening off loopback without authentication, because someone forced it. */
  unauthenticatedRemote: boolean;
  publicBaseUrl: string;
  botAuth: BotAuthSettings;
  allowedTenantIds: string[];
  dataDir: string;
  storage: StorageConfig;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  graph: GraphConfig;
  /** Members of this group may query other users' licences, besides the admin roles. */
  adminGroupId?: string;
  support: SupportConfig;
  /** APPLICATIONINSIGHTS_CONNECTION_STRING: OpenTelemetry to Application Insights; off when unset. */
  telemetryConnectionString?: string;
}

export interface SupportConfig {
  /** SUPPORT_CHANNEL_ID and SUPPORT_CHANNEL_ID_<CATEGORY>. */
  channels: {
    default?: string;
    byCategory: Partial<Record<'signin' | 'activation' | 'account' | 'other', string>>;
    /** SUPPORT_TEAM_GROUP_ID: lets the outbox look in the configured channels through Graph. */
    teamGroupId?: string;
  };
  /** The language of the cards and notes in the support channel. */
  language: 'ja' | 'en';
  timeZone: string;
  /** Days of dashboard roll-ups kept (STATS_RETENTION_DAYS). */
  statsRetentionDays: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${String(issue.path[0] ?? 'environment')} ${issue.message}`),
    );
  }
  const e = result.data;
  const authenticated = !!e.MicrosoftAppId;
  const host = e.HOST ?? (authenticated ? '0.0.0.0' : '127.0.0.1');
  const displayHost =
    host === '0.0.0.0' || host === '::' ? 'localhost' : isIP(host) === 6 ? `[${host}]` : host;
  return {
    port: e.PORT,
    host,
    authenticated,
    unauthenticatedRemote: !authenticated && !LOOPBACK_HOSTS.has(host),
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${displayHost}:${e.PORT}`).replace(/\/+$/, ''),
    botAuth: {
      MicrosoftAppType: e.MicrosoftAppType ?? 'SingleTenant',
      MicrosoftAppId: e.MicrosoftAppId ?? '',
      MicrosoftAppPassword: e.MicrosoftAppPassword ?? '',
      MicrosoftAppTenantId: e.MicrosoftAppTenantId ?? '',
    },
    allowedTenantIds: e.ALLOWED_TENANT_IDS,
    dataDir: e.DATA_DIR,
    storage: storageConfig(e),
    logLevel: e.LOG_LEVEL ?? 'info',
    graph: graphConfig(e),
    adminGroupId: e.ADMIN_GROUP_ID?.toLowerCase(),
    support: {
      channels: {
        default: e.SUPPORT_CHANNEL_ID,
        byCategory: Object.fromEntries(
          (
            [
              ['signin', e.SUPPORT_CHANNEL_ID_SIGNIN],
              ['activation', e.SUPPORT_CHANNEL_ID_ACTIVATION],
              ['account', e.SUPPORT_CHANNEL_ID_ACCOUNT],
              ['other', e.SUPPORT_CHANNEL_ID_OTHER],
            ] as const
          ).filter(([, id]) => id !== undefined),
        ),
        teamGroupId: e.SUPPORT_TEAM_GROUP_ID?.toLowerCase(),
      },
      language: e.SUPPORT_LANGUAGE ?? 'ja',
      timeZone: e.SUPPORT_TIME_ZONE ?? 'Asia/Tokyo',
      statsRetentionDays: e.STATS_RETENTION_DAYS,
    },
    telemetryConnectionString: e.APPLICATIONINSIGHTS_CONNECTION_STRING,
  };
}

function storageConfig(e: z.infer<typeof envSchema>): StorageConfig {
  const container = e.AZURE_STORAGE_CONTAINER ?? 'signin-desk';
  if (e.AZURE_STORAGE_CONNECTION_STRING)
    return { kind: 'blob', container, connectionString: e.AZURE_STORAGE_CONNECTION_STRING };
  if (e.AZURE_STORAGE_ACCOUNT_URL)
    return {
      kind: 'blob',
      container,
      accountUrl: e.AZURE_STORAGE_ACCOUNT_URL,
      ...(e.AZURE_CLIENT_ID ? { managedIdentityClientId: e.AZURE_CLIENT_ID } : {}),
    };
  return { kind: 'sqlite', durability: e.SQLITE_SYNCHRONOUS ?? 'normal' };
}

function graphConfig(e: z.infer<typeof envSchema>): GraphConfig {
  const baseUrl = (e.GRAPH_BASE_URL ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
  if (e.AZURE_CLIENT_SECRET)
    return {
      mode: 'credential',
      baseUrl,
      credential: {
        kind: 'secret',
        tenantId: e.AZURE_TENANT_ID!,
        clientId: e.AZURE_CLIENT_ID!,
        secret: e.AZURE_CLIENT_SECRET,
      },
    };
  if (e.AZURE_CLIENT_CERTIFICATE_PATH)
    return {
      mode: 'credential',
      baseUrl,
      credential: {
        kind: 'certificate',
        tenantId: e.AZURE_TENANT_ID!,
        clientId: e.AZURE_CLIENT_ID!,
        certificatePath: e.AZURE_CLIENT_CERTIFICATE_PATH,
      },
    };
  if (e.AZURE_USE_MANAGED_IDENTITY)
    return {
      mode: 'credential',
      baseUrl,
      credential: { kind: 'managedIdentity', clientId: e.AZURE_CLIENT_ID },
    };
  return e.GRAPH_BASE_URL ? { mode: 'loopback', baseUrl } : { mode: 'sandbox' };
}

export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The configuration as it may be logged: secrets replaced. */
export function redactedConfig(config: AppConfig): Record<string, unknown> {
  return {
    ...config,
    botAuth: { ...config.botAuth, MicrosoftAppPassword: config.botAuth.MicrosoftAppPassword ? '***' : '' },
    storage:
      'connectionString' in config.storage ? { ...config.storage, connectionString: '***' } : config.storage,
    telemetryConnectionString: config.telemetryConnectionString ? '***' : undefined,
    graph:
      config.graph.mode === 'credential' && config.graph.credential.kind === 'secret'
        ? { ...config.graph, credential: { ...config.graph.credential, secret: '***' } }
        : config.graph,
  };
}
