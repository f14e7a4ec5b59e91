/**
 * Takes the README's screenshots (docs/images/playground-*.png) by chatting with the bot in the Microsoft 365
 * Agents Playground through its real UI: typing in the compose box and clicking the cards' buttons.
 *
 * Needs the bot and the Playground already running (a throwaway data folder keeps these test conversations out
 * of your own) and Debian's Chromium; nothing is downloaded:
 *
 *   apt-get install -y chromium fonts-noto-cjk
 *   DATA_DIR=$(mktemp -d) npm start > /tmp/start.log 2>&1 &
 *   npx tsx scripts/screenshots.ts
 *
 * The Playground (0.2.x) sends every activity with locale en-US, whatever the browser's or its own process's
 * locale, so the language of each conversation comes from the text typed: the English conversation types an
 * English sentence, and the script stops if the bot answers it in Japanese rather than save a wrong picture.
 *
 * Environment: PLAYGROUND_URL (default http://localhost:56150), CHROMIUM (default /usr/bin/chromium),
 * OUT_DIR (default docs/images).
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

const projectDir = existsSync(path.join(__dirname, '..', 'package.json'))
  ? path.join(__dirname, '..')
  : path.join(__dirname, '..', '..');
const playgroundUrl = process.env.PLAYGROUND_URL ?? 'http://localhost:56150';
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const outDir = path.resolve(projectDir, process.env.OUT_DIR ?? path.join('docs', 'images'));

const VIEWPORT = { width: 1280, height: 1400 };
const REPLY_TIMEOUT_MS = 20_000;

type Lang = 'ja' | 'en';
const LOCALES: Record<Lang, string> = { ja: 'ja-JP', en: 'en-US' };

function texts(lang: Lang): Record<string, string> {
  return JSON.parse(readFileSync(path.join(projectDir, 'content', lang, 'texts.json'), 'utf8')) as Record<
    string,
    string
  >;
}

/** The few DOM members used inside page functions (the project compiles without the DOM library). */
interface DomRect {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface DomElement {
  className: unknown;
  parentElement: DomElement | null;
  getBoundingClientRect(): DomRect;
  scrollIntoView(options: { block: 'start' | 'end' }): void;
  ownerDocument: { defaultView: { getComputedStyle(el: DomElement): { overflowY: string } } | null };
}

async function launch(lang: Lang): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--lang=${LOCALES[lang]}`,
    ],
  });
  const context = await browser.newContext({ locale: LOCALES[lang], viewport: VIEWPORT });
  const page = await context.newPage();
  return { browser, page };
}

/** Opens the Playground on the personal chat, with the conversation's history cleared from view. */
async function openPlayground(page: Page): Promise<void> {
  await page.goto(playgroundUrl);
  await composeBox(page).waitFor({ timeout: 30_000 });
  // The log panel repeats every message's text; without it a sent text is found only in the chat.
  const hideLog = page.getByRole('button', { name: 'Hide log panel' });
  if (await hideLog.isVisible()) await hideLog.click();
  // The first page load after the bot starts gets the welcome card; let it arrive before counting cards.
  await page.waitForTimeout(2500);
}

function composeBox(page: Page): Locator {
  return page.locator('[data-lexical-editor="true"][role="textbox"]');
}

function cards(page: Page): Locator {
  return page.locator('.ac-adaptiveCard');
}

function lastCard(page: Page): Locator {
  return cards(page).last();
}

async function waitForCount(locator: Locator, above: number, what: string): Promise<void> {
  const deadline = Date.now() + REPLY_TIMEOUT_MS;
  while ((await locator.count()) <= above) {
    if (Date.now() > deadline) throw new Error(`No ${what} within ${REPLY_TIMEOUT_MS / 1000} s.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // Let the card finish laying out (images, fonts) before anyone looks at it.
  await new Promise((resolve) => setTimeout(resolve, 700));
}

/** Types into the compose box and sends; returns the user's message bubble. */
async function send(page: Page, text: string): Promise<Locator> {
  const sent = page.getByText(text, { exact: true });
  const before = await sent.count();
  await composeBox(page).click();
  await page.keyboard.type(text);
  await page.getByRole('button', { name: 'Send Message' }).click();
  await waitForCount(sent, before, `echo of "${text}"`);
  return sent.last();
}

async function sendAndWaitForCard(page: Page, text: string): Promise<Locator> {
  const before = await cards(page).count();
  const bubble = await send(page, text);
  await waitForCount(cards(page), before, `card in reply to "${text}"`);
  return bubble;
}

