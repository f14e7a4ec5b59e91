import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { projectRoot } from '../../bot/paths';
import { BlobStorage } from '../../bot/storage/blobStorage';
import { freePort } from './ports';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * Azurite's Blob service on loopback, in memory, started by the test (npm `azurite`). Telemetry is off: the
 * tests never reach the internet.
 */
export class Azurite {
  private process?: ChildProcess;
  connectionString = '';

  async start(): Promise<this> {
    const port = await freePort();
    const bin = join(projectRoot(), 'node_modules', '.bin', 'azurite-blob');
    const child = spawn(
      bin,
      [
        '--blobHost',
        '127.0.0.1',
        '--blobPort',
        String(port),
        '--inMemoryPersistence',
        '--disableTelemetry',
        '--skipApiVersionCheck',
        '--loose',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`Azurite did not start: ${output}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('successfully listens')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`Azurite exited (${code}): ${output}`)));
    });
    this.connectionString =
      `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
      `BlobEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`;
    return this;
  }

  /** A new, empty container (a fresh store for one test). */
  container(name = `t${randomUUID().replace(/-/g, '').slice(0, 20)}`): ContainerClient {
    return BlobServiceClient.fromConnectionString(this.connectionString).getContainerClient(name);
  }

  async storage(name?: string): Promise<BlobStorage> {
    const storage = new BlobStorage(this.container(name));
    await storage.open();
    return storage;
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
