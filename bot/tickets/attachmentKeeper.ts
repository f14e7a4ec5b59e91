import { randomBytes } from 'node:crypto';
import type { Storage, TurnContext } from 'botbuilder';
import type { Attachment } from '../../core/tickets/ticket';
import type { Logger } from '../logger';

/** Teams hands pasted images to bots as /v3/attachments/{id}/views/{view} links that only the bot can read. */
const BOT_ATTACHMENT = /\/v3\/attachments\/([^/?#]+)\/views\/([^/?#]+)/;
const MAX_BYTES = 5 * 1024 * 1024;
const ALLOWED_TYPES = /^image\/(png|jpeg|gif|bmp|webp)$/;

interface KeptFile {
  contentType: string;
  name: string;
  base64: string;
}

interface AttachmentsApi {
  attachments: {
    getAttachment(
      id: string,
      view: string,
    ): Promise<{
      readableStreamBody?: NodeJS.ReadableStream;
      _response: { headers: { get(name: string): string | undefined } };
    }>;
  };
}

/**
 * Makes a user's screenshot something an agent can open. A pasted image is readable only with the bot's token,
 * so the bot copies it (while the user's turn is running) into its storage and links to its own address under
 * an unguessable name. Other links (files shared from OneDrive or SharePoint) are passed on as they are.
 */
export class AttachmentKeeper {
  constructor(
    private readonly storage: Storage,
    private readonly publicBaseUrl: string,
    private readonly logger: Logger,
  ) {}

  async keep(context: TurnContext, links: Attachment[]): Promise<Attachment[]> {
    return Promise.all(links.map((link) => this.keepOne(context, link)));
  }

  /** The stored image for GET /attachments/:token, if there is one. */
  async load(token: string): Promise<{ contentType: string; name: string; body: Buffer } | undefined> {
    if (!/^[0-9a-f]{32}$/.test(token)) return undefined;
    const key = `attachments/${token}`;
    const item = (await this.storage.read([key]))[key] as KeptFile | undefined;
    return item
      ? { contentType: item.contentType, name: item.name, body: Buffer.from(item.base64, 'base64') }
      : undefined;
  }

  private async keepOne(context: TurnContext, link: Attachment): Promise<Attachment> {
    const match = BOT_ATTACHMENT.exec(link.url);
    const connector = context.turnState.get<AttachmentsApi | undefined>(context.adapter.ConnectorClientKey);
    if (!match || !connector) return link;
    try {
      const response = await connector.attachments.getAttachment(
        decodeURIComponent(match[1]),
        decodeURIComponent(match[2]),
      );
      const contentType = (response._response.headers.get('content-type') ?? '').split(';')[0].trim();
      if (!ALLOWED_TYPES.test(contentType) || !response.readableStreamBody) return link;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.readableStreamBody) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        size += buffer.length;
        if (size > MAX_BYTES) return link;
        chunks.push(buffer);
      }
      const token = randomBytes(16).toString('hex');
      const kept: KeptFile = {
        contentType,
        name: link.name || 'screenshot',
        base64: Buffer.concat(chunks).toString('base64'),
      };
      await this.storage.write({ [`attachments/${token}`]: { ...kept, eTag: '*' } });
      return { name: link.name, url: `${this.publicBaseUrl}/attachments/${token}` };
    } catch (error) {
      // The original link is still better than nothing; the agent can ask the user for the file.
      this.logger.warn('could not copy a pasted image', { error: (error as Error).message });
      return link;
    }
  }
}
