import assert from 'node:assert/strict';
import {
  createTestBot,
  lastCard,
  loadCatalog,
  stringsOf,
  submitDataOf,
  TestConversation,
} from '../helpers/testBot';

function conversation(locale = 'ja-JP') {
  return new TestConversation(createTestBot().adapter, { locale });
}

describe('Free text: routing, error codes, clarifying questions, the menu', () => {
  it('explains a pasted error code (full-width, inside a sentence) and starts its flow', async () => {
    const replies = await conversation().say('Ｏｕｔｌｏｏｋ を開くと ０ｘｃａａ７０００４ と表示されます');
    const cards = replies
      .flatMap((r) => r.attachments ?? [])
      .map((a) => a.content as Record<string, unknown>);
    const explanation = cards.find((c) => stringsOf(c).includes('0xCAA70004'))!;
    assert.ok(explanation, 'the code is explained');
    assert.ok(
      stringsOf(explanation).some((s) => s.startsWith('https://')),
      'with its Microsoft source',
    );
    assert.ok(stringsOf(explanation).some((s) => s.startsWith(loadCatalog().text('ja', 'errorCode.who'))));
    assert.ok(
      submitDataOf(lastCard(replies)).some((d) => d.question === 'office-product'),
      'then the sign-in flow',
    );
  });

  it('routes an AADSTS code inside English text', async () => {
    const replies = await conversation('en-US').say(
      'Sign-in failed: AADSTS50126: Error validating credentials due to invalid username or password.',
    );
    assert.ok(
      replies.some((r) => (r.attachments ?? []).some((a) => stringsOf(a.content).includes('AADSTS50126'))),
    );
  });

  it('sends a personal Microsoft account to the account flow', async () => {
    const replies = await conversation('en-US').say("I can't sign in to Outlook with my hotmail address");
    assert.ok(submitDataOf(lastCard(replies)).some((d) => d.question === 'account-where'));
  });

  it('understands Japanese without spaces, typos and hiragana', async () => {
    // All hiragana, no spaces: the account flow comes first (routed, or the first of two buttons).
    let replies = await conversation().say('ぱすわーどをわすれてさいんいんできません');
    const card = lastCard(replies);
    assert.ok(
      submitDataOf(card).some((d) => d.question === 'account-where') ||
        submitDataOf(card)[0]?.flow === 'account',
      JSON.stringify(submitDataOf(card)),
    );
    replies = await conversation().say('ライセンス認証ができなくて「ライセンスのない製品」と出ます');
    assert.ok(
      replies.some((r) => r.text === loadCatalog().text('ja', 'activation.checking')),
      'activation flow',
    );
  });

  it('asks one short question with buttons when unsure, and shows the menu when it has nothing', async () => {
    let replies = await conversation('en-US').say("I can't log in");
    const clarify = lastCard(replies);
    assert.ok(stringsOf(clarify).includes(loadCatalog().text('en', 'clarify.prompt')));
    assert.ok(submitDataOf(clarify).length <= 3);
    replies = await conversation().say('こんにちは');
    const menu = lastCard(replies);
    assert.ok(stringsOf(menu).includes(loadCatalog().text('ja', 'menu.prompt')));
    assert.deepEqual(
      submitDataOf(menu).map((d) => d.flow),
      ['signin-repair', 'activation', 'account', 'person'],
    );
  });

  it('a menu choice starts that flow; "talk to a person" starts the escalation', async () => {
    const chat = conversation('en-US');
    await chat.say('hello there');
    let replies = await chat.click({ action: 'diagnosis.start', flow: 'account' });
    assert.ok(submitDataOf(lastCard(replies)).some((d) => d.question === 'account-where'));
    replies = await conversation('en-US').say('I want to talk to a human please');
    assert.ok(stringsOf(lastCard(replies)).includes(loadCatalog().text('en', 'escalation.form.title')));
  });

  it('a button on the "did you mean…?" card answers it instead of restarting', async () => {
    const chat = conversation('en-US');
    let replies = await chat.say("I can't log in");
    const option = submitDataOf(lastCard(replies)).find((d) => d.flow === 'signin-repair')!;
    replies = await chat.click(option);
    assert.ok(!replies.some((r) => r.text === loadCatalog().text('en', 'restart.done')));
    assert.ok(submitDataOf(lastCard(replies)).some((d) => d.question === 'office-product'));
  });

  it('the opening words answer only the first question, not later ones', async () => {
    const chat = conversation('en-US');
    const replies = await chat.say('Office 365 sign in fails, no idea why');
    assert.ok(
      submitDataOf(lastCard(replies)).some((d) => d.question === 'admin-rights'),
      'admin rights are asked',
    );
  });

  it('keeps a very long description within the card limit', async () => {
    const chat = conversation('en-US');
    await chat.say(`I want to talk to a human please. ${'x'.repeat(30000)}`);
    await chat.click({ action: 'ticket.details' });
    const replies = await chat.click({ action: 'ticket.screenshot', choice: 'none' });
    assert.ok(stringsOf(lastCard(replies)).includes(loadCatalog().text('en', 'escalation.summary.title')));
  });
});
