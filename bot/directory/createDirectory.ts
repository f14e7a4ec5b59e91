import type { TokenCredential } from '@azure/identity';
import type { GraphConfig, GraphCredentialConfig } from '../config';
import type { Logger } from '../logger';
import type { Telemetry } from '../telemetry';
import { GraphDirectory } from './graphDirectory';
import type * as Sandbox from '../../sandbox/sandboxGraphServer';

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

function credentialFor(config: GraphCredentialConfig): TokenCredential {
  // Loaded only with credentials: the sandbox tenant and tests never need @azure/identity (start-up, memory).
  const { ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@azure/identity') as typeof import('@azure/identity');
  switch (config.kind) {
    case 'secret':
      return new ClientSecretCredential(config.tenantId, config.clientId, config.secret);
    case 'certificate':
      return new ClientCertificateCredential(config.tenantId, config.clientId, {
        certificatePath: config.certificatePath,
      });
    case 'managedIdentity':
      return config.clientId
        ? new ManagedIdentityCredential({ clientId: config.clientId })
        : new ManagedIdentityCredential();
  }
}

/**
 * The directory the bot talks to: a real tenant through an Azure credential, a loopback Graph without a token,
 * or the built-in sandbox tenant, started here on loopback (always over HTTP, like the real thing).
 */
export async function createDirectory(
  config: GraphConfig,
  logger: Logger,
  telemetry?: Telemetry,
): Promise<{ directory: GraphDirectory; close: () => Promise<void> }> {
  if (config.mode === 'credential') {
    const credential = credentialFor(config.credential);
    const authProvider = {
      async getAccessToken(): Promise<string> {
        const token = await credential.getToken(GRAPH_SCOPE);
        if (!token) throw new Error('No Graph token');
        return token.token;
      },
    };
    return {
      directory: new GraphDirectory({ baseUrl: config.baseUrl, authProvider, logger, telemetry }),
      close: async () => {},
    };
  }
  if (config.mode === 'loopback') {
    return {
      directory: new GraphDirectory({ baseUrl: config.baseUrl, logger, telemetry }),
      close: async () => {},
    };
  }
  // Loaded only here: a deployment with credentials never loads the sample tenant or its server. A plain
  // require, because the compiled build is CommonJS and tsx's require hook does not see dynamic import().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SandboxGraphServer } = require('../../sandbox/sandboxGraphServer') as typeof Sandbox;
  const sandbox = await SandboxGraphServer.start({ port: 0, host: '127.0.0.1' });
  logger.warn('no Graph credentials: using the built-in sandbox tenant (sample data)', { url: sandbox.url });
  return {
    directory: new GraphDirectory({ baseUrl: sandbox.url, logger, telemetry }),
    close: () => sandbox.close(),
  };
}