/** Ends whatever diagnosis the bot has going, so the conversation starts from the top. */
async function cancel(page: Page, lang: Lang): Promise<void> {
  const word = lang === 'ja' ? 'キャンセル' : 'cancel';
  // Either language's reply: the bot may answer in the language it remembers for this conversation.
  const replies = (['ja', 'en'] as const).flatMap((l) => [
    texts(l)['cancel.done'],
    texts(l)['cancel.nothing'],
  ]);
  const reply = page.getByText(new RegExp(replies.map(escapeRegExp).join('|')));
  const before = await reply.count();
  await send(page, word);
  await waitForCount(reply, before, `reply to "${word}"`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Clicks a button of the newest card and waits for the next card. */
async function click(page: Page, name: string | RegExp): Promise<void> {
  const before = await cards(page).count();
  const button = lastCard(page).getByRole('button', { name, exact: typeof name === 'string' });
  await button.first().click();
  await waitForCount(cards(page), before, `card after clicking "${String(name)}"`);
}

/** Clicks 完了 / Done on the newest card until it shows `text`. */
async function doneUntil(page: Page, done: string, text: string, maxSteps = 12): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    if ((await lastCard(page).innerText()).includes(text)) return;
    await click(page, done);
  }
  throw new Error(`"${text}" did not appear after ${maxSteps} clicks on "${done}".`);
}

/**
 * Geometry of a message in the chat: the message row (sender line, avatar and bubble) as a direct child of
 * the chat's scrolling list, and that list. With `scroll`, the row is first scrolled to the list's top or bottom.
 */
async function messageBox(
  message: Locator,
  scroll: 'start' | 'end' | undefined,
): Promise<{ row: DomRect; list: DomRect; card: DomRect }> {
  // card: the bubble of a card (or the element itself for anything else).
  return message.evaluate((start, doScroll) => {
    const el = start as unknown as DomElement;
    const view = el.ownerDocument.defaultView;
    if (!view) throw new Error('no window');
    let row = el;
    while (
      row.parentElement &&
      !['auto', 'scroll'].includes(view.getComputedStyle(row.parentElement).overflowY)
    )
      row = row.parentElement;
    const list = row.parentElement;
    if (!list) throw new Error('message is not inside a scrolling list');
    if (doScroll) row.scrollIntoView({ block: doScroll });
    // A card's bubble (frame and shadow) is a few levels above the card itself.
    let bubble = el;
    for (let up = el, i = 0; up.parentElement && i < 5; up = up.parentElement, i++)
      if (String(up.className).includes('OutputCard')) bubble = up;
    // No helper functions in here: tsx would wrap them in a __name() call that the page does not have.
    const [r, l, c] = [row, list, bubble].map((e) => e.getBoundingClientRect());
    return {
      row: { x: r.x, y: r.y, width: r.width, height: r.height },
      list: { x: l.x, y: l.y, width: l.width, height: l.height },
      card: { x: c.x, y: c.y, width: c.width, height: c.height },
    };
  }, scroll);
}

/**
 * Saves a PNG of the chat from the row of `from` (a user bubble or a card) down to the bottom of the card
 * `to`, the width of the chat; with no `to`, just the card `from` with its sender line. The Playground's own
 * notes under a card (for example that full-width cards are not supported yet) are left out. The window grows
 * for a card taller than the chat.
 */
async function shoot(page: Page, from: Locator, to: Locator | undefined, name: string): Promise<void> {
  const file = path.join(outDir, name);
  for (let attempt = 0; attempt < 2; attempt++) {
    const top = await messageBox(from, 'start');
    const bottom = await messageBox(to ?? from, undefined);
    const y0 = top.row.y + 8; // the message above reaches a few pixels into this row
    const y1 = bottom.card.y + bottom.card.height + 4;
    const fits = y1 <= top.list.y + top.list.height;
    // A card alone is cut just right of its bubble; with the user's message, the whole width of the chat.
    const width =
      to === undefined
        ? Math.min(top.list.width, bottom.card.x + bottom.card.width + 16 - top.list.x)
        : top.list.width;
    if (fits) {
      await page.screenshot({
        path: file,
        clip: { x: top.list.x, y: Math.max(0, y0), width, height: y1 - Math.max(0, y0) },
      });
      break;
    }
    if (attempt === 1) throw new Error(`${name}: the messages do not fit in the window`);
    const missing = y1 - (top.list.y + top.list.height);
    await page.setViewportSize({ width: VIEWPORT.width, height: VIEWPORT.height + Math.ceil(missing) + 40 });
    await page.waitForTimeout(500);
  }
  await page.setViewportSize(VIEWPORT);
  await page.waitForTimeout(300);
  report(file);
}

async function shootWindow(page: Page, name: string): Promise<void> {
  const file = path.join(outDir, name);
  await page.screenshot({ path: file });
  report(file);
}

