import assert from 'node:assert/strict';
import { LicenceViews } from '../../views/licenceViews';
import type { FindingCode } from '../../core/licensing/verdict';
import { SANDBOX_USERS, SandboxFixture } from '../helpers/sandbox';
import {
  cardsOf,
  createTestBot,
  lastCard,
  loadCatalog,
  loadProducts,
  stringsOf,
  submitDataOf,
  textsOf,
  TestConversation,
} from '../helpers/testBot';

const OPENING = { ja: 'Office のライセンス認証ができません', en: "Office won't activate on my PC" };
const LOCALE = { ja: 'ja-JP', en: 'en-US' };

/** Sandbox situation → the verdicts the user must see (besides the open Microsoft 365 Apps incident). */
const SITUATIONS: { user: keyof typeof SANDBOX_USERS; expect: FindingCode[]; usable: boolean }[] = [
  { user: 'e3', expect: ['licenceOk'], usable: true },
  { user: 'businessPremium', expect: ['licenceOk'], usable: true },
  { user: 'businessBasic', expect: ['noDesktopOffice'], usable: false },
  { user: 'officeDisabled', expect: ['officePlanDisabled'], usable: false },
  { user: 'countViolation', expect: ['assignmentError'], usable: false },
  { user: 'usageLocation', expect: ['assignmentError'], usable: false },
  { user: 'subscriptionWarning', expect: ['subscriptionWarning', 'licenceOk'], usable: true },
  { user: 'subscriptionSuspended', expect: ['subscriptionExpired'], usable: false },
  { user: 'disabledAccount', expect: ['accountDisabled'], usable: false },
  { user: 'noLicence', expect: ['noLicence'], usable: false },
  { user: 'guest', expect: ['guest', 'noLicence'], usable: false },
];

