import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import {
  button,
  cardsOf,
  codeBlocksOf,
  createTestBot,
  lastCard,
  loadCatalog,
  nodesOf,
  stringsOf,
  submitDataOf,
  textsOf,
  TestConversation,
  type CardContent,
} from '../helpers/testBot';
import type { Language } from '../../core/language';

const LOCALES: Record<Language, string> = { ja: 'ja-JP', en: 'en-US' };
const OPENING: Record<Language, string> = {
  ja: 'Office にサインインできません',
  en: "I can't sign in to Office",
};

function newConversation(
  language: Language,
  options: ConstructorParameters<typeof TestConversation>[1] = {},
) {
  const bot = createTestBot();
  return { bot, conversation: new TestConversation(bot.adapter, { locale: LOCALES[language], ...options }) };
}

const isStepCard = (card: CardContent) => submitDataOf(card).some((d) => d.action === 'diagnosis.step');
const stepIdOf = (card: CardContent) => button(card, { action: 'diagnosis.step', outcome: 'done' }).step;

/** Clicks "Done" on every step card until the bot asks whether it works now; returns the step cards seen. */
async function walkSteps(
  conversation: TestConversation,
  first: Partial<Activity>[],
): Promise<{ steps: CardContent[]; verify: CardContent }> {
  const steps: CardContent[] = [];
  let replies = first;
  for (let guard = 0; guard < 20; guard++) {
    const card = lastCard(replies);
    if (!isStepCard(card)) return { steps, verify: card };
    steps.push(card);
    replies = await conversation.click(button(card, { action: 'diagnosis.step', outcome: 'done' }));
  }
  throw new Error('procedure did not end');
}

interface Branch {
  product: string;
  admin?: string;
  procedure: string;
}

const BRANCHES: Branch[] = [
  { product: 'office-2013-2016', procedure: 'reset-office-2013-2016' },
  { product: 'office-2019-later', procedure: 'reset-office-2019-later' },
  { product: 'consumer-office', procedure: 'reset-office-2019-later' },
  { product: 'microsoft-365-apps', admin: 'is-admin', procedure: 'reset-m365-apps-admin' },
  { product: 'microsoft-365-apps', admin: 'other-admin-available', procedure: 'reset-m365-apps-other-admin' },
  { product: 'microsoft-365-apps', admin: 'no-admin', procedure: 'reset-m365-apps-no-admin' },
];

const PATHS = [
  String.raw`%LOCALAPPDATA%\Packages\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\AC\TokenBroker\Accounts`,
  String.raw`%LOCALAPPDATA%\Packages\Microsoft.Windows.CloudExperienceHost_cw5n1h2txyewy\AC\TokenBroker\Accounts`,
];