function report(file: string): void {
  const kb = Math.round(statSync(file).size / 1024);
  process.stdout.write(`${path.relative(projectDir, file)}  ${kb} KB${kb > 400 ? '  (over 400 KB)' : ''}\n`);
}

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

async function english(): Promise<void> {
  const { browser, page } = await launch('en');
  try {
    await openPlayground(page);
    await cancel(page, 'en');
    const bubble = await sendAndWaitForCard(page, "I can't sign in to Office");
    const card = lastCard(page);
    if (JAPANESE.test(await card.innerText()))
      throw new Error(
        'The bot answered the English message in Japanese: it remembers Japanese from an earlier run in this ' +
          'conversation. Restart `npm start` with a fresh DATA_DIR and run this again.',
      );
    await shoot(page, bubble, card, 'playground-en-product-question.png');
    await cancel(page, 'en');
  } finally {
    await browser.close();
  }
}

async function japanese(): Promise<void> {
  const { browser, page } = await launch('ja');
  try {
    // Office 2019 and later: the product question, a step with a warning, the BrokerPlugin step.
    await openPlayground(page);
    await cancel(page, 'ja');
    const bubble = await sendAndWaitForCard(page, 'Office にサインインできません');
    await shoot(page, bubble, lastCard(page), 'playground-ja-product-question.png');
    await click(page, 'Office 2019 以降');
    await doneUntil(page, '完了', 'OLicenseCleanup.vbs を実行する');
    await shoot(page, lastCard(page), undefined, 'playground-ja-step-warning.png');
    await doneUntil(page, '完了', 'BrokerPlugin と TokenBroker のキャッシュを削除する');
    await shoot(page, lastCard(page), undefined, 'playground-ja-step-brokerplugin.png');
    await page.waitForTimeout(300);
    await messageBox(lastCard(page), 'end');
    await shootWindow(page, 'playground-ja-window.png');
    await cancel(page, 'ja');

    // Microsoft 365 Apps, to the end and on to the sign-out script.
    await openPlayground(page);
    await sendAndWaitForCard(page, 'Office にサインインできません');
    await click(page, 'Microsoft 365 Apps');
    await shoot(page, lastCard(page), undefined, 'playground-ja-admin-question.png');
    await click(page, 'はい、管理者権限があります');
    await doneUntil(page, '完了', 'これで問題は解決しましたか');
    await click(page, 'いいえ、まだです');
    await shoot(page, lastCard(page), undefined, 'playground-ja-next-options.png');
    await click(page, 'サインアウト スクリプトを試す');
    await shoot(page, lastCard(page), undefined, 'playground-ja-signout-script.png');
    await checkScript(lastCard(page));
    await cancel(page, 'ja');

    // "Office won't activate": the licence verdict from the sandbox tenant, then the PC checklist.
    await openPlayground(page);
    const activation = await send(page, 'Office のライセンス認証ができません');
    await page.getByText('Office の [ファイル] > [アカウント] には').first().waitFor({ timeout: 30_000 });
    await shoot(page, activation, lastCard(page), 'playground-ja-activation-verdict.png');
    await cancel(page, 'ja');

    // Nothing to go on: the menu.
    await openPlayground(page);
    const greeting = await sendAndWaitForCard(page, 'こんにちは');
    await shoot(page, greeting, lastCard(page), 'playground-ja-menu.png');
    await cancel(page, 'ja');
  } finally {
    await browser.close();
  }
}

/** Compares the script shown on the card with content/scripts/Signoutofwamaccounts.ps1, character for character. */
async function checkScript(card: Locator): Promise<void> {
  const expected = readFileSync(
    path.join(projectDir, 'content', 'scripts', 'Signoutofwamaccounts.ps1'),
    'utf8',
  )
    .replace(/^\uFEFF/, '')
    .replace(/\r\n/g, '\n')
    .trimEnd();
  const shown = (await card.locator('.ac-textRun').allTextContents()).map((s) => s.trimEnd());
  const same = shown.includes(expected);
  process.stdout.write(
    same
      ? 'The script on the card matches content/scripts/Signoutofwamaccounts.ps1 exactly.\n'
      : `The script on the card differs from content/scripts/Signoutofwamaccounts.ps1.\n`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(chromiumPath))
    throw new Error(`No Chromium at ${chromiumPath} (apt-get install chromium).`);
  try {
    await fetch(`${playgroundUrl}/_debug/ping`);
  } catch {
    throw new Error(`The Playground is not running at ${playgroundUrl}: start it with \`npm start\` first.`);
  }
  mkdirSync(outDir, { recursive: true });
  await english();
  await japanese();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