describe('Activation diagnosis against the sandbox tenant (real Graph client over HTTP)', () => {
  const fixture = new SandboxFixture();
  before(() => fixture.start());
  after(() => fixture.stop());
  beforeEach(() => fixture.reset());

  const titlePrefix = (language: 'ja' | 'en', code: FindingCode) =>
    loadCatalog().text(language, `verdict.${code}.title`).split('{')[0].trim();

  for (const language of ['ja', 'en'] as const) {
    for (const situation of SITUATIONS) {
      it(`${situation.user} (${language}): ${situation.expect.join(' + ')}`, async () => {
        const { adapter } = createTestBot({ directory: fixture.directory });
        const conversation = new TestConversation(adapter, {
          locale: LOCALE[language],
          user: {
            id: `29:${situation.user}`,
            name: situation.user,
            aadObjectId: SANDBOX_USERS[situation.user],
          },
        });
        const replies = await conversation.say(OPENING[language]);
        assert.equal(replies[0].type, 'typing', 'a typing indicator first');
        assert.ok(textsOf(replies).includes(loadCatalog().text(language, 'activation.checking')));
        const verdict = cardsOf(replies)[0];
        const headings = stringsOf(verdict);
        for (const code of [...situation.expect, 'serviceIncident' as const])
          assert.ok(
            headings.some((s) => s.startsWith(titlePrefix(language, code))),
            `${code} in ${JSON.stringify(headings.slice(0, 8))}`,
          );
        // Each finding says what the user can do and what only an admin can do.
        assert.ok(headings.some((s) => s.includes(loadCatalog().text(language, 'who.user'))));
        assert.ok(headings.some((s) => s.includes(loadCatalog().text(language, 'who.admin'))));
        const next = lastCard(replies);
        if (situation.usable) {
          assert.ok(textsOf(replies).includes(loadCatalog().text(language, 'activation.okIntro')));
          assert.ok(
            textsOf(replies).some((t) => t.includes('@contoso.example')),
            'the UPN to compare with File > Account',
          );
          assert.ok(
            submitDataOf(next).some((d) => d.question === 'office-account'),
            'the client-side checklist follows',
          );
        } else {
          assert.deepEqual(
            submitDataOf(next).map((d) => d.choice),
            ['continue', 'person', 'done'],
          );
        }
      });
    }
  }

  it('names the group whose assignment failed, and explains CountViolation', async () => {
    const { adapter } = createTestBot({ directory: fixture.directory });
    const conversation = new TestConversation(adapter, {
      locale: 'ja-JP',
      user: { id: '29:mei', name: '伊藤 芽衣', aadObjectId: SANDBOX_USERS.countViolation },
    });
    const strings = stringsOf(cardsOf(await conversation.say(OPENING.ja))[0]).join('\n');
    assert.ok(strings.includes('Office ライセンス (E3)'), 'group name');
    assert.ok(strings.includes(loadCatalog().text('ja', 'assignmentError.CountViolation')));
  });

  it('goes on to the client-side checklist and, from there, to the per-version reset', async () => {
    const { adapter } = createTestBot({ directory: fixture.directory });
    const conversation = new TestConversation(adapter, {
      locale: 'en-US',
      user: { id: '29:ken', name: 'Ken', aadObjectId: SANDBOX_USERS.officeDisabled },
    });
    await conversation.say(OPENING.en);
    let replies = await conversation.click({ action: 'activation.next', choice: 'continue' });
    replies = await conversation.click({
      action: 'diagnosis.choose',
      question: 'office-account',
      choice: 'same-work-account',
    });
    const steps: string[] = [];
    for (let guard = 0; guard < 20; guard++) {
      const done = submitDataOf(lastCard(replies)).find(
        (d) => d.action === 'diagnosis.step' && d.outcome === 'done',
      );
      if (done) {
        steps.push(done.step);
        replies = await conversation.click(done);
        continue;
      }
      const verify = submitDataOf(lastCard(replies)).find(
        (d) => d.action === 'diagnosis.verify' && d.answer === 'no',
      );
      if (!verify) break;
      replies = await conversation.click(verify);
    }
    const flow = loadCatalog().flow('en');
    assert.deepEqual(steps, flow.procedure('activation-client-checks').steps);
    const options = submitDataOf(lastCard(replies)).map((d) => d.choice);
    assert.equal(options[0], 'continue', 'the per-version reset is offered first');
    replies = await conversation.click({
      action: 'diagnosis.next',
      procedure: 'activation-client-checks',
      choice: 'continue',
    });
    assert.ok(submitDataOf(lastCard(replies)).some((d) => d.question === 'office-product'));
  });

  it('when Graph is unreachable, says it could not check and still runs the checklist', async () => {
    fixture.sandbox.injectFault({ match: /./, status: 503 });
    const { adapter } = createTestBot({ directory: fixture.newDirectory({ operationBudgetMs: 3000 }) });
    const conversation = new TestConversation(adapter, {
      locale: 'ja-JP',
      user: { id: '29:hanako', name: '佐藤 花子', aadObjectId: SANDBOX_USERS.e3 },
    });
    let replies = await conversation.say(OPENING.ja);
    const strings = stringsOf(cardsOf(replies)[0]);
    assert.ok(strings.includes(loadCatalog().text('ja', 'verdict.unavailable.title')));
    assert.deepEqual(
      submitDataOf(lastCard(replies)).map((d) => d.choice),
      ['continue', 'person', 'done'],
      'a person is offered',
    );
    replies = await conversation.click({ action: 'activation.next', choice: 'continue' });
    assert.ok(submitDataOf(lastCard(replies)).some((d) => d.question === 'office-account'));
    assert.ok(fixture.sleeps.reduce((a, b) => a + b, 0) < 10_000, 'the user heard back within 10 s');
  });

  it('renders every verdict title with its parameters filled in', () => {
    const views = new LicenceViews(loadCatalog(), loadProducts());
    const card = JSON.stringify(
      views.verdict('en', {
        usableDesktopOffice: false,
        findings: [
          {
            code: 'subscriptionExpired',
            severity: 'blocker',
            params: { product: 'Office 365 E3', status: 'Suspended' },
          },
        ],
      }).content,
    );
    assert.ok(card.includes('Office 365 E3'));
    assert.ok(!/\{(product|status)\}/.test(card));
  });
});
