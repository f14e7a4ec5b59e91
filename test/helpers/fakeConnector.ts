import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  body: Record<string, unknown>;
  authorization?: string;
  /** The HTTP status the fake answered with. */
  status?: number;
  /** The conversation id from the path, decoded (for /v3/conversations/{id}/activities…). */
  conversationId?: string;
  /** The call took effect although the bot got an error (an answer lost on the way back). */
  delivered?: boolean;
}

interface Failure {
  match: (call: RecordedCall) => boolean;
  status: number;
  remaining: number;
  headers?: Record<string, string>;
  /** Carry the call out, then answer with the failure. */
  afterEffect?: boolean;
}

/**
 * A loopback stand-in for the Bot Connector service (the activity's serviceUrl): it records every call the
 * bot makes and answers like the real one. It can also serve OpenID metadata and a JWKS for auth tests.
 */
export class FakeConnector {
  readonly calls: RecordedCall[] = [];
  /** Delay before answering an outbound activity, to hold a turn in flight. */
  replyDelayMs = 0;
  openIdMetadata?: Record<string, unknown>;
  jwks?: Record<string, unknown>;
  private server?: Server;
  private nextId = 1;
  private waiters: { count: number; resolve: () => void }[] = [];
  private failures: Failure[] = [];
  /** Files served at /v3/attachments/{id}/views/{view}, as Teams serves pasted images to the bot. */
  readonly files = new Map<string, { contentType: string; body: Buffer }>();
  /** Sign-in names answered at GET /v3/conversations/{id}/members/{userId} (TeamsInfo.getMember); others 404. */
  readonly upns = new Map<string, string>();
  private predicateWaiters: { test: () => boolean; resolve: () => void }[] = [];
  /** Told of every new thread posted in a channel (tests mirror them into the sandbox's Graph). */
  onThreadCreated?: (thread: {
    channelId: string;
    activityId: string;
    activity: Record<string, unknown>;
  }) => void;

  /** Answers the next `times` matching calls with `status` (e.g. 429 with Retry-After, 500, 403). */
  failNext(
    match: (call: RecordedCall) => boolean,
    status: number,
    times = 1,
    headers?: Record<string, string>,
  ): void {
    this.failures.push({ match, status, remaining: times, headers });
  }

  /** Carries out the next `times` matching calls, then answers them with `status`, as if the answer was lost. */
  loseAnswerOfNext(match: (call: RecordedCall) => boolean, status: number, times = 1): void {
    this.failures.push({ match, status, remaining: times, afterEffect: true });
  }

  /** Calls that took effect (whatever the bot was told). */
  get succeeded(): RecordedCall[] {
    return this.calls.filter((c) => (c.status ?? 200) < 300 || c.delivered);
  }

  /** Successful posts of new threads in channels (POST /v3/conversations). */
  get createdThreads(): RecordedCall[] {
    return this.succeeded.filter((c) => c.method === 'POST' && c.path === '/v3/conversations');
  }

  /** Successful messages posted to one conversation, typing indicators left out. */
  postsTo(conversationId: string): Record<string, unknown>[] {
    return this.succeeded
      .filter(
        (c) => c.method === 'POST' && c.conversationId === conversationId && /\/activities/.test(c.path),
      )
      .map((c) => c.body)
      .filter((body) => body.type !== 'typing');
  }

  /** Successful card updates (PUT …/activities/{id}). */
  get updates(): RecordedCall[] {
    return this.succeeded.filter((c) => c.method === 'PUT');
  }