describe('Sign-in repair diagnosis (TestAdapter, production bot logic)', () => {
  for (const language of ['ja', 'en'] as const) {
    describe(`in ${language}`, () => {
      const flow = loadCatalog().flow(language);

      for (const branch of BRANCHES) {
        it(`${branch.product}${branch.admin ? ` / ${branch.admin}` : ''} ends with the steps of ${branch.procedure}`, async () => {
          const { conversation } = newConversation(language);
          let replies = await conversation.say(OPENING[language]);
          const productQuestion = lastCard(replies);
          assert.equal(
            button(productQuestion, { action: 'diagnosis.choose', choice: branch.product }).question,
            'office-product',
          );
          assert.ok(
            stringsOf(productQuestion).includes(flow.question('office-product').help!.text),
            'version help is offered',
          );

          replies = await conversation.click(
            button(productQuestion, { action: 'diagnosis.choose', choice: branch.product }),
          );
          if (branch.admin) {
            const adminQuestion = lastCard(replies);
            assert.ok(stringsOf(adminQuestion).includes(flow.question('admin-rights').prompt));
            replies = await conversation.click(
              button(adminQuestion, { action: 'diagnosis.choose', choice: branch.admin }),
            );
          }

          const procedure = flow.procedure(branch.procedure);
          const { steps, verify } = await walkSteps(conversation, replies);
          const checkpointAt = procedure.steps.findIndex((id) => flow.step(id).checkpoint);
          const expectedUntilVerify =
            checkpointAt >= 0 ? procedure.steps.slice(0, checkpointAt + 1) : procedure.steps;
          assert.deepEqual(steps.map(stepIdOf), expectedUntilVerify);

          // Every text, warning, note and snippet of each step reaches the user on its card.
          steps.forEach((card, index) => {
            const step = flow.step(expectedUntilVerify[index]);
            const strings = stringsOf(card);
            for (const expected of [step.title, step.text])
              assert.ok(strings.includes(expected), `${step.id}: ${expected}`);
            for (const warning of step.warnings)
              assert.ok(strings.includes(`⚠ ${warning}`), `${step.id} warning`);
            for (const note of step.notes) assert.ok(strings.includes(`ℹ ${note}`), `${step.id} note`);
            const snippets = codeBlocksOf(card).map((c) => c.codeSnippet);
            for (const code of step.code)
              if ('text' in code) assert.ok(snippets.includes(code.text), `${step.id} code`);
          });
          assert.ok(stringsOf(steps[0]).includes(procedure.intro), 'intro on the first step');

          assert.equal(
            button(verify, { action: 'diagnosis.verify', answer: 'yes' }).procedure,
            branch.procedure,
          );
          replies = await conversation.click(button(verify, { action: 'diagnosis.verify', answer: 'yes' }));
          assert.ok(stringsOf(lastCard(replies)).includes(loadCatalog().text(language, 'fixed.title')));
        });
      }

      it('reset steps for 2019 and later carry both token-broker paths, exactly', async () => {
        const { conversation } = newConversation(language);
        await conversation.say(OPENING[language]);
        const replies = await conversation.click({
          action: 'diagnosis.choose',
          question: 'office-product',
          choice: 'office-2019-later',
        });
        const { steps } = await walkSteps(conversation, replies);
        const brokerCard = steps.find((card) => stepIdOf(card) === 'delete-token-broker-cache')!;
        const snippets = codeBlocksOf(brokerCard).map((c) => c.codeSnippet);
        for (const path of PATHS) assert.ok(snippets.includes(path));
        const disconnect = steps.find((card) => stepIdOf(card) === 'disconnect-work-or-school-account')!;
        assert.ok(
          stringsOf(disconnect).some((s) => s.startsWith('⚠ ') && s.includes('Azure AD')),
          'never disconnect AD-joined entries',
        );
      });

      it('"no" walks through WPJCleanUp, the sign-out script and then a person', async () => {
        const { conversation } = newConversation(language);
        await conversation.say(OPENING[language]);
        let replies = await conversation.click({
          action: 'diagnosis.choose',
          question: 'office-product',
          choice: 'office-2019-later',
        });
        const { verify } = await walkSteps(conversation, replies);
        replies = await conversation.click(button(verify, { action: 'diagnosis.verify', answer: 'no' }));

        let next = lastCard(replies);
        assert.deepEqual(
          submitDataOf(next).map((d) => d.choice),
          ['wpj-cleanup', 'signout-wam-accounts-script', 'person'],
        );
        replies = await conversation.click(button(next, { action: 'diagnosis.next', choice: 'wpj-cleanup' }));
        const wpj = await walkSteps(conversation, replies);
        assert.deepEqual(wpj.steps.map(stepIdOf), [
          'download-wpjcleanup',
          'extract-wpjcleanup-as-user',
          'run-wpjcleanup',
        ]);
        const wpjUrl =
          'https://download.microsoft.com/download/8/e/f/8ef13ae0-6aa8-48a2-8697-5b1711134730/WPJCleanUp.zip';
        assert.ok(codeBlocksOf(wpj.steps[0]).some((c) => c.codeSnippet === wpjUrl));
        assert.ok(stringsOf(wpj.steps[2]).some((s) => s.includes('WPJCleanp.cmd')));

        replies = await conversation.click(button(wpj.verify, { action: 'diagnosis.verify', answer: 'no' }));
        next = lastCard(replies);
        assert.deepEqual(
          submitDataOf(next).map((d) => d.choice),
          ['signout-wam-accounts-script', 'person'],
        );
        replies = await conversation.click(
          button(next, { action: 'diagnosis.next', choice: 'signout-wam-accounts-script' }),
        );
        const script = await walkSteps(conversation, replies);
        const [block] = codeBlocksOf(script.steps[0]);
        assert.equal(block.language, 'PowerShell');
        assert.equal(block.codeSnippet, loadCatalog().scriptText('signout-wam-accounts'));
        assert.ok(
          stringsOf(script.steps[0]).includes('http://localhost:3978/downloads/Signoutofwamaccounts.ps1'),
        );

        replies = await conversation.click(
          button(script.verify, { action: 'diagnosis.verify', answer: 'no' }),
        );
        next = lastCard(replies);
        assert.deepEqual(
          submitDataOf(next).map((d) => d.choice),
          ['person'],
        );
        replies = await conversation.click(button(next, { action: 'diagnosis.next', choice: 'person' }));
        // The escalation asks only what the diagnosis does not know: the steps tried are on record.
        const form = lastCard(replies);
        assert.ok(stringsOf(form).includes(loadCatalog().text(language, 'escalation.form.title')));
        const inputIds = nodesOf(form)
          .filter((n) => n.type === 'Input.Text')
          .map((n) => n.id);
        assert.deepEqual(inputIds, ['errorMessage', 'device', 'browser']);
        replies = await conversation.click({
          action: 'ticket.details',
          errorMessage: '0xCAA70004',
          device: 'Windows 11',
        });
        replies = await conversation.click({ action: 'ticket.screenshot', choice: 'none' });
        const strings = stringsOf(lastCard(replies));
        assert.ok(strings.includes(loadCatalog().text(language, 'escalation.summary.title')));
        assert.ok(strings.includes(OPENING[language]), "the user's own words travel with the summary");
        assert.ok(strings.includes('0xCAA70004'));
        assert.ok(
          strings.some((s) => s.includes(flow.procedure('wpj-cleanup').title)),
          'procedures tried are listed',
        );
      });

      it('without any admin account, checks after the double-click run and stops there if it worked', async () => {
        const { conversation } = newConversation(language);
        await conversation.say(OPENING[language]);
        await conversation.click({
          action: 'diagnosis.choose',
          question: 'office-product',
          choice: 'microsoft-365-apps',
        });
        let replies = await conversation.click({
          action: 'diagnosis.choose',
          question: 'admin-rights',
          choice: 'no-admin',
        });
        const first = await walkSteps(conversation, replies);
        assert.equal(first.steps.length, 3);
        assert.ok(stringsOf(first.verify).includes(loadCatalog().text(language, 'verify.checkpointPrompt')));
        replies = await conversation.click(
          button(first.verify, { action: 'diagnosis.verify', answer: 'no' }),
        );
        const rest = await walkSteps(conversation, replies);
        assert.deepEqual(rest.steps.map(stepIdOf), [
          'disconnect-work-or-school-account',
          'delete-token-broker-cache',
          'sign-out-or-restart-windows',
        ]);
        assert.ok(stringsOf(rest.verify).includes(loadCatalog().text(language, 'verify.prompt')));
      });

      it('works from a checklist and records unticked steps', async () => {
        const { conversation } = newConversation(language);
        await conversation.say(OPENING[language]);
        let replies = await conversation.click({
          action: 'diagnosis.choose',
          question: 'office-product',
          choice: 'office-2013-2016',
        });
        replies = await conversation.click(
          button(lastCard(replies), { action: 'diagnosis.step', outcome: 'checklist' }),
        );
        const checklist = lastCard(replies);
        const toggles = stringsOf(checklist).filter((s) => s.startsWith('step-'));
        assert.deepEqual(toggles, [
          'step-sign-out-quit-office',
          'step-download-olicensecleanup',
          'step-run-olicensecleanup-double-click',
        ]);
        assert.ok(
          stringsOf(checklist).some((s) => s.startsWith('⚠ ')),
          'warnings stay in place on the checklist',
        );

        replies = await conversation.click(
          button(checklist, { action: 'diagnosis.checklist', view: 'submit' }),
          {
            'step-sign-out-quit-office': 'true',
            'step-download-olicensecleanup': 'true',
            'step-run-olicensecleanup-double-click': 'false',
          },
        );
        assert.ok(
          textsOf(replies).some((t) =>
            t.includes(loadCatalog().flow(language).step('run-olicensecleanup-double-click').title),
          ),
        );
        assert.ok(submitDataOf(lastCard(replies)).some((d) => d.action === 'diagnosis.verify'));
      });

      it('can go back from the checklist to one step at a time', async () => {
        const { conversation } = newConversation(language);
        await conversation.say(OPENING[language]);
        let replies = await conversation.click({
          action: 'diagnosis.choose',
          question: 'office-product',
          choice: 'office-2013-2016',
        });
        replies = await conversation.click(
          button(lastCard(replies), { action: 'diagnosis.step', outcome: 'done' }),
        );
        replies = await conversation.click(
          button(lastCard(replies), { action: 'diagnosis.step', outcome: 'checklist' }),
        );
        replies = await conversation.click(
          button(lastCard(replies), { action: 'diagnosis.checklist', view: 'stepByStep' }),
        );
        assert.equal(stepIdOf(lastCard(replies)), 'download-olicensecleanup');
      });

      it('records "did not help" and moves on', async () => {
        const { conversation } = newConversation(language);
        await conversation.say(OPENING[language]);
        let replies = await conversation.click({
          action: 'diagnosis.choose',
          question: 'office-product',
          choice: 'office-2013-2016',
        });
        replies = await conversation.click(
          button(lastCard(replies), { action: 'diagnosis.step', outcome: 'notHelped' }),
        );
        assert.ok(textsOf(replies).includes(loadCatalog().text(language, 'step.notHelpedAck')));
        assert.equal(stepIdOf(lastCard(replies)), 'download-olicensecleanup');
      });
    });
  }

  describe('understanding typed answers', () => {
    it('takes the Office version from the opening message and does not ask again', async () => {
      const { conversation } = newConversation('ja');
      const replies = await conversation.say('Ｏｆｆｉｃｅ２０１６ にサインインできない');
      assert.ok(textsOf(replies).some((t) => t.includes('Office 2013 / 2016')));
      assert.equal(stepIdOf(lastCard(replies)), 'sign-out-quit-office');
    });

    it('accepts typed choices at each question and step', async () => {
      const { conversation } = newConversation('en');
      await conversation.say("I can't sign in to Word on my laptop");
      let replies = await conversation.say('We have Microsoft 365');
      assert.ok(submitDataOf(lastCard(replies)).some((d) => d.question === 'admin-rights'));
      replies = await conversation.say("no, I'm not an admin");
      assert.equal(stepIdOf(lastCard(replies)), 'sign-out-quit-office-teams-onedrive');
      replies = await conversation.say('done');
      assert.equal(stepIdOf(lastCard(replies)), 'download-olicensecleanup');
    });

    it('says what the card expects, and offers the menu, when words are no answer, command or problem', async () => {
      const { conversation } = newConversation('ja');
      await conversation.say('サインインできない');
      const replies = await conversation.say('よくわからない');
      const notice = lastCard(replies);
      assert.ok(stringsOf(notice).includes(loadCatalog().text('ja', 'unclear.question')));
      assert.ok(submitDataOf(notice).some((d) => d.action === 'diagnosis.start' && d.flow === 'menu'));
      // The question still waits: an answer in words goes on.
      const next = await conversation.say('2016 です');
      assert.equal(stepIdOf(lastCard(next)), 'sign-out-quit-office');
    });

    it('answers a button from an earlier card with where the user is now', async () => {
      const { conversation } = newConversation('en');
      await conversation.say(OPENING.en);
      let replies = await conversation.click({
        action: 'diagnosis.choose',
        question: 'office-product',
        choice: 'office-2013-2016',
      });
      const firstStep = lastCard(replies);
      await conversation.click(button(firstStep, { action: 'diagnosis.step', outcome: 'done' }));
      replies = await conversation.click(button(firstStep, { action: 'diagnosis.step', outcome: 'done' }));
      assert.ok(textsOf(replies).includes(loadCatalog().text('en', 'prompt.stale')));
      assert.equal(stepIdOf(lastCard(replies)), 'download-olicensecleanup');
    });

    it('answers a malformed or unknown card payload clearly', async () => {
      const { conversation } = newConversation('en');
      let replies = await conversation.click({ action: 'diagnosis.teleport', to: 'anywhere' });
      assert.ok(stringsOf(lastCard(replies)).includes(loadCatalog().text('en', 'card.unknownAction')));
      replies = await conversation.click({
        action: 'diagnosis.step',
        procedure: 'reset-office-2013-2016',
        step: 'x',
        outcome: 'done',
      });
      assert.ok(stringsOf(lastCard(replies)).includes(loadCatalog().text('en', 'card.finishedDiagnosis')));
    });
  });

  describe('help, cancel and restart at any point', () => {
    const WORDS = {
      ja: { help: 'ヘルプ', cancel: 'キャンセル', restart: '最初から' },
      en: { help: 'help', cancel: 'cancel', restart: 'restart' },
    };
    for (const language of ['ja', 'en'] as const) {
      it(`help keeps the place (${language})`, async () => {
        const { conversation } = newConversation(language);
        await conversation.say(OPENING[language]);
        let replies = await conversation.click({
          action: 'diagnosis.choose',
          question: 'office-product',
          choice: 'office-2013-2016',
        });
        const step = lastCard(replies);
        replies = await conversation.say(WORDS[language].help);
        assert.ok(stringsOf(cardsOf(replies)).includes(loadCatalog().text(language, 'help.title')));
        replies = await conversation.click(button(step, { action: 'diagnosis.step', outcome: 'done' }));
        assert.equal(stepIdOf(lastCard(replies)), 'download-olicensecleanup');
      });

      it(`cancel ends the diagnosis (${language})`, async () => {
        const { conversation } = newConversation(language);
        await conversation.say(OPENING[language]);
        let replies = await conversation.click({
          action: 'diagnosis.choose',
          question: 'office-product',
          choice: 'office-2013-2016',
        });
        const step = lastCard(replies);
        replies = await conversation.say(WORDS[language].cancel);
        assert.deepEqual(textsOf(replies), [loadCatalog().text(language, 'cancel.done')]);
        replies = await conversation.click(button(step, { action: 'diagnosis.step', outcome: 'done' }));
        assert.ok(
          stringsOf(lastCard(replies)).includes(loadCatalog().text(language, 'card.finishedDiagnosis')),
        );
        replies = await conversation.say(WORDS[language].cancel);
        assert.deepEqual(textsOf(replies), [loadCatalog().text(language, 'cancel.nothing')]);
      });

      it(`restart goes back to the first question (${language})`, async () => {
        const { conversation } = newConversation(language);
        await conversation.say(OPENING[language]);
        await conversation.click({
          action: 'diagnosis.choose',
          question: 'office-product',
          choice: 'microsoft-365-apps',
        });
        const replies = await conversation.say(WORDS[language].restart);
        assert.ok(textsOf(replies).includes(loadCatalog().text(language, 'restart.done')));
        assert.ok(submitDataOf(lastCard(replies)).some((d) => d.question === 'office-product'));
      });
    }

    it('understands full-width commands and command buttons', async () => {
      const { conversation } = newConversation('ja');
      let replies = await conversation.say('ＨＥＬＰ');
      assert.ok(stringsOf(cardsOf(replies)).includes(loadCatalog().text('ja', 'help.title')));
      replies = await conversation.click({ action: 'command', name: 'restart' });
      assert.ok(submitDataOf(lastCard(replies)).some((d) => d.question === 'office-product'));
      replies = await conversation.click({ action: 'command', name: 'cancel' });
      assert.deepEqual(textsOf(replies), [loadCatalog().text('ja', 'cancel.done')]);
    });
  });

  describe('language', () => {
    it('answers Japanese text in Japanese even when the client locale is English, and keeps it for buttons', async () => {
      const { conversation } = newConversation('en');
      let replies = await conversation.say(OPENING.ja);
      assert.ok(
        stringsOf(lastCard(replies)).includes(loadCatalog().flow('ja').question('office-product').prompt),
      );
      replies = await conversation.click({
        action: 'diagnosis.choose',
        question: 'office-product',
        choice: 'office-2013-2016',
      });
      assert.ok(
        stringsOf(lastCard(replies)).includes(loadCatalog().flow('ja').step('sign-out-quit-office').title),
      );
    });

    it('answers an English sentence in English even when the client locale is Japanese', async () => {
      const { conversation } = newConversation('ja');
      let replies = await conversation.say("I can't sign in to Office");
      assert.ok(
        stringsOf(lastCard(replies)).includes(loadCatalog().flow('en').question('office-product').prompt),
      );
      replies = await conversation.say('2016');
      assert.ok(
        stringsOf(lastCard(replies)).includes(loadCatalog().flow('en').step('sign-out-quit-office').title),
      );
    });

    it('a pasted English error message does not switch a Japanese conversation to English', async () => {
      const { conversation } = newConversation('ja');
      const replies = await conversation.say(
        'AADSTS50126: Error validating credentials due to invalid username or password.',
      );
      assert.ok(
        replies.some((r) => JSON.stringify(r).match(/[\u3040-\u30ff]/)),
        'answered in Japanese',
      );
    });

    it('defaults to Japanese for locales it has no content for', async () => {
      const { conversation } = newConversation('ja', { locale: 'fr-FR' });
      const replies = await conversation.say('hello');
      assert.ok(stringsOf(lastCard(replies)).includes(loadCatalog().text('ja', 'menu.prompt')));
    });
  });
});
