import { join } from 'node:path';
import { ManagedIdentityCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import type { StorageConfig } from '../config';
import type { Logger } from '../logger';
import { logAzureStorageRetries } from './azureSdkRetries';
import { BlobStorage } from './blobStorage';
import type { CreateOnlyStorage } from './createOnly';
import { SqliteStorage } from './sqliteStorage';

/** The configured storage, opened: the SQLite file (one instance) or the shared Blob container (several). */
export async function openStorage(
  config: StorageConfig,
  dataDir: string,
  logger: Logger,
): Promise<CreateOnlyStorage & { close?: () => void }> {
  if (config.kind === 'sqlite') return new SqliteStorage(join(dataDir, 'state.sqlite'));
  logAzureStorageRetries(logger);
  const service =
    'connectionString' in config
      ? BlobServiceClient.fromConnectionString(config.connectionString)
      : new BlobServiceClient(
          config.accountUrl,
          new ManagedIdentityCredential(
            config.managedIdentityClientId ? { clientId: config.managedIdentityClientId } : {},
          ),
        );
  const storage = new BlobStorage(service.getContainerClient(config.container));
  await storage.open();
  return storage;
}