  /** Resolves once `test` holds, checked after every call. */
  waitFor(test: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.predicateWaiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** What the bot sent to conversations (replies and new messages), in order; typing indicators left out. */
  get activities(): Record<string, unknown>[] {
    return this.calls
      .filter((c) => c.method === 'POST' && /\/v3\/conversations\/.+\/activities/.test(c.path))
      .map((c) => c.body)
      .filter((body) => body.type !== 'typing');
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Resolves once the bot has posted at least `count` activities in total. */
  waitForActivities(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.activities.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.activities.length} of ${count} activities arrived`)),
        timeoutMs,
      );
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === '/openid' && this.openIdMetadata)
      return send(200, this.openIdMetadata);
    if (req.method === 'GET' && path === '/jwks' && this.jwks) return send(200, this.jwks);
    const member = /^\/v3\/conversations\/[^/]+\/members\/([^/?]+)$/.exec(path);
    if (req.method === 'GET' && member) {
      const id = decodeURIComponent(member[1]);
      const upn = this.upns.get(id);
      this.calls.push({ method: 'GET', path, body: {}, status: upn ? 200 : 404 });
      if (!upn) return send(404, { error: { code: 'MemberNotFound' } });
      return send(200, { id, name: 'member', userPrincipalName: upn, email: upn });
    }
    const file = /^\/v3\/attachments\/([^/]+)\/views\/[^/]+$/.exec(path);
    if (req.method === 'GET' && file) {
      const served = this.files.get(decodeURIComponent(file[1]));
      this.calls.push({ method: 'GET', path, body: {}, status: served ? 200 : 404 });
      if (!served) return send(404, { error: { code: 'NotFound' } });
      res.writeHead(200, { 'Content-Type': served.contentType, 'Content-Length': served.body.length });
      res.end(served.body);
      return;
    }

    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return send(400, { error: 'bad json' });
    }
    if (this.replyDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.replyDelayMs));
    const conversationMatch = /^\/v3\/conversations\/([^/]+)\/activities/.exec(path);
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path,
      body,
      authorization: req.headers.authorization,
      conversationId: conversationMatch ? decodeURIComponent(conversationMatch[1]) : undefined,
    };
    const failure = this.failures.find((f) => f.remaining > 0 && f.match(call));
    let status: number;
    let answer: unknown;
    if (failure && !failure.afterEffect) {
      failure.remaining--;
      status = failure.status;
      answer = { error: { code: 'Injected', message: `injected ${status}` } };
      for (const [name, value] of Object.entries(failure.headers ?? {})) res.setHeader(name, value);
    } else if (call.method === 'POST' && path === '/v3/conversations') {
      // A new thread in a channel: Teams answers with the thread's conversation id and the root message id.
      const channel = (body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id ?? 'chat';
      const activityId = String(this.nextId++);
      status = 201;
      answer = { id: `${channel};messageid=${activityId}`, activityId };
      this.onThreadCreated?.({
        channelId: channel,
        activityId,
        activity: (body.activity as Record<string, unknown> | undefined) ?? {},
      });
    } else {
      status = call.method === 'POST' ? 201 : 200;
      answer = { id: `activity-${this.nextId++}` };
    }
    if (failure?.afterEffect) {
      failure.remaining--;
      call.delivered = true;
      status = failure.status;
      answer = { error: { code: 'Injected', message: `injected ${status} after the call took effect` } };
    }
    call.status = status;
    this.calls.push(call);
    this.waiters = this.waiters.filter((w) =>
      this.activities.length >= w.count ? (w.resolve(), false) : true,
    );
    this.predicateWaiters = this.predicateWaiters.filter((w) => (w.test() ? (w.resolve(), false) : true));
    send(status, answer);
  }
}

/** A Teams-shaped message activity aimed at the bot, replying to `serviceUrl`. */
export function teamsMessage(
  serviceUrl: string,
  fields: { text?: string; value?: Record<string, unknown>; locale?: string; id?: string } = {},
): Record<string, unknown> {
  return {
    type: 'message',
    id: fields.id ?? `msg-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl: serviceUrl + '/',
    locale: fields.locale ?? 'ja-JP',
    text: fields.text ?? '',
    ...(fields.value ? { value: fields.value } : {}),
    from: { id: '29:user-1', name: '佐藤 花子', aadObjectId: '1a000000-0000-4000-8000-000000000001' },
    recipient: { id: '28:sign-in-desk', name: 'Sign-in Desk' },
    conversation: {
      id: 'a:personal-conversation-1',
      conversationType: 'personal',
      tenantId: '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
    },
    channelData: { tenant: { id: '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0' } },
  };
}

export async function postActivity(
  botUrl: string,
  activity: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(activity),
  });
  return { status: response.status, body: await response.text() };
}
