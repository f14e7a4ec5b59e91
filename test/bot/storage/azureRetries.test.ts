import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../../../bot/logger';
import { openStorage } from '../../../bot/storage/openStorage';
import { Azurite } from '../../helpers/azurite';

/**
 * The Azure SDK retries a throttled or failed Blob request by itself; the bot's log must still show it. A loopback
 * proxy in front of Azurite answers the first write with 503 (Server Busy), as a throttling account does.
 */
describe('Azure Blob Storage retries are logged', function () {
  this.timeout(60_000);
  let azurite: Azurite;
  let proxy: Server;

  before(async () => {
    azurite = await new Azurite().start();
  });
  after(async () => {
    proxy?.close();
    await azurite.stop();
  });

  it('a 503 that the SDK retries is a warning with its reason; the write still lands', async () => {
    const target = new URL(/BlobEndpoint=([^;]+)/.exec(azurite.connectionString)![1]);
    let busy = 1;
    proxy = createServer((req, res) => {
      if (req.method === 'PUT' && busy-- > 0) {
        req.resume();
        // Two calls: restify, loaded by other tests in this process, makes writeHead return nothing.
        res.writeHead(503, { 'x-ms-error-code': 'ServerBusy' });
        res.end();
        return;
      }
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as AddressInfo).port;
    const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
    const logger: Logger = {
      ...silentLogger,
      warn: (message: string, fields?: Record<string, unknown>) => void warnings.push({ message, fields }),
    };
    const connectionString = azurite.connectionString.replace(`:${target.port}/`, `:${port}/`);
    const storage = await openStorage(
      { kind: 'blob', container: `retries${Date.now()}`, connectionString },
      '/nonexistent',
      logger,
    );
    await storage.write({ 'some/key': { value: 1 } });
    assert.deepEqual((await storage.read(['some/key']))['some/key']?.value, 1);
    assert.ok(
      warnings.some(
        (w) =>
          w.message === 'Azure Storage request will be retried' &&
          /status code 503/.test(String(w.fields?.reason)),
      ),
      JSON.stringify(warnings),
    );
  });
});
