import assert from 'node:assert/strict';
import { MemoryStorage } from 'botbuilder';
import {
  createTestBot,
  lastCard,
  loadCatalog,
  nodesOf,
  stringsOf,
  submitDataOf,
  textsOf,
  TestConversation,
} from '../helpers/testBot';

const t = (key: string, params?: Record<string, string | number>) => loadCatalog().text('ja', key, params);

const inputIdsOf = (card: ReturnType<typeof lastCard>) =>
  nodesOf(card)
    .filter((n) => n.type === 'Input.Text')
    .map((n) => n.id);

describe('Asking for a person mid-diagnosis (TestAdapter)', () => {
  let conversation: TestConversation;
  beforeEach(() => {
    conversation = new TestConversation(createTestBot().adapter, { locale: 'ja-JP' });
  });

  it('the button on a step card hands over with the trail; steps already tried are not asked again', async () => {
    let replies = await conversation.say('Office 2016 にサインインできない');
    const step = lastCard(replies);
    const done = submitDataOf(step).find((d) => d.outcome === 'done')!;
    const person = submitDataOf(step).find((d) => d.action === 'diagnosis.start' && d.flow === 'person');
    assert.ok(person, 'every step card offers a person');
    await conversation.click(done);
    replies = await conversation.click(person);
    const form = lastCard(replies);
    assert.ok(stringsOf(form).includes(t('escalation.form.title')));
    assert.deepEqual(inputIdsOf(form), ['errorMessage', 'device', 'browser']);
    await conversation.click({ action: 'ticket.details', device: 'Windows 10' });
    replies = await conversation.click({ action: 'ticket.screenshot', choice: 'none' });
    const summary = stringsOf(lastCard(replies));
    assert.ok(summary.includes('Office 2016 にサインインできない'), "the user's words");
    assert.ok(
      summary.some((s) => s.includes(loadCatalog().flow('ja').step('sign-out-quit-office').title)),
      'the step done is on the summary',
    );
    assert.ok(summary.includes('Windows 10'));
    assert.ok(summary.includes(t('ticket.category.signin')), 'the category comes from the trail');
  });

  it('typed words ask for a person at any question; cancel leaves without sending anything', async () => {
    await conversation.say('Office にサインインできない');
    let replies = await conversation.say('担当者と話したい');
    assert.ok(stringsOf(lastCard(replies)).includes(t('escalation.form.title')));
    replies = await conversation.say('キャンセル');
    assert.ok(textsOf(replies).includes(t('cancel.done')));
  });

  it('"no screenshot" can be typed; Edit goes back to the form with the answers kept', async () => {
    await conversation.say('talk to a human');
    await conversation.click({
      action: 'ticket.details',
      errorMessage: 'AADSTS50126',
      browser: 'Chrome 131',
    });
    let replies = await conversation.say('なし');
    assert.ok(stringsOf(lastCard(replies)).includes(t('escalation.summary.title')));
    replies = await conversation.click({ action: 'ticket.confirm', choice: 'edit' });
    const form = lastCard(replies);
    assert.ok(JSON.stringify(form).includes('"value":"AADSTS50126"'));
    assert.ok(JSON.stringify(form).includes('"value":"Chrome 131"'));
  });
});

describe('Pressing "talk to a support agent" twice (TestAdapter)', () => {
  it('keeps the hand-over and its trail instead of restarting', async () => {
    const conversation = new TestConversation(createTestBot().adapter, { locale: 'ja-JP' });
    const replies = await conversation.say('Office 2016 にサインインできない');
    const person = submitDataOf(lastCard(replies)).find((d) => d.flow === 'person')!;
    await conversation.click(person);
    const again = await conversation.click(person);
    assert.deepEqual(textsOf(again), [t('escalation.inProgress')]);
    await conversation.click({ action: 'ticket.details', errorMessage: 'x' });
    const summary = stringsOf(
      lastCard(await conversation.click({ action: 'ticket.screenshot', choice: 'none' })),
    );
    assert.ok(summary.includes('Office 2016 にサインインできない'), 'the trail survived');
  });
});

describe('Send pressed again after a crash lost the turn (TestAdapter)', () => {
  it('finds the ticket the first Send opened instead of opening a second one', async () => {
    // The state as it was when the confirm card was shown; the crash loses what the Send turn saved.
    const memory: Record<string, string> = {};
    const { adapter, parts } = createTestBot({ storage: new MemoryStorage(memory) });
    const chat = new TestConversation(adapter, { locale: 'ja-JP' });
    await chat.say('担当者と話したい');
    await chat.click({ action: 'ticket.details', errorMessage: '0xCAA70004', device: 'PC', browser: 'Edge' });
    await chat.say('なし');
    const beforeSend = Object.fromEntries(
      Object.entries(memory).filter(([key]) => !key.startsWith('tickets/')),
    );
    let replies = await chat.click({ action: 'ticket.confirm', choice: 'send' });
    assert.ok(textsOf(replies).some((text) => text.includes('#1')));
    Object.assign(memory, beforeSend);
    replies = await chat.click({ action: 'ticket.confirm', choice: 'send' });
    assert.deepEqual(textsOf(replies), [t('escalation.alreadyCreated', { label: '#1' })]);
    assert.equal((await parts.tickets.repository.list()).length, 1, 'one ticket');
  });
});
