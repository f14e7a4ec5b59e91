import { join } from 'node:path';
import type { StorageConfig } from '../config';
import type { Logger } from '../logger';
import type * as AzureSdkRetries from './azureSdkRetries';
import type * as Blob from './blobStorage';
import type { CreateOnlyStorage } from './createOnly';
import { SqliteStorage } from './sqliteStorage';

/** The configured storage, opened: the SQLite file (one instance) or the shared Blob container (several). */
export async function openStorage(
  config: StorageConfig,
  dataDir: string,
  logger: Logger,
): Promise<CreateOnlyStorage & { close?: () => void }> {
  if (config.kind === 'sqlite') return new SqliteStorage(join(dataDir, 'state.sqlite'), config.durability);
  // The Azure SDKs are loaded only for the Blob backend: an SQLite start does not pay for them.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { BlobServiceClient } = require('@azure/storage-blob') as typeof import('@azure/storage-blob');
  const { ManagedIdentityCredential } = require('@azure/identity') as typeof import('@azure/identity');
  const { BlobStorage } = require('./blobStorage') as typeof Blob;
  const { logAzureStorageRetries } = require('./azureSdkRetries') as typeof AzureSdkRetries;
  /* eslint-enable @typescript-eslint/no-require-imports */
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
