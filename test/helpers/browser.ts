import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Locator, type Page } from 'playwright-core';
import { projectRoot } from '../../bot/paths';
import { startBot, startPlayground, type BotRun, type PlaygroundServer } from './playground';
import { SandboxFixture } from './sandbox';
import { messageGeometry } from '../../scripts/playgroundMessage';

/**
 * The bot and the Microsoft 365 Agents Playground driven through the Playground's real UI in headless Debian
 * Chromium (never a downloaded browser), the way a person types and clicks; every step can save a screenshot.
 * Everything runs on loopback: the page's requests to anywhere else (the Playground fetches fonts and an
 * animation from Microsoft's CDN) are blocked.
 */

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(projectRoot(), 'docs', 'screenshots');

/** Wide enough for the Playground's chat list, its 450 px cards and the channel's threads side by side. */
const VIEWPORT = { width: 1280, height: 1400 };
const REPLY_TIMEOUT_MS = 20_000;
/** .m365agentsplayground.yml: the team channel that `npm start` (and this suite) makes the support channel. */
export const SUPPORT_CHANNEL_ID = 'channel-support-desk-id';
export const SUPPORT_CHANNEL = 'IT サポート - サポート窓口';
export const PERSONAL_CHAT = 'Personal Chat';

/** Why the browser suite cannot run on this machine, or undefined when it can. */
export function browserUnavailable(): string | undefined {
  if (!existsSync(CHROMIUM))
    return `no Chromium at ${CHROMIUM}: apt-get install chromium fonts-noto-cjk (or set CHROMIUM)`;
  return undefined;
}

/** Without a CJK font, Chromium draws Japanese as empty boxes and every screenshot is useless. */
export function cjkFontMissing(): string | undefined {
  try {
    if (execFileSync('fc-list', [':lang=ja', 'family'], { encoding: 'utf8' }).trim()) return undefined;
  } catch {
    // no fontconfig: Chromium has no fonts either
  }
  return 'no Japanese font: apt-get install fonts-noto-cjk';
}

/** Who the Playground signs in as. Each persona gets its own Playground process and personal chat. */
export interface Persona {
  /** An id from the yml's `users`; none for the yml's currentUser. */
  currentUser?: string;
  personalChatId: string;
}

/** 佐藤 花子, the yml's currentUser: an employee with a working E3 licence (sandbox/README.md). */
export const EMPLOYEE: Persona = { personalChatId: 'personal-chat-id' };
/** 井上 誠 (IT 管理者): Global Administrator in the sandbox tenant, so licence queries and `stats` are his. */
export const IT_ADMIN: Persona = { currentUser: 'user-id-12', personalChatId: 'personal-chat-admin' };

/**
 * What the Playground (0.2.28, dist/client/static/js/main.*.js) draws instead of a card it cannot show, or under
 * a card whose action failed. None of them may appear.
 */
const PLACEHOLDERS: [RegExp, string][] = [
  [/^\S+ is not supported yet$/, 'Message.UnknownAttachment / Message.UnsupportedCard'],
  [/^Invalid message$/, 'Message.InvalidMessage'],
  [/Unable to reach app/, 'InvokeMessage.Error (a card action failed)'],
  [/Adaptive Card (?:parse|render) error/, "Web Chat's error box"],
];

/** The note the Playground puts under a card that uses a Teams feature it lacks (Message.UnsupportedAdaptiveCardFeatureLogWarning). */
const FEATURE_NOTE = /^(.+) is not supported yet in Microsoft 365 Agents playground/;
/**
 * Teams features the bot's cards use on purpose, which Teams renders: msteams.width "Full" (step and checklist
 * cards). A note about any other feature fails.
 */
const FEATURES_THE_PLAYGROUND_LACKS = ['Full width control'];

const isLoopback = (url: string) => /^(?:https?|wss?):\/\/(?:127\.0\.0\.1|localhost)[:/]/.test(url);

/**
 * Console lines that say nothing about the bot's cards; anything else the page logs as an error or a warning
 * fails the test. (The Playground's own Adaptive Cards renderer logs no parse problems: an element it does not
 * know is dropped or replaced by its fallback, so the tests look for each card's texts. A card or an action it
 * chokes on throws, which surfaces here as an uncaught exception or a React error on the console.)
 */
