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
 * The escalation pictures (playground-ja-escalation-*.png) need the Playground's team channel "サポート窓口"
 * as the support channel, which `npm start` sets up (SUPPORT_CHANNEL_ID=channel-support-desk-id) unless the
 * environment or .env names another one. The Playground has one person, its currentUser, so 佐藤 花子 plays both
 * the user (in personal chat) and the support agent (in the channel). A fresh DATA_DIR matters here: a ticket
 * left open by an earlier run would take the user's messages to its agent.
 *
 * Sections: `npx tsx scripts/screenshots.ts [en] [ja] [escalation]` takes only those; with none, all of them.
 *
 * Environment: PLAYGROUND_URL (default http://localhost:56150), CHROMIUM (default /usr/bin/chromium),
 * OUT_DIR (default docs/images).
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { messageGeometry } from './playgroundMessage';

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
 * Saves a PNG of the chat from the row of `from` (a user bubble or a card) down to the bottom of the card
 * `to`, the width of the chat; with no `to`, just the card `from` with its sender line. The Playground's own
 * notes under a card (for example that full-width cards are not supported yet) are left out. The window grows
 * for a card taller than the chat.
 */
async function shoot(page: Page, from: Locator, to: Locator | undefined, name: string): Promise<void> {
  const file = path.join(outDir, name);
  for (let attempt = 0; attempt < 2; attempt++) {
    const top = await messageGeometry(from, 'start');
    const bottom = await messageGeometry(to ?? from, undefined);
    const y0 = top.row.y + 8; // the message above reaches a few pixels into this row
    const y1 = bottom.bubble.y + bottom.bubble.height + 4;
    const fits = y1 <= top.list.y + top.list.height;
    // A card alone is cut just right of its bubble; with the user's message, the whole width of the chat.
    const width =
      to === undefined
        ? Math.min(top.list.width, bottom.bubble.x + bottom.bubble.width + 16 - top.list.x)
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
    await messageGeometry(lastCard(page), 'end');
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

/** A text of the ticket pages (content/ja/tickets.json), with its {placeholders} filled in. */
function ticketText(key: string, params: Record<string, string> = {}): string {
  const all = {
    ...texts('ja'),
    ...(JSON.parse(readFileSync(path.join(projectDir, 'content', 'ja', 'tickets.json'), 'utf8')) as Record<
      string,
      string
    >),
  };
  const template = all[key];
  if (template === undefined) throw new Error(`No text ${key} in content/ja.`);
  return Object.entries(params).reduce(
    (text, [name, value]) => text.split(`{${name}}`).join(value),
    template,
  );
}

/** A ticket text as a pattern: each {placeholder} not given matches anything. */
function ticketPattern(key: string, params: Record<string, string> = {}): RegExp {
  const parts = ticketText(key, params).split(/\{[a-zA-Z]+\}/);
  return new RegExp(parts.map(escapeRegExp).join('(.+?)'));
}

const SUPPORT_CHANNEL = 'IT サポート - サポート窓口'; // .m365agentsplayground.yml: team "IT サポート"
const PERSONAL_CHAT = 'Personal Chat';

/** Moves between the Playground's chats without reloading it (a reload would empty them). */
async function openChat(page: Page, name: string): Promise<void> {
  await page.locator(`[role="treeitem"][aria-label="${name}"]`).click();
  await page.waitForTimeout(800);
}

async function waitFor(what: string, holds: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + REPLY_TIMEOUT_MS;
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error(`No ${what} within ${REPLY_TIMEOUT_MS / 1000} s.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, 700));
}

/** Waits for a message of the open chat that matches, and returns it. */
async function message(page: Page, text: string | RegExp, what: string): Promise<Locator> {
  const found = page.getByText(text, { exact: typeof text === 'string' });
  await waitFor(what, async () => (await found.count()) > 0);
  return found.last();
}

/** Writes a reply in a channel post's thread, mentioning the bot (typed @Sign, then picked from the list). */
async function replyInThread(page: Page, post: Locator, text: string): Promise<void> {
  const box = post.locator('[data-lexical-editor="true"][role="textbox"]');
  await box.click();
  await page.keyboard.type('@Sign');
  await page.locator('[role="menuitem"]', { hasText: 'Sign-in Desk' }).first().click();
  await page.keyboard.type(` ${text}`);
  await page.keyboard.press('Enter');
  await waitFor(`echo of "${text}" in the thread`, async () => (await post.innerText()).includes(text));
}

/** Saves a PNG of a channel post with its thread; the window grows for a post taller than the channel. */
async function shootPost(page: Page, post: Locator, name: string): Promise<void> {
  const file = path.join(outDir, name);
  for (let attempt = 0; attempt < 2; attempt++) {
    const { list, bubble: card } = await messageGeometry(post, 'start');
    const margin = 8;
    const y0 = Math.max(list.y, card.y - margin);
    const y1 = card.y + card.height + margin;
    if (y1 <= list.y + list.height) {
      await page.screenshot({
        path: file,
        clip: { x: card.x - margin, y: y0, width: card.width + 2 * margin, height: y1 - y0 },
      });
      break;
    }
    if (attempt === 1) throw new Error(`${name}: the post does not fit in the window`);
    const missing = y1 - (list.y + list.height);
    await page.setViewportSize({ width: VIEWPORT.width, height: VIEWPORT.height + Math.ceil(missing) + 40 });
    await page.waitForTimeout(500);
  }
  await page.setViewportSize(VIEWPORT);
  await page.waitForTimeout(300);
  report(file);
}

/**
 * Escalation to a person, both sides: the user's summary in personal chat; the agent takes the ticket and
 * answers in the support channel's thread; the user's reply goes to that thread; the agent resolves it and the
 * user rates the support.
 */
async function escalation(): Promise<void> {
  const { browser, page } = await launch('ja');
  try {
    // The user: the form (typed into the card's fields), no screenshot, the summary, send.
    await openPlayground(page);
    await cancel(page, 'ja');
    await sendAndWaitForCard(page, '担当者と話したい');
    const form = lastCard(page);
    if (!(await form.innerText()).includes(ticketText('escalation.form.title')))
      throw new Error(
        'The bot did not answer "担当者と話したい" with the escalation form. Is a ticket of an earlier run ' +
          'still open? Restart `npm start` with a fresh DATA_DIR and run this again.',
      );
    const fields: [string, string][] = [
      ['errorMessage', 'エラー コード 0xCAA70004'],
      ['stepsTried', 'PC を再起動した、Edge の InPrivate ウィンドウで試した'],
      ['device', 'Windows 11 の PC'],
      ['browser', 'Microsoft Edge 131'],
    ];
    for (const [field, value] of fields)
      await form.getByPlaceholder(ticketText(`escalation.placeholder.${field}`), { exact: true }).fill(value);
    await click(page, ticketText('escalation.form.next'));
    await click(page, ticketText('escalation.screenshot.none'));
    await page.mouse.move(0, 0); // no hover colour on the button under the pointer
    await shoot(page, lastCard(page), undefined, 'playground-ja-escalation-summary.png');
    await lastCard(page)
      .getByRole('button', { name: ticketText('escalation.summary.send'), exact: true })
      .click();
    const created = await message(page, ticketPattern('escalation.created'), 'ticket number');
    const label = /#\d+/.exec(await created.innerText())?.[0];
    if (!label) throw new Error('No ticket number in the confirmation.');

    // The agent: the ticket's card in the channel, Take, and a reply in its thread mentioning the bot.
    await openChat(page, SUPPORT_CHANNEL);
    const post = page
      .locator('[role="group"]')
      .filter({ hasText: ticketText('ticket.card.heading') })
      .filter({ hasText: `${label} ` })
      .last();
    await waitFor(`the card of ${label} in the channel`, async () => (await post.count()) > 0);
    await post.getByRole('button', { name: ticketText('ticket.action.take'), exact: true }).click();
    const assigned = ticketText('ticket.statusWithAssignee', {
      status: ticketText('ticket.status.assigned'),
    });
    await waitFor('the card after Take', async () =>
      (await post.innerText()).includes(assigned.slice(0, assigned.indexOf('{'))),
    );
    const agentText = 'サインアウトしてから、もう一度サインインしてください。';
    await replyInThread(page, post, agentText);

    // The user: told who helps them, the agent's message, and their answer, which goes to the thread.
    await openChat(page, PERSONAL_CHAT);
    const taken = await message(page, ticketPattern('ticket.user.taken', { label }), '"taken" notice');
    await waitFor(
      "the agent's message",
      async () => (await cards(page).filter({ hasText: agentText }).count()) > 0,
    );
    await send(page, 'やってみましたが、まだ 0xCAA70004 が出ます');
    const hint = await message(page, ticketText('ticket.user.relayHint', { label }), 'relay hint');
    await shoot(page, taken, hint, 'playground-ja-escalation-user.png');

    // The agent sees the answer in the thread (and on the card).
    await openChat(page, SUPPORT_CHANNEL);
    await waitFor("the user's reply in the thread", async () =>
      (await post.innerText()).includes(ticketText('ticket.thread.fromUser', { label })),
    );
    await shootPost(page, post, 'playground-ja-escalation-channel.png');

    // Resolve; the user answers the feedback card.
    await post.getByRole('button', { name: ticketText('ticket.action.resolve'), exact: true }).click();
    await waitFor('the resolved card', async () =>
      (await post.innerText()).includes(ticketText('ticket.status.resolved')),
    );
    await openChat(page, PERSONAL_CHAT);
    const feedback = cards(page)
      .filter({ hasText: ticketText('ticket.user.resolvedText') })
      .last();
    await waitFor('the feedback card', async () => (await feedback.count()) > 0);
    const five = feedback.getByRole('radio', { name: ticketText('ticket.rating.5') });
    await five.check();
    await feedback.getByRole('button', { name: ticketText('ticket.user.solvedYes'), exact: true }).click();
    const thanks = await message(page, ticketText('ticket.user.feedbackThanks', { label }), 'thanks');
    // The Playground draws its cards again when a message arrives, which clears their inputs: show the rating
    // that was sent.
    if (!(await five.isChecked())) await five.check();
    await shoot(page, feedback, thanks, 'playground-ja-escalation-feedback.png');
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
  const sections = { en: english, ja: japanese, escalation };
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in sections));
  if (unknown.length > 0)
    throw new Error(`Unknown section ${unknown.join(', ')}: use ${Object.keys(sections).join(', ')}.`);
  for (const [name, run] of Object.entries(sections))
    if (asked.length === 0 || asked.includes(name)) await run();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
