import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import {
  cardsOf,
  createTestBot,
  lastCard,
  loadCatalog as catalog,
  loadUnderstandingOnce,
  stringsOf,
  submitDataOf,
  textsOf,
  TestConversation,
  type CardContent,
} from '../helpers/testBot';
import type { Language } from '../../core/language';
import { DiagnosisViews } from '../../views/diagnosisViews';

/**
 * Transcript tests: what the user types while a card waits, and what the bot answers, in words. Each reads like
 * the conversation it checks.
 */
const views = new DiagnosisViews(catalog(), 'http://localhost:3978', loadUnderstandingOnce().commands);
const t = (language: Language, key: string, params?: Record<string, string>) =>
  catalog().text(language, key, params);

function chat(language: Language) {
  return new TestConversation(createTestBot().adapter, { locale: language === 'ja' ? 'ja-JP' : 'en-US' });
}

/** What the user now sees: texts and every string of every card. */
const seen = (replies: Partial<Activity>[]) => [...textsOf(replies), ...cardsOf(replies).flatMap(stringsOf)];
const questionOf = (card: CardContent) => submitDataOf(card).find((d) => d.question)?.question;
const stepOf = (card: CardContent) => submitDataOf(card).find((d) => d.action === 'diagnosis.step');
const resumeButton = (replies: Partial<Activity>[]) =>
  cardsOf(replies)
    .flatMap(submitDataOf)
    .find((d) => d.action === 'diagnosis.resume');