function harmless(message: ConsoleMessage): boolean {
  const text = message.text();
  const url = message.location().url;
  return (
    // Segoe UI and the "flair" animation worklet come from res-1.cdn.office.net, which the test blocks.
    (/^Failed to load resource: net::ERR_BLOCKED_BY_CLIENT/.test(text) && !isLoopback(url)) ||
    /^Failed to load worklet module script: https:\/\/res-1\.cdn\.office\.net\//.test(text)
  );
}

/**
 * The bot (in this process, with the sandbox tenant as its Graph and the Playground's team channel as its
 * support channel) and a browser; `open` starts a Playground for a persona and opens it in a page.
 */
export class BrowserDesk {
  private readonly chats = new Map<Persona, PlaygroundChat>();
  private readonly playgrounds: PlaygroundServer[] = [];

  private constructor(
    readonly bot: BotRun,
    private readonly sandbox: SandboxFixture,
    private readonly browser: Browser,
  ) {}

  static async start(): Promise<BrowserDesk> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const sandbox = await new SandboxFixture().start();
    const bot = await startBot({ SUPPORT_CHANNEL_ID }, { directory: sandbox.directory });
    const browser = await chromium
      .launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--lang=ja-JP',
        ],
      })
      .catch(async (error: unknown) => {
        await bot.stop();
        await sandbox.stop();
        throw error;
      });
    return new BrowserDesk(bot, sandbox, browser);
  }

  /** The persona's chat, opened once: a reload would empty the Playground's conversations. */
  async open(persona: Persona): Promise<PlaygroundChat> {
    const open = this.chats.get(persona);
    if (open) return open;
    const playground = await startPlayground(this.bot.port, persona);
    this.playgrounds.push(playground);
    const chat = await PlaygroundChat.open(this.browser, playground, persona);
    this.chats.set(persona, chat);
    return chat;
  }

  /** Every open chat's console errors and placeholders, as one failure. */
  async assertHealthy(): Promise<void> {
    for (const chat of this.chats.values()) await chat.assertHealthy();
  }

  async stop(): Promise<void> {
    await this.browser.close();
    for (const playground of this.playgrounds) await playground.stop();
    await this.bot.stop();
    await this.sandbox.stop();
  }
}

/** One Playground window: its chats, the compose box, the cards. */
export class PlaygroundChat {
  /** Console errors and warnings, and uncaught exceptions, not yet reported. */
  private problems: string[] = [];

  private constructor(
    readonly page: Page,
    private readonly playground: PlaygroundServer,
    private readonly persona: Persona,
  ) {}

