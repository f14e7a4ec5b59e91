import restify from 'restify';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { ContentCatalog } from '../core/content/catalog';
import { LANGUAGES } from '../core/language';
import type { Logger } from './logger';

export interface ServerDeps {
  adapter: CloudAdapter;
  runTurn: (context: TurnContext) => Promise<void>;
  catalog: ContentCatalog;
  logger: Logger;
  /** Screenshots users pasted, copied so agents can open them (see AttachmentKeeper). */
  attachments?: {
    load(token: string): Promise<{ contentType: string; name: string; body: Buffer } | undefined>;
  };
  /** Runs once no more turns can start (stops background work such as the ticket outbox). */
  onClose?: () => void | Promise<void>;
}

export interface BotServer {
  server: restify.Server;
  listen(port: number, host: string): Promise<{ port: number; host: string }>;
  /** Stops accepting requests, waits for turns in flight (up to the timeout), then closes the listener. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * A script as users download it: UTF-8 with BOM and CRLF. Windows PowerShell 5.1 reads a BOM-less file as
 * the ANSI code page, which is what garbles the script on Japanese Windows.
 */
export function scriptDownloadBody(text: string): Buffer {
  return Buffer.from('\uFEFF' + text.replace(/\r?\n/g, '\r\n'), 'utf8');
}

export function createServer(deps: ServerDeps): BotServer {
  const server = restify.createServer({ name: 'signin-desk', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 * 1024 }));
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  server.post('/api/messages', async (req, res) => {
    if (closing) {
      res.send(503, { error: 'shutting down' });
      return;
    }
    const body = req.body as { type?: unknown } | undefined;
    if (!body || typeof body !== 'object' || typeof body.type !== 'string') {
      res.send(400, { error: 'The request body must be an activity with a type.' });
      return;
    }
    const turn = deps.adapter.process(req, res, deps.runTurn).catch((error: Error) => {
      deps.logger.error('request failed outside a turn', { error });
      if (!res.headersSent) res.send(500, { error: 'The request could not be processed.' });
    });
    inFlight.add(turn);
    try {
      await turn;
    } finally {
      inFlight.delete(turn);
    }
  });

  server.get('/healthz', async (_req, res) => {
    res.send(closing ? 503 : 200, { status: closing ? 'stopping' : 'ok' });
  });

  server.get('/downloads/:fileName', async (req, res) => {
    const fileName = String(req.params.fileName ?? '');
    const script = deps.catalog.flow(LANGUAGES[0]).scriptByFileName(fileName);
    if (!script) {
      res.send(404, { error: 'No such file' });
      return;
    }
    const body = scriptDownloadBody(deps.catalog.scriptText(script.id));
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename="${script.fileName}"`,
      'Content-Length': body.length,
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(body);
  });

  server.get('/attachments/:token', async (req, res) => {
    const file = await deps.attachments?.load(String(req.params.token ?? ''));
    if (!file) {
      res.send(404, { error: 'No such file' });
      return;
    }
    res.writeHead(200, {
      'Content-Type': file.contentType,
      'Content-Length': file.body.length,
      'Content-Disposition': `inline; filename="${file.name.replace(/[^\w.-]/g, '_')}"`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, max-age=3600',
    });
    res.end(file.body);
  });

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve({ port: address.port, host });
        });
      });
    },
    async close(timeoutMs = 10_000) {
      closing = true;
      const stopListening = new Promise<void>((resolve) => server.close(() => resolve()));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)),
      );
      const drained = Promise.all([...inFlight]).then(() => 'drained' as const);
      if ((await Promise.race([drained, timedOut])) === 'timeout')
        deps.logger.warn('shutdown timed out with turns still running', { turns: inFlight.size });
      clearTimeout(timer);
      await deps.onClose?.();
      await Promise.race([stopListening, new Promise((resolve) => setTimeout(resolve, 1000))]);
    },
  };
}