describe('Typed words at any card: answer, command or a new problem (transcripts)', () => {
  describe('switching to another problem, with a way back', () => {
    for (const [language, opening, switchText] of [
      ['ja', 'Office にサインインできません', 'Microsoft アカウントのパスワードを忘れた'],
      ['en', "I can't sign in to Office", 'I forgot my Microsoft account password'],
    ] as const) {
      it(`${language}: at the version question, a forgotten account password switches, and the button goes back`, async () => {
        const user = chat(language);
        assert.equal(questionOf(lastCard(await user.say(opening))), 'office-product');
        const replies = await user.say(switchText);
        assert.ok(seen(replies).includes(t(language, 'switch.to.account')), 'says so in one line');
        assert.ok(resumeButton(replies), 'with a button back');
        assert.notEqual(questionOf(lastCard(replies)), 'office-product', 'the account flow asks now');
        const back = await user.click(resumeButton(replies)!);
        assert.ok(textsOf(back).includes(t(language, 'resume.done')));
        assert.equal(questionOf(lastCard(back)), 'office-product', 'the version question again');
      });
    }

    for (const language of ['ja', 'en'] as const) {
      it(`${language}: at a reset step, "it was an activation error after all" checks the licence`, async () => {
        const user = chat(language);
        await user.say(language === 'ja' ? 'Office 2019 でサインインできない' : "Office 2019 won't sign in");
        const replies = await user.say(
          language === 'ja'
            ? 'やっぱりライセンス認証のエラーでした'
            : 'Actually it is an Office activation error',
        );
        assert.ok(seen(replies).includes(t(language, 'switch.to.activation')));
        assert.ok(textsOf(replies).includes(t(language, 'activation.checking')), 'the licence check runs');
      });
    }

    it('ja: at "is it fixed?", 「ライセンス認証ができない」 is another problem, not "no"', async () => {
      const user = chat('ja');
      await user.say('Office 2013 でサインインできない');
      await user.say('できた');
      await user.say('できた');
      const verify = await user.say('できた');
      assert.ok(submitDataOf(lastCard(verify)).some((d) => d.action === 'diagnosis.verify'));
      const replies = await user.say('ライセンス認証ができないと表示されます');
      assert.ok(textsOf(replies).includes(t('ja', 'activation.checking')));
    });

    it('en: in the account flow, "it is Word, not the browser" re-asks from the question it corrects', async () => {
      const user = chat('en');
      await user.say('Office 2016 sign-in fails');
      await user.say('I forgot my outlook.com password');
      const replies = await user.say("No wait, it's in Word on my PC");
      assert.ok(textsOf(replies).includes(t('en', 'correction.done')));
      assert.equal(
        questionOf(lastCard(replies)),
        'account-office',
        'the Office app branch of the account flow',
      );
    });

    it('ja: at the checklist, a Microsoft account lock switches to the account flow', async () => {
      const user = chat('ja');
      const first = await user.say('Office 2016 でサインインできない');
      const checklist = await user.click({ ...stepOf(lastCard(first))!, outcome: 'checklist' });
      assert.ok(submitDataOf(lastCard(checklist)).some((d) => d.action === 'diagnosis.checklist'));
      const replies = await user.say('「やりとりをつくれません」と出てアカウントがロックされました');
      assert.ok(
        seen(replies).some((s) => s.includes('やりとりをつくれません')),
        'the message is explained',
      );
      assert.equal(stepOf(lastCard(replies))?.procedure, 'account-unlock');
    });

    it('en: after the licence verdict, a forgotten password switches to the account flow', async () => {
      const user = chat('en');
      await user.say("Office won't activate");
      const replies = await user.say('Actually I just forgot my Microsoft account password');
      assert.ok(seen(replies).includes(t('en', 'switch.to.account')));
    });

    it('ja: at the escalation form, a described problem is kept as the error, with an offer to try first', async () => {
      const user = chat('ja');
      await user.say('担当者と話したい');
      const replies = await user.say('Office のライセンス認証ができません');
      assert.ok(textsOf(replies).includes(t('ja', 'escalation.form.typed')), 'kept in the form');
      const offer = cardsOf(replies)
        .flatMap(submitDataOf)
        .find((d) => d.flow === 'activation');
      assert.ok(offer, 'a button to try the activation fixes first');
      const tried = await user.click(offer);
      assert.ok(textsOf(tried).includes(t('ja', 'activation.checking')));
    });

    it('en: at the menu, "I can\'t sign in to Office" is understood, not only the button title', async () => {
      const user = chat('en');
      const menu = await user.say('hello');
      assert.ok(submitDataOf(lastCard(menu)).some((d) => d.flow === 'menu' || d.flow === 'signin-repair'));
      const replies = await user.say("I can't sign in to Office");
      assert.equal(questionOf(lastCard(replies)), 'office-product');
    });

    it('ja: a clarifying question does not trap what follows', async () => {
      const user = chat('ja');
      await user.say('サインインの件');
      const replies = await user.say('Office にサインインできません。Office 2016 です');
      assert.equal(stepOf(lastCard(replies))?.procedure, 'reset-office-2013-2016');
    });

    it('en: an admin licence question in the middle of a diagnosis leaves the diagnosis where it was', async () => {
      const user = chat('en');
      await user.say("Office 2019 won't sign in");
      const replies = await user.say('licenses');
      assert.ok(replies.length > 0, 'answered (refused for a non-admin)');
      const next = await user.say('done');
      assert.equal(stepOf(lastCard(next))?.step, 'download-olicensecleanup');
    });
  });

  describe('answers in words, commands, and the rest', () => {
    it('ja: 「いいえ、管理者じゃない」 answers the admin question', async () => {
      const user = chat('ja');
      await user.say('Microsoft 365 Apps でサインインできない');
      const replies = await user.say('いいえ、管理者じゃない');
      assert.equal(stepOf(lastCard(replies))?.procedure, 'reset-m365-apps-no-admin');
    });

    it("ja: typing the button's own words 「スクリーンショットなし」 answers the screenshot question", async () => {
      const user = chat('ja');
      await user.say('担当者と話したい');
      await user.click({ action: 'ticket.details', errorMessage: 'エラー', device: 'PC', browser: 'Edge' });
      const replies = await user.say('スクリーンショットなし');
      assert.ok(
        cardsOf(replies)
          .flatMap(submitDataOf)
          .some((d) => d.action === 'ticket.confirm'),
        'the summary follows',
      );
    });

    it('en: "back" with nothing to go back to says so', async () => {
      const user = chat('en');
      await user.say("I can't sign in to Office");
      const replies = await user.say('back');
      assert.ok(textsOf(replies).includes(t('en', 'back.nothing')));
    });

    it('ja: a correction of an earlier answer asks again from that question', async () => {
      const user = chat('ja');
      await user.say('Office 2016 でサインインできません');
      const replies = await user.say('すみません、確認したら Microsoft 365 Apps でした');
      assert.ok(textsOf(replies).includes(t('ja', 'correction.done')));
      assert.equal(questionOf(lastCard(replies)), 'admin-rights');
    });

    it('ja: 「3番目」 picks the third button of the question; "the second one" in English', async () => {
      const ja = chat('ja');
      await ja.say('Office にサインインできません');
      let replies = await ja.say('3番目');
      assert.equal(
        questionOf(lastCard(replies)),
        'admin-rights',
        'Microsoft 365 Apps asks about admin rights',
      );
      const en = chat('en');
      await en.say("I can't sign in to Office");
      replies = await en.say('the second one');
      assert.equal(stepOf(lastCard(replies))?.procedure, 'reset-office-2019-later');
    });

    it('ja: 「ヘルプお願いします」 and 「いったん中止で」 are commands said in a few more words', async () => {
      const user = chat('ja');
      await user.say('Office にサインインできません');
      let replies = await user.say('ヘルプお願いします');
      assert.ok(textsOf(replies).includes(t('ja', 'help.resume')));
      replies = await user.say('いったん中止で');
      assert.ok(textsOf(replies).includes(t('ja', 'cancel.done')));
    });

    it('ja: an error code of the same problem pasted at a step is explained, and the step waits again', async () => {
      const user = chat('ja');
      await user.say('Office 2019 でサインインできません');
      const replies = await user.say('今見たら 0xCAA70004 というコードが出てました');
      assert.ok(
        seen(replies).some((s) => s.includes('0xCAA70004')),
        'the code is explained',
      );
      assert.equal(
        stepOf(lastCard(replies))?.step,
        'sign-out-quit-office-teams-onedrive',
        'the same step again',
      );
    });

    it('en: at "is it fixed?" after error 400, a sign-in loop starts the account flow again with those words', async () => {
      const user = chat('en');
      let replies = await user.say('error 400 when I sign into my live.com account');
      replies = await user.click({ ...stepOf(lastCard(replies))!, outcome: 'done' });
      replies = await user.say(
        'hmm, no more 400 now, it just keeps bouncing me back to the sign-in page over and over',
      );
      assert.equal(questionOf(lastCard(replies)), 'account-where');
      replies = await user.click({
        action: 'diagnosis.choose',
        question: 'account-where',
        choice: 'browser',
      });
      if (questionOf(lastCard(replies)) === 'account-type')
        replies = await user.click({
          action: 'diagnosis.choose',
          question: 'account-type',
          choice: 'personal',
        });
      assert.equal(stepOf(lastCard(replies))?.procedure, 'account-sign-in-loop');
    });

    it('ja: a personal hotmail with 「ユーザー名またはパスワードが正しくありません」 gets no work-account (AADSTS) explanation', async () => {
      const user = chat('ja');
      const replies = await user.say(
        'hotmail にログインしようとすると「ユーザー名またはパスワードが正しくありません」と出ます',
      );
      assert.ok(!seen(replies).some((s) => s.includes('AADSTS50126')), 'no Entra explanation');
      assert.equal(questionOf(lastCard(replies)), 'account-where', 'the account flow asks where');
    });

    it('en: words that are no answer, command or problem say what the card expects and offer the menu', async () => {
      const user = chat('en');
      await user.say("Office 2019 won't sign in");
      const replies = await user.say('banana');
      assert.ok(seen(replies).includes(t('en', 'unclear.step')));
    });
  });

  describe("the seeds' shortcuts reach their remedy within two turns", () => {
    for (const [language, text, procedure] of [
      ['ja', 'Signoutofwamaccounts.ps1 が文字化けします', 'signout-wam-accounts-script'],
      ['en', 'Signoutofwamaccounts.ps1 shows garbled characters', 'signout-wam-accounts-script'],
      ['ja', '職場または学校にアクセスする からアカウントを切断できません', 'wpj-cleanup'],
      ['en', "I can't disconnect my account in Access work or school", 'wpj-cleanup'],
      ['ja', '問題が発生しました [1001]', 'account-office-error-1001'],
      ['en', 'Something went wrong [1001]', 'account-office-error-1001'],
      ['ja', 'エラー400 でサインインできません', 'account-error-400'],
      ['en', 'I get error 400 when I sign in', 'account-error-400'],
    ] as const) {
      it(`${language}: "${text}" → ${procedure}`, async () => {
        const replies = await chat(language).say(text);
        assert.equal(stepOf(lastCard(replies))?.procedure, procedure);
      });
    }

    it('ja: the 1001 card cites the support article and says no Microsoft page explains it', async () => {
      const replies = await chat('ja').say('問題が発生しました [1001]');
      assert.ok(seen(replies).some((s) => s.startsWith('出典: サポート記事「')));
    });

    it('ja: mid-diagnosis, the garbled script goes straight to the script', async () => {
      const user = chat('ja');
      await user.say('Office 2019 でサインインできない');
      const replies = await user.say('Signoutofwamaccounts.ps1 が文字化けします');
      assert.equal(stepOf(lastCard(replies))?.procedure, 'signout-wam-accounts-script');
    });

    for (const language of ['ja', 'en'] as const) {
      it(`${language}: "didn't work" at the disconnect step offers WPJCleanUp before moving on`, async () => {
        const user = chat(language);
        let replies = await user.say(
          language === 'ja' ? 'Office 2019 でサインインできない' : "Office 2019 won't sign in",
        );
        while (stepOf(lastCard(replies))?.step !== 'disconnect-work-or-school-account')
          replies = await user.click({ ...stepOf(lastCard(replies))!, outcome: 'done' });
        replies = await user.click({ ...stepOf(lastCard(replies))!, outcome: 'notHelped' });
        const offer = submitDataOf(lastCard(replies)).find((d) => d.choice === 'wpj-cleanup');
        assert.ok(offer, 'WPJCleanUp is offered');
        replies = await user.click(offer);
        assert.equal(stepOf(lastCard(replies))?.procedure, 'wpj-cleanup');
      });
    }
  });

  describe('acknowledgements fit the question they answer', () => {
    it('renders every inferred answer of every question in both languages; "using" is for products only', () => {
      for (const language of ['ja', 'en'] as const) {
        const flow = catalog().flow(language);
        for (const question of flow.content.questions)
          for (const choice of question.choices) {
            const line = views.acknowledgement(language, question, choice, 'words');
            const aboutProducts = question.id === 'office-product';
            assert.equal(
              /お使い|using/.test(line),
              aboutProducts,
              `${language} ${question.id}/${choice.id}: ${line}`,
            );
            assert.ok(line.includes(choice.label));
          }
      }
    });
  });
});
