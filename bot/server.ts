import { randomUUID } from 'node:crypto';
import restify from 'restify';
import type { Activity, TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type { AuthenticatedAdapter } from './authenticatedAdapter';
import { checkEnvelope } from './activityEnvelope';
import type { ContentCatalog } from '../core/content/catalog';
import { LANGUAGES } from '../core/language';
import { withCorrelation, type Logger } from './logger';

/** A readiness check that takes longer than this counts as unavailable. */
const READY_TIMEOUT_MS = 3000;

export interface ServerDeps {
  /** Requests are authenticated with the adapter's own settings before it runs the turn. */
  adapter: AuthenticatedAdapter;
  runTurn: (context: TurnContext) => Promise<void>;
  catalog: ContentCatalog;
  logger: Logger;
  /** Screenshots users pasted, copied so agents can open them (see AttachmentKeeper). */
  attachments?: {
    load(token: string): Promise<{ contentType: string; name: string; body: Buffer } | undefined>;
  };
  /** What `/readyz` checks: each dependency, answered within the probe's time limit. */
  readiness?: Record<string, () => Promise<unknown>>;
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
    const check = checkEnvelope(req.body);
    if (!check.ok) {
      res.send(400, { error: `Not an activity this bot accepts (${check.problem}).` });
      return;
    }
    const activityId = (req.body as { id?: unknown }).id;
    const correlationId = typeof activityId === 'string' ? activityId : randomUUID();
    const turn = withCorrelation(correlationId, () => handleActivity(req, res)).catch((error: Error) => {
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

  /**
   * Authenticates, then runs the turn. Every failure answers with a fixed body: 401 for a token that is missing or
   * wrong, 503 when the token cannot be checked (Microsoft's signing keys unreachable), never the error's text.
   */
  async function handleActivity(req: restify.Request, res: restify.Response): Promise<void> {
    const activity = req.body as Partial<Activity>;
    const header = req.headers.authorization;
    let authenticated;
    try {
      authenticated = await deps.adapter.authentication.authenticateRequest(
        activity as Activity,
        typeof header === 'string' ? header : '',
      );
    } catch (error) {
      if (isUnreachable(error)) {
        keysUnreachable.warn(error);
        res.send(503, { error: 'Authentication is unavailable right now. Try again later.' });
      } else {
        deps.logger.debug('request refused: authentication failed', {
          reason: error instanceof AuthenticationError ? 'token' : 'other',
        });
        res.send(401, { error: 'Unauthorized.' });
      }
      return;
    }
    const invoke = await deps.adapter.runAuthenticated(authenticated, activity as Activity, deps.runTurn);
    // An invoke nobody answered (a message extension, a task module, an unknown name) comes back as the SDK's
    // 501: it is the client asking for something this bot does not do, not a server fault.
    if (invoke?.status === 501) {
      deps.logger.warn('invoke this bot does not handle', { name: String(activity.name).slice(0, 64) });
      res.send(400, { error: 'This bot does not handle this kind of request.' });
      return;
    }
    if (invoke?.body !== undefined) res.send(invoke.status ?? 200, invoke.body);
    else res.send(invoke?.status ?? 200);
  }

  /** Once a minute at most: a key endpoint that is down must not flood the log, one line per request. */
  const keysUnreachable = onceAnInterval(60_000, (error: unknown) =>
    deps.logger.warn('cannot check tokens: the signing keys could not be fetched; answering 503', {
      code: (error as { code?: string })?.code ?? (error as Error)?.name,
    }),
  );

  server.get('/healthz', async (_req, res) => {
    res.send(closing ? 503 : 200, { status: closing ? 'stopping' : 'ok' });
  });

  // Ready: storage and Graph answer (load balancers and App Service health checks use this; /healthz stays cheap).
  server.get('/readyz', async (_req, res) => {
    const checks = Object.entries(deps.readiness ?? {});
    const results = await Promise.all(
      checks.map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS);
        });
        try {
          await Promise.race([check(), timeout]);
          return [name, 'ok'] as const;
        } catch (error) {
          deps.logger.warn('not ready', { dependency: name, error: (error as Error).name });
          return [name, 'unavailable'] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const ready = !closing && results.every(([, state]) => state === 'ok');
    res.send(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...Object.fromEntries(results) });
  });

  // Scripts are the same in every language; the file name is looked up, never used as a path.
  const scriptNamed = (fileName: unknown) =>
    deps.catalog.flow(LANGUAGES[0]).scriptByFileName(String(fileName ?? ''));

  server.get('/downloads/:fileName', async (req, res) => {
    const script = scriptNamed(req.params.fileName);
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

  // The same scripts as text, for the "Check my PC" one-liner (`irm … `): UTF-8 declared so Windows PowerShell 5.1
  // decodes the Japanese messages, and no BOM, which would be read as part of the first command.
  server.get('/scripts/:fileName', async (req, res) => {
    const script = scriptNamed(req.params.fileName);
    if (!script) {
      res.send(404, { error: 'No such file' });
      return;
    }
    const body = Buffer.from(deps.catalog.scriptText(script.id), 'utf8');
    res.writeHead(200, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': body.length,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
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

/** A network failure while fetching OpenID metadata or keys, as opposed to a token that is simply wrong. */
function isUnreachable(error: unknown): boolean {
  if (error instanceof AuthenticationError) return false;
  const e = error as { code?: string; type?: string; name?: string; message?: string };
  return (
    e?.type === 'system' ||
    e?.name === 'FetchError' ||
    /^(ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/.test(
      e?.code ?? '',
    ) ||
    /request to .* failed|fetch failed|getaddrinfo|socket hang up/i.test(e?.message ?? '')
  );
}

function onceAnInterval<A extends unknown[]>(
  intervalMs: number,
  act: (...args: A) => void,
): { warn(...args: A): void } {
  let last = -Infinity;
  return {
    warn(...args: A) {
      const now = Date.now();
      if (now - last < intervalMs) return;
      last = now;
      act(...args);
    },
  };
}
