import assert from 'node:assert/strict';
import { MemoryStorage, type Storage, type StoreItems } from 'botbuilder';
import type { Logger } from '../../bot/logger';
import {
  BOT,
  cardsOf,
  createTestBot,
  lastCard,
  loadCatalog,
  stringsOf,
  submitDataOf,
  textsOf,
  TestConversation,
} from '../helpers/testBot';

const ALLOWED_TENANT = '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const OTHER_TENANT = '99999999-0000-4000-8000-000000000000';

describe('SigninDeskBot routing (TestAdapter)', () => {
  describe('welcome', () => {
    for (const [conversationType, hintKey] of [
      ['personal', 'welcome.hintPersonal'],
      ['groupChat', 'welcome.hintShared'],
      ['channel', 'welcome.hintShared'],
    ] as const) {
      it(`welcomes once when installed in ${conversationType}`, async () => {
        const { adapter } = createTestBot();
        const conversation = new TestConversation(adapter, { conversationType, locale: 'ja-JP' });
        let replies = await conversation.send({ type: 'installationUpdate', action: 'add', text: undefined });
        const card = lastCard(replies);
        assert.ok(stringsOf(card).includes(loadCatalog().text('ja', 'welcome.title')));
        assert.ok(stringsOf(card).includes(loadCatalog().text('ja', hintKey)));
        assert.ok(submitDataOf(card).some((d) => d.action === 'diagnosis.start'));
        // Teams can also send conversationUpdate for the same install: no second welcome.
        replies = await conversation.send({
          type: 'conversationUpdate',
          membersAdded: [{ ...BOT }],
          text: undefined,
        });
        assert.equal(cardsOf(replies).length, 0);
      });
    }

    it('welcomes in English for an English client and starts from the welcome button', async () => {
      const { adapter } = createTestBot();
      const conversation = new TestConversation(adapter, { locale: 'en-US' });
      let replies = await conversation.send({
        type: 'conversationUpdate',
        membersAdded: [{ ...BOT }],
        text: undefined,
      });
      assert.ok(stringsOf(lastCard(replies)).includes(loadCatalog().text('en', 'welcome.title')));
      replies = await conversation.click({ action: 'diagnosis.start' });
      assert.ok(submitDataOf(lastCard(replies)).some((d) => d.question === 'office-product'));
    });

    it('does not welcome when someone else joins', async () => {
      const { adapter } = createTestBot();
      const conversation = new TestConversation(adapter, { conversationType: 'groupChat' });
      const replies = await conversation.send({
        type: 'conversationUpdate',
        membersAdded: [{ id: '29:someone', name: 'Someone' }],
        text: undefined,
      });
      assert.equal(replies.length, 0);
    });
  });

  describe('group chats and channels', () => {
    it('stays quiet unless mentioned, and strips the mention from the text', async () => {
      const { adapter } = createTestBot();
      const conversation = new TestConversation(adapter, { conversationType: 'groupChat', locale: 'en-US' });
      assert.equal((await conversation.say('Office 2016 is broken again')).length, 0);
      const replies = await conversation.mention('Office 2016 is broken again');
      assert.ok(
        textsOf(replies).some((t) => t.includes('Office 2013 / 2016')),
        'the product was read from the stripped text',
      );
    });

    it('keeps each person’s diagnosis separate in one chat', async () => {
      const { adapter } = createTestBot();
      const storage = {
        conversationType: 'channel' as const,
        conversationId: '19:support@thread.tacv2',
        locale: 'en-US',
      };
      const alice = new TestConversation(adapter, { ...storage, user: { id: '29:alice', name: 'Alice' } });
      const bob = new TestConversation(adapter, { ...storage, user: { id: '29:bob', name: 'Bob' } });
      await alice.mention("I can't sign in to Office");
      let replies = await alice.click({
        action: 'diagnosis.choose',
        question: 'office-product',
        choice: 'office-2013-2016',
      });
      assert.ok(submitDataOf(lastCard(replies)).some((d) => d.step === 'sign-out-quit-office'));

      replies = await bob.mention("Word won't let me sign in with my work account");
      assert.ok(
        submitDataOf(lastCard(replies)).some((d) => d.question === 'office-product'),
        'Bob starts at the beginning',
      );
      replies = await bob.click({
        action: 'diagnosis.choose',
        question: 'office-product',
        choice: 'microsoft-365-apps',
      });
      assert.ok(submitDataOf(lastCard(replies)).some((d) => d.question === 'admin-rights'));

      replies = await alice.click({
        action: 'diagnosis.step',
        procedure: 'reset-office-2013-2016',
        step: 'sign-out-quit-office',
        outcome: 'done',
      });
      assert.ok(
        submitDataOf(lastCard(replies)).some((d) => d.step === 'download-olicensecleanup'),
        'Alice continues where she was',
      );
    });

    it('answers an empty mention with the way in', async () => {
      const { adapter } = createTestBot();
      const conversation = new TestConversation(adapter, { conversationType: 'channel' });
      const replies = await conversation.mention('');
      assert.ok(stringsOf(lastCard(replies)).includes(loadCatalog().text('ja', 'welcome.title')));
    });
  });

  describe('tenant allow-list', () => {
    it('gives an outside tenant one polite refusal and no diagnosis content', async () => {
      const { adapter } = createTestBot({ allowedTenantIds: [ALLOWED_TENANT] });
      const outsider = new TestConversation(adapter, { tenantId: OTHER_TENANT, locale: 'en-US' });
      let replies = await outsider.say('Office 2016 will not sign in');
      assert.deepEqual(
        replies.map((r) => r.text),
        [loadCatalog().text('en', 'tenant.refused')],
      );
      assert.equal(cardsOf(replies).length, 0);
      replies = await outsider.click({ action: 'diagnosis.start' });
      assert.equal(cardsOf(replies).length, 0);
      replies = await outsider.send({ type: 'installationUpdate', action: 'add', text: undefined });
      assert.equal(replies.length, 0, 'no welcome card for an outside tenant');
    });

    it('requires every tenant id the activity carries to be allowed, and never throws on their shapes', async () => {
      const { adapter } = createTestBot({ allowedTenantIds: [ALLOWED_TENANT] });
      const chat = new TestConversation(adapter, { tenantId: ALLOWED_TENANT, locale: 'en-US' });
      const refused = [loadCatalog().text('en', 'tenant.refused')];
      // Allowed in channelData, another tenant in conversation.tenantId: refused, no diagnosis, no Graph call.
      let replies = await chat.send({
        text: 'Office 2016 will not sign in',
        conversation: {
          id: chat.conversationId,
          tenantId: OTHER_TENANT,
          conversationType: 'personal',
        } as never,
      });
      assert.deepEqual(textsOf(replies), refused);
      assert.equal(cardsOf(replies).length, 0);
      // A tenant id that is an array or a number: refused, not a crash.
      for (const id of [[ALLOWED_TENANT], 42]) {
        replies = await chat.send({ text: 'hi', channelData: { tenant: { id } } });
        assert.deepEqual(textsOf(replies), refused, JSON.stringify(id));
      }
    });

    it('refuses an activity that names no tenant, and serves an allowed one', async () => {
      const { adapter } = createTestBot({ allowedTenantIds: [ALLOWED_TENANT] });
      const anonymous = new TestConversation(adapter, { tenantId: '', locale: 'en-US' });
      assert.deepEqual(textsOf(await anonymous.say('hi')), [loadCatalog().text('en', 'tenant.refused')]);
      const insider = new TestConversation(adapter, {
        tenantId: ALLOWED_TENANT.toUpperCase(),
        locale: 'en-US',
      });
      assert.ok(cardsOf(await insider.say('hi')).length > 0);
    });
  });

  describe('error boundary', () => {
    class FailingStorage implements Storage {
      private readonly inner = new MemoryStorage();
      read(keys: string[]): Promise<StoreItems> {
        return this.inner.read(keys);
      }
      async write(): Promise<void> {
        throw new Error('disk on fire: /var/secret/path');
      }
      delete(keys: string[]): Promise<void> {
        return this.inner.delete(keys);
      }
    }

    it('tells the user in their language, with a reference, and never the internals', async () => {
      const logged: Record<string, unknown>[] = [];
      const logger: Logger = {
        debug() {},
        info() {},
        warn() {},
        error: (message, fields) => logged.push({ message, ...fields }),
      };
      const { adapter } = createTestBot({ storage: new FailingStorage(), logger });
      const conversation = new TestConversation(adapter, { locale: 'en-US' });
      const replies = await conversation.say('hi');
      const apology = textsOf(replies).at(-1)!;
      const reference = /reference: ([0-9a-f]{8})$/.exec(apology)?.[1];
      assert.ok(reference, apology);
      assert.ok(!apology.includes('disk on fire') && !apology.includes('/var/secret'));
      assert.ok(
        logged.some((entry) => entry.reference === reference),
        'the log line carries the same reference',
      );
    });
  });
});
