import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a bot sent into one conversation, newest last (only the last few are kept). */
type Sent = Record<string, unknown>[];

/**
 * The Teams side of the benchmark: a loopback Bot Connector that accepts every reply at once (and remembers the
 * last few per conversation, so a simulated user can click the buttons of the card it got), plus the sender of
 * user activities. Both bots talk to the same one. Not the tests' FakeConnector: that one records every call,
 * which over tens of thousands of turns would measure the fake's memory rather than the bot's.
 */
export class FakeTeams {
  private server?: Server;
  private readonly sent = new Map<string, Sent>();
  private nextId = 1;
  /** Channel posts, card updates and personal messages, for the run's sanity checks. */
  received = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received++;
        const path = req.url ?? '/';
        let body: Record<string, unknown> = {};
        try {
          body = chunks.length
            ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
            : {};
        } catch {
          // a reply the benchmark does not need to read
        }
        const id = String(this.nextId++);
        const conversation = /^\/v3\/conversations\/([^/]+)\/activities/.exec(path);
        if (conversation && req.method === 'POST' && body.type !== 'typing') {
          const key = decodeURIComponent(conversation[1]);
          const list = this.sent.get(key) ?? [];
          list.push(body);
          this.sent.set(key, list.slice(-4));
        }
        res.writeHead(req.method === 'GET' ? 404 : 200, { 'Content-Type': 'application/json' });
        const channel = (body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id ?? 'c';
        res.end(
          JSON.stringify(
            path === '/v3/conversations' ? { id: `${channel};messageid=${id}`, activityId: id } : { id },
          ),
        );
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** The data of every Action.Submit / Action.Execute on the cards last sent to a conversation. */
  buttons(conversationId: string): Record<string, unknown>[] {
    const found: Record<string, unknown>[] = [];
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (
          (o.type === 'Action.Submit' || o.type === 'Action.Execute') &&
          o.data &&
          typeof o.data === 'object'
        )
          found.push(o.data as Record<string, unknown>);
        Object.values(o).forEach(visit);
      }
    };
    visit(this.sent.get(conversationId)?.at(-1));
    return found;
  }

  forget(conversationId: string): void {
    this.sent.delete(conversationId);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** A Teams personal-chat activity from a user, as the channel would post it to the bot. */
export function userActivity(
  serviceUrl: string,
  user: { id: string; aadObjectId: string },
  conversationId: string,
  content: { text?: string; value?: Record<string, unknown> },
): Record<string, unknown> {
  return {
    type: 'message',
    id: `b-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl: `${serviceUrl}/`,
    locale: 'ja-JP',
    text: content.text ?? '',
    ...(content.value ? { value: content.value } : {}),
    from: { id: user.id, name: 'ベンチ ユーザー', aadObjectId: user.aadObjectId },
    recipient: { id: '28:sign-in-desk', name: 'Sign-in Desk' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: BENCH_TENANT },
    channelData: { tenant: { id: BENCH_TENANT } },
  };
}

export const BENCH_TENANT = '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