  static async open(
    browser: Browser,
    playground: PlaygroundServer,
    persona: Persona,
  ): Promise<PlaygroundChat> {
    const context = await browser.newContext({ locale: 'ja-JP', viewport: VIEWPORT });
    // Tests reach nothing but the servers they started.
    await context.route(
      (url) => !isLoopback(url.href),
      (route) => route.abort('blockedbyclient'),
    );
    // The Playground installs the app when the page loads, stamped en-US, which would get an English welcome;
    // the Japanese install is sent by installInJapanese() instead.
    await context.route('**/_debug/conversation/*/installation', (route) => route.fulfill({ status: 200 }));
    const page = await context.newPage();
    const chat = new PlaygroundChat(page, playground, persona);
    page.on('console', (message) => {
      if (['error', 'warning', 'assert'].includes(message.type()) && !harmless(message))
        chat.problems.push(`console.${message.type()}: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) =>
      chat.problems.push(`uncaught in the page: ${error.stack ?? error.message}`),
    );
    await page.goto(playground.url);
    await chat.composeBox().waitFor({ timeout: 30_000 });
    // The log panel repeats every message's text; without it a text is found only in the chat.
    const hideLog = page.getByRole('button', { name: 'Hide log panel' });
    if (await hideLog.isVisible()) await hideLog.click();
    return chat;
  }

  composeBox(): Locator {
    return this.page.locator('[data-lexical-editor="true"][role="textbox"]').last();
  }

  /** The cards of the open chat, oldest first (cards inside cards, such as Action.ShowCard's, not counted). */
  cards(): Locator {
    return this.page.locator('.ac-preview-panel > .ac-adaptiveCard');
  }

  lastCard(): Locator {
    return this.cards().last();
  }

  /**
   * The app installed in the personal chat the way the Playground's "Mock an Activity > Custom activity" sends
   * it, but with the locale a Japanese Teams client sends; returns the welcome card.
   */
  async installInJapanese(expected: string[]): Promise<Locator> {
    const before = await this.cards().count();
    const query = `type=install&conversationId=${encodeURIComponent(this.persona.personalChatId)}`;
    const response = await fetch(`${this.playground.url}/_internal/v1/customActivities/template?${query}`);
    const install = (await response.json()) as { locale?: string; entities?: { locale?: string }[] };
    install.locale = 'ja-JP';
    for (const entity of install.entities ?? []) if (entity.locale) entity.locale = 'ja-JP';
    await this.playground.post('/_internal/v1/customActivities', install);
    return this.waitForCard(expected, before, 'the welcome card');
  }

  /** Types into the compose box and sends, as a person does; returns the message as the chat shows it. */
  async say(text: string): Promise<Locator> {
    const echo = this.page.getByText(text, { exact: true });
    const before = await echo.count();
    await this.composeBox().click();
    await this.page.keyboard.type(text);
    await this.page.getByRole('button', { name: 'Send Message' }).click();
    await this.until(`the echo of "${text}"`, async () => (await echo.count()) > before);
    return echo.last();
  }

  /**
   * Pastes `text` into the compose box as a clipboard paste does, and sends it. The Playground (0.2.28) sends only
   * the text of the box's text nodes, so a multi-line paste arrives with its lines glued together, with no break or
   * space between them: the bot reads it all the same (core/pcCheck). Returns the message as the chat shows it.
   */
  async paste(text: string, shownAs: string): Promise<Locator> {
    const echo = this.page.getByText(shownAs);
    const before = await echo.count();
    await this.composeBox().click();
    // Inserted at once, as a paste inserts it (typing would send at the first line break).
    await this.page.keyboard.insertText(text);
    await this.page.getByRole('button', { name: 'Send Message' }).click();
    await this.until(`the echo of the paste`, async () => (await echo.count()) > before);
    return echo.last();
  }

  /** Says `text` and waits for a card that shows every one of `expected`. */
  async ask(text: string, expected: string[]): Promise<{ message: Locator; card: Locator }> {
    const before = await this.cards().count();
    const message = await this.say(text);
    return { message, card: await this.waitForCard(expected, before, `the answer to "${text}"`) };
  }

  /** Clicks a button of `card` (the newest card by default) and waits for a card that shows `expected`. */
  async click(button: string, expected: string[], card: Locator = this.lastCard()): Promise<Locator> {
    const before = await this.cards().count();
    await card.getByRole('button', { name: button, exact: true }).first().click();
    return this.waitForCard(expected, before, `the card after "${button}"`);
  }

  /**
   * The newest card after the first `after` that shows every text in `expected`, once it has rendered. Fails
   * naming what the newest card shows instead.
   */
  async waitForCard(expected: string[], after: number, what: string): Promise<Locator> {
    let found: Locator | undefined;
    await this.until(
      `${what} (showing ${expected.map((t) => `"${t}"`).join(', ')})`,
      async () => {
        const count = await this.cards().count();
        for (let i = count - 1; i >= after; i--) {
          const text = await this.cards().nth(i).innerText();
          if (expected.every((e) => text.includes(e))) {
            found = this.cards().nth(i);
            return true;
          }
        }
        return false;
      },
      async () => ((await this.cards().count()) > after ? await this.lastCard().innerText() : 'no new card'),
    );
    await this.expectRendered(found!);
    return found!;
  }

  /** A card drawn with a size and text, and nothing in the page that stands for a card the Playground could not show. */
  async expectRendered(card: Locator): Promise<void> {
    await card.scrollIntoViewIfNeeded();
    const box = await card.boundingBox();
    if (!box || box.width < 100 || box.height < 20)
      throw new Error(`A card did not render: its box is ${JSON.stringify(box)}.`);
    if (!(await card.innerText()).trim()) throw new Error('A card rendered empty.');
    // Let images and fonts settle before anyone looks at it.
    await this.page.waitForTimeout(300);
    await this.assertHealthy();
  }

  /** Fails on console errors or warnings, uncaught exceptions, or a placeholder where a card should be. */
  async assertHealthy(): Promise<void> {
    const problems = this.problems.splice(0);
    for (const [pattern, source] of PLACEHOLDERS) {
      const shown = this.page.getByText(pattern);
      if ((await shown.count()) > 0)
        problems.push(`the Playground shows "${await shown.first().innerText()}" (${source})`);
    }
    for (const note of await this.page.getByText(FEATURE_NOTE).allInnerTexts()) {
      const feature = FEATURE_NOTE.exec(note)?.[1] ?? note;
      if (!FEATURES_THE_PLAYGROUND_LACKS.includes(feature))
        problems.push(`the Playground notes under a card: "${note}"`);
    }
    if (problems.length > 0) throw new Error(`The Playground reported problems:\n- ${problems.join('\n- ')}`);
  }

  /** Waits for a message of the open chat that matches, and returns the newest. */
  async message(text: string | RegExp, what: string): Promise<Locator> {
    const found = this.page.getByText(text, { exact: typeof text === 'string' });
    await this.until(what, async () => (await found.count()) > 0);
    return found.last();
  }

  /** Opens a chat or channel from the Playground's left rail, without a reload (which would empty them). */
  async openChat(name: string): Promise<void> {
    await this.page.locator(`[role="treeitem"][aria-label="${name}"]`).click();
    await this.composeBox().waitFor();
  }

  /** The newest post of the open channel (a card with its thread) that shows every text in `texts`. */
  async channelPost(texts: string[], what: string): Promise<Locator> {
    let post = this.page.locator('[role="group"]');
    for (const text of texts) post = post.filter({ hasText: text });
    await this.until(what, async () => (await post.count()) > 0);
    return post.last();
  }

  /** Writes in a channel post's thread, mentioning the bot (typed "@Sign", then picked from the list). */
  async replyInThread(post: Locator, text: string): Promise<void> {
    await post.locator('[data-lexical-editor="true"][role="textbox"]').click();
    await this.page.keyboard.type('@Sign');
    await this.page.locator('[role="menuitem"]', { hasText: 'Sign-in Desk' }).first().click();
    await this.page.keyboard.type(` ${text}`);
    await this.page.keyboard.press('Enter');
    await this.until(`"${text}" in the thread`, async () => (await post.innerText()).includes(text));
  }

  /**
   * Saves docs/screenshots/<name>: the chat from the message `from` (a user's message or a card) down to the
   * bottom of `to` (by default `from` itself), the width of the chat. The window grows when they do not fit.
   */
  async shoot(name: string, from: Locator, to: Locator = from): Promise<void> {
    await this.assertHealthy();
    await this.page.mouse.move(0, 0); // no hover colour on a button under the pointer
    try {
      for (let attempt = 0; ; attempt++) {
        const top = await messageGeometry(from, 'start');
        const bottom = await messageGeometry(to, undefined);
        // The message above reaches a few pixels into the row; the Playground's notes under a card start just
        // below its frame.
        const y0 = Math.max(top.list.y, top.row.y + 8);
        const y1 = bottom.bubble.y + bottom.bubble.height + 4;
        if (y1 <= top.list.y + top.list.height) {
          await this.page.screenshot({
            path: join(SCREENSHOT_DIR, name),
            clip: { x: top.list.x, y: y0, width: top.list.width, height: y1 - y0 },
          });
          return;
        }
        if (attempt === 1) throw new Error(`${name}: the messages do not fit in the window`);
        const missing = Math.ceil(y1 - (top.list.y + top.list.height));
        await this.page.setViewportSize({ width: VIEWPORT.width, height: VIEWPORT.height + missing + 40 });
        await this.page.waitForTimeout(300);
      }
    } finally {
      await this.page.setViewportSize(VIEWPORT);
    }
  }

  /** Polls `holds` until it is true; on time-out, fails naming `what` and what `saw` says was there. */
  async until(what: string, holds: () => Promise<boolean>, saw?: () => Promise<string>): Promise<void> {
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    while (!(await holds())) {
      // An exception in the page (a click that broke) ends the wait at once, naming it.
      if (this.problems.length > 0) await this.assertHealthy();
      if (Date.now() > deadline) {
        await this.assertHealthy();
        const seen = saw ? `; the chat shows instead:\n${(await saw()).slice(0, 600)}` : '';
        throw new Error(`No ${what} within ${REPLY_TIMEOUT_MS / 1000} s${seen}`);
      }
      await this.page.waitForTimeout(100);
    }
  }
}
