import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { projectRoot } from '../../bot/paths';
import type { Language } from '../../core/language';
import { INSTALL_LIMIT_USER, SandboxFixture } from '../helpers/sandbox';
import { DEACTIVATE_INSTALL_URL } from '../../core/licensing/officeActivations';
import {
  button,
  cardsOf,
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

/**
 * "Check my PC", driven through the production bot on the TestAdapter with the sandbox tenant behind the real
 * Graph client: a pasted result answers the questions, and every fact that changes the route is followed.
 */
const LOCALE: Record<Language, string> = { ja: 'ja-JP', en: 'en-US' };
/** The test user's Teams account in the sandbox tenant (E3 with Microsoft 365 Apps). */
const TEAMS_UPN = 'hanako.sato@contoso.example';
const OPENING_ACTIVATION: Record<Language, string> = {
  ja: 'Office のライセンス認証ができません',
  en: "Office won't activate on my PC",
};

interface PcLines {
  windows?: string;
  c2r?: string;
  msi?: string;
  identities?: string;
  join?: string;
  admin?: string;
  tls12?: string;
  signin?: string;
}

/** A check result as the script prints it, from a healthy Microsoft 365 Apps PC with the given lines changed. */
function paste(lines: PcLines = {}, options: { end?: boolean } = {}): string {
  const l: Required<PcLines> = {
    windows: 'Microsoft Windows 11 Pro | 10.0.22631',
    c2r: 'O365ProPlusRetail | 16.0.17928.20156 | Current | shared=',
    msi: 'none',
    identities: `${TEAMS_UPN} (AD)`,
    join: 'azuread=NO domain=NO workplace=YES prt=NO',
    admin: 'yes',
    tls12: 'n/a',
    signin: 'yes',
    ...lines,
  };
  return [
    '===== Sign-in Desk PC check v1 =====',
    `windows: ${l.windows}`,
    `office.c2r: ${l.c2r}`,
    `office.msi: ${l.msi}`,
    `office.identities: ${l.identities}`,
    `join: ${l.join}`,
    `wam: ${TEAMS_UPN}`,
    `admin: ${l.admin}`,
    `tls12: ${l.tls12}`,
    `signin: ${l.signin}`,
    ...(options.end === false ? [] : ['===== end =====']),
  ].join('\n');
}

const isStepCard = (card: CardContent) => submitDataOf(card).some((d) => d.action === 'diagnosis.step');
const questionCards = (replies: Partial<Activity>[]) =>
  cardsOf(replies).filter((c) => submitDataOf(c).some((d) => d.action === 'diagnosis.choose'));
const factsCardOf = (replies: Partial<Activity>[], language: Language) => {
  const title = loadCatalog().text(language, 'pcCheck.facts.title');
  const card = cardsOf(replies).find((c) => stringsOf(c).includes(title));
  assert.ok(card, `no facts card in ${JSON.stringify(replies.map((r) => r.text ?? r.type))}`);
  return card;
};
const stepOf = (card: CardContent) => button(card, { action: 'diagnosis.step', outcome: 'done' });

describe('Check my PC: a pasted result instead of questions (TestAdapter, sandbox tenant over HTTP)', () => {
  const fixture = new SandboxFixture();
  before(() => fixture.start());
  after(() => fixture.stop());
  beforeEach(() => fixture.reset());

  const start = (language: Language, user?: { id: string; name: string; aadObjectId?: string }) =>
    new TestConversation(createTestBot({ directory: fixture.directory }).adapter, {
      locale: LOCALE[language],
      ...(user ? { user } : {}),
    });

  for (const language of ['ja', 'en'] as const) {
    const catalog = loadCatalog();
    const t = (key: string, params?: Record<string, string>) => catalog.text(language, key, params);
    const flow = catalog.flow(language);
    const choiceLabel = (question: string, choice: string) =>
      flow.question(question).choices.find((c) => c.id === choice)!.label;

    describe(language, () => {
      it('Microsoft 365 Apps and an administrator: the admin reset at once, no question asked', async () => {
        const conversation = start(language);
        const replies = await conversation.say(paste());
        const facts = stringsOf(factsCardOf(replies, language));
        assert.ok(
          facts.some((s) => s.includes('Microsoft 365 Apps for enterprise')),
          facts.join(' | '),
        );
        assert.ok(facts.includes(t('pcCheck.channel.Current')));
        assert.deepEqual(questionCards(replies), []);
        const texts = textsOf(replies);
        assert.ok(
          texts.includes(
            t('pcCheck.answerFromPc', { choice: choiceLabel('office-product', 'microsoft-365-apps') }),
          ),
        );
        assert.ok(
          texts.includes(t('pcCheck.answerFromPc', { choice: choiceLabel('admin-rights', 'is-admin') })),
        );
        assert.equal(stepOf(lastCard(replies)).procedure, 'reset-m365-apps-admin');
      });

      it('Microsoft 365 Apps, not an administrator: only "can you use another admin account?" is asked', async () => {
        const conversation = start(language);
        let replies = await conversation.say(paste({ admin: 'no' }));
        const question = lastCard(replies);
        assert.equal(submitDataOf(question)[0].question, 'other-admin-account');
        assert.deepEqual(
          submitDataOf(question)
            .filter((d) => d.action === 'diagnosis.choose')
            .map((d) => d.choice),
          ['other-admin-available', 'no-admin'],
        );
        replies = await conversation.click(button(question, { choice: 'no-admin' }));
        assert.equal(stepOf(lastCard(replies)).procedure, 'reset-m365-apps-no-admin');
        // Back from there to the version: the user may choose, though the PC answered it.
        replies = await conversation.click(button(lastCard(replies), { action: 'diagnosis.back' }));
        replies = await conversation.click(button(lastCard(replies), { action: 'diagnosis.back' }));
        assert.equal(submitDataOf(lastCard(replies))[0].question, 'office-product');
      });

      it('the "another admin account?" question takes a typed yes or no', async () => {
        for (const [typed, procedure] of [
          [language === 'ja' ? 'はい' : 'yes', 'reset-m365-apps-other-admin'],
          [language === 'ja' ? '使えません' : "no, I can't", 'reset-m365-apps-no-admin'],
        ] as const) {
          const conversation = start(language);
          await conversation.say(paste({ admin: 'no' }));
          const replies = await conversation.say(typed);
          assert.equal(stepOf(lastCard(replies)).procedure, procedure, typed);
        }
      });

      it('Office LTSC 2021 on a domain-joined PC: the 2019+ reset, "never disconnect" in bold at that step', async () => {
        const conversation = start(language);
        let replies = await conversation.say(
          paste({
            c2r: 'ProPlus2021Volume | 16.0.14332.20615 | http://officecdn.microsoft.com/pr/5030841d-c919-4594-8d2d-84ae4f96e58e | shared=',
            join: 'azuread=NO domain=YES workplace=NO prt=NO',
          }),
        );
        const findings = stringsOf(factsCardOf(replies, language));
        assert.ok(
          findings.includes(t('pcCheck.finding.joined', { how: t('pcCheck.finding.joined.domain') })),
        );
        let card = lastCard(replies);
        assert.equal(stepOf(card).procedure, 'reset-office-2019-later');
        const warning = flow.step('disconnect-work-or-school-account').factWarnings[0].text;
        for (
          let guard = 0;
          guard < 10 && stepOf(card).step !== 'disconnect-work-or-school-account';
          guard++
        ) {
          assert.ok(!stringsOf(card).includes(`⚠ ${warning}`), 'only at the step where it matters');
          replies = await conversation.click(stepOf(card));
          card = lastCard(replies);
        }
        assert.equal(stepOf(card).step, 'disconnect-work-or-school-account');
        const bold = nodesOf(card).filter((n) => n.weight === 'Bolder' && String(n.text).startsWith('⚠'));
        assert.equal(bold[0]?.text, `⚠ ${warning}`);
      });

      it('Azure AD joined and hybrid joined both warn; a workplace-registered PC does not', async () => {
        for (const [joinLine, how] of [
          ['azuread=YES domain=NO workplace=NO prt=YES', 'azureAd'],
          ['azuread=YES domain=YES workplace=NO prt=YES', 'hybrid'],
        ] as const) {
          const replies = await start(language).say(paste({ join: joinLine }));
          assert.ok(
            stringsOf(factsCardOf(replies, language)).includes(
              t('pcCheck.finding.joined', { how: t(`pcCheck.finding.joined.${how}`) }),
            ),
          );
        }
        const replies = await start(language).say(paste());
        const strings = stringsOf(factsCardOf(replies, language));
        assert.ok(strings.includes(t('pcCheck.facts.join.workplace')));
        assert.ok(!strings.some((s) => s.startsWith(t('pcCheck.finding.joined').slice(0, 6))));
      });

      it('MSI Office 2016: the 2013/2016 reset', async () => {
        const replies = await start(language).say(
          paste({ c2r: 'none', msi: 'Microsoft Office Professional Plus 2016 | 16.0.4266.1001' }),
        );
        assert.equal(stepOf(lastCard(replies)).procedure, 'reset-office-2013-2016');
      });

      it('consumer Home & Business: the 2019+ reset', async () => {
        const replies = await start(language).say(
          paste({ c2r: 'HomeBusiness2021Retail | 16.0.18025.20160 | Current | shared=' }),
        );
        assert.equal(stepOf(lastCard(replies)).procedure, 'reset-office-2019-later');
      });

      it('Office signed in with a personal account: licence and PC joined in one answer, both addresses', async () => {
        const replies = await start(language).say(paste({ identities: 'taro@outlook.com (LiveId)' }));
        const card = factsCardOf(replies, language);
        const finding = stringsOf(card).find((s) => s.includes('taro@outlook.com') && s.includes(TEAMS_UPN));
        assert.ok(finding, stringsOf(card).join(' | '));
        assert.ok(finding.includes('Microsoft 365 E3'), finding);
        assert.ok(
          finding.includes(t('pcCheck.facts.personalAccount', { email: 'taro@outlook.com' })),
          finding,
        );
        assert.deepEqual(questionCards(replies), []);
        assert.equal(stepOf(lastCard(replies)).procedure, 'personal-account-signed-in');
      });

      it('Office signed in with another work account: sign in with the licensed one', async () => {
        const replies = await start(language).say(paste({ identities: 'hanako@fabrikam.example (OrgId)' }));
        assert.ok(
          stringsOf(factsCardOf(replies, language)).some(
            (s) => s.includes('hanako@fabrikam.example') && s.includes(TEAMS_UPN),
          ),
        );
        assert.equal(stepOf(lastCard(replies)).procedure, 'sign-in-with-licensed-account');
      });

      it('the Teams account compared by mail as well as by UPN, case-insensitively', async () => {
        const replies = await start(language).say(paste({ identities: 'Hanako.Sato@Contoso.example (AD)' }));
        assert.ok(!stringsOf(factsCardOf(replies, language)).some((s) => s.includes('taro@')));
        assert.equal(stepOf(lastCard(replies)).procedure, 'reset-m365-apps-admin');
      });

      it('Windows 7 without TLS 1.2: the seed 001 TLS item first', async () => {
        const replies = await start(language).say(
          paste({
            windows: 'Microsoft Windows 7 Professional | 6.1.7601',
            c2r: 'none',
            msi: 'Microsoft Office Standard 2013 | 15.0.4569.1506',
            tls12: 'off',
            signin: 'no',
          }),
        );
        const strings = stringsOf(factsCardOf(replies, language));
        assert.ok(strings.includes(t('pcCheck.finding.tls12Off', { windows: 'Windows 7' })));
        const step = stepOf(lastCard(replies));
        assert.deepEqual([step.procedure, step.step], ['tls12-on-older-windows', 'check-tls12-windows7']);
      });

      it('Windows 8.1 with TLS 1.2 on, but no way to the sign-in service: the network first', async () => {
        const replies = await start(language).say(
          paste({ windows: 'Microsoft Windows 8.1 Pro | 6.3.9600', tls12: 'on', signin: 'no' }),
        );
        assert.ok(stringsOf(factsCardOf(replies, language)).includes(t('pcCheck.finding.signInUnreachable')));
        assert.equal(stepOf(lastCard(replies)).procedure, 'sign-in-service-unreachable');
      });

      it('shared computer activation gets its own note', async () => {
        const replies = await start(language).say(
          paste({ c2r: 'O365ProPlusRetail | 16.0.17328.20550 | MonthlyEnterprise | shared=1' }),
        );
        const strings = stringsOf(factsCardOf(replies, language));
        assert.ok(strings.includes(t('pcCheck.finding.sharedComputerActivation')));
        assert.ok(strings.includes(t('pcCheck.channel.MonthlyEnterprise')));
      });

      it('pasted at the version question: the flow goes on from there with the answer read', async () => {
        const conversation = start(language);
        let replies = await conversation.say(
          language === 'ja' ? 'Office にサインインできません' : "I can't sign in to Office",
        );
        const question = lastCard(replies);
        assert.equal(submitDataOf(question)[0].question, 'office-product');
        // The question offers the check, with the one-liner.
        assert.ok(
          nodesOf(question).some(
            (n) => n.type === 'Action.ShowCard' && n.title === t('pcCheck.offer.button'),
          ),
        );
        // Asked for in words, the check is explained, and the question still waits for its answer.
        replies = await conversation.say(language === 'ja' ? 'PC をチェックして' : 'check my PC');
        assert.ok(cardsOf(replies).some((c) => nodesOf(c).some((n) => n.type === 'CodeBlock')));
        assert.deepEqual(questionCards(replies), []);
        replies = await conversation.say(paste({ admin: 'no' }));
        assert.equal(submitDataOf(lastCard(replies))[0].question, 'other-admin-account');
      });

      it('a cut-off paste: what is there is used, what is missing is asked', async () => {
        const text = paste({}, { end: false }).split('\n').slice(0, 5).join('\n');
        const replies = await start(language).say(text);
        assert.ok(stringsOf(factsCardOf(replies, language)).includes(t('pcCheck.finding.truncated')));
        assert.equal(submitDataOf(lastCard(replies))[0].question, 'admin-rights');
      });

      it('Teams joined the lines and curled the quotes: still read', async () => {
        const flat = paste().replace(/\n/g, ' ').replace(/'/g, '\u2019');
        const replies = await start(language).say(flat);
        assert.equal(stepOf(lastCard(replies)).procedure, 'reset-m365-apps-admin');
      });

      it('a newer format is not guessed at: the bot says so and offers the current check', async () => {
        const replies = await start(language).say(paste().replace('check v1', 'check v7'));
        assert.ok(textsOf(replies).includes(t('pcCheck.unsupportedVersion', { version: '7' })));
        assert.ok(cardsOf(replies).some((c) => stringsOf(c).includes(t('pcCheck.offer.title'))));
      });

      it('without the directory the facts still route; a work account is not taken for a wrong one', async () => {
        const conversation = new TestConversation(createTestBot().adapter, { locale: LOCALE[language] });
        const replies = await conversation.say(paste({ identities: 'someone@contoso.example (AD)' }));
        assert.ok(
          !stringsOf(factsCardOf(replies, language)).some((s) => s.includes(t('pcCheck.facts.teamsAccount'))),
        );
        assert.equal(stepOf(lastCard(replies)).procedure, 'reset-m365-apps-admin');
      });

      it('at the install limit (activations report): said with the link to deactivate one, only then', async () => {
        const title = t('installLimit.title');
        const ichiro = { id: '29:ichiro', name: '佐藤 一郎', aadObjectId: INSTALL_LIMIT_USER.id };
        const upn = INSTALL_LIMIT_USER.userPrincipalName;
        let replies = await start(language, ichiro).say(paste({ identities: `${upn} (AD)` }));
        const limit = cardsOf(replies).find((c) => stringsOf(c).includes(title));
        assert.ok(limit, 'install limit card');
        assert.ok(
          nodesOf(limit).some((n) => n.type === 'Action.OpenUrl' && n.url === DEACTIVATE_INSTALL_URL),
        );
        assert.ok(stringsOf(limit).includes(t('installLimit.text', { count: '5', limit: '5' })));
        // The activation flow says it too; a user under the limit hears nothing about it.
        replies = await start(language, ichiro).say(OPENING_ACTIVATION[language]);
        assert.ok(cardsOf(replies).some((c) => stringsOf(c).includes(title)));
        replies = await start(language).say(OPENING_ACTIVATION[language]);
        assert.ok(!cardsOf(replies).some((c) => stringsOf(c).includes(title)));
        // On a shared computer the limit does not apply: not said.
        replies = await start(language, ichiro).say(
          paste({
            identities: `${upn} (AD)`,
            c2r: 'O365ProPlusRetail | 16.0.17328.20550 | Current | shared=1',
          }),
        );
        assert.ok(!cardsOf(replies).some((c) => stringsOf(c).includes(title)));
        // Names concealed in reports: nothing is said.
        fixture.sandbox.concealReportNames(true);
        const concealed = new TestConversation(createTestBot({ directory: fixture.newDirectory() }).adapter, {
          locale: LOCALE[language],
          user: ichiro,
        });
        replies = await concealed.say(OPENING_ACTIVATION[language]);
        assert.ok(!cardsOf(replies).some((c) => stringsOf(c).includes(title)));
      });

      it('pasted inside the activation flow: it stays there (client checks), not the sign-in reset', async () => {
        const conversation = start(language);
        let replies = await conversation.say(OPENING_ACTIVATION[language]);
        assert.equal(submitDataOf(lastCard(replies))[0].question, 'office-account');
        replies = await conversation.say(paste());
        assert.equal(stepOf(lastCard(replies)).procedure, 'activation-client-checks');
      });

      it('Windows 8.1 is not flagged for TLS 1.2 (on by default there); Windows 8 is', async () => {
        let replies = await start(language).say(
          paste({ windows: 'Microsoft Windows 8.1 Pro | 6.3.9600', tls12: 'off' }),
        );
        assert.ok(
          !stringsOf(factsCardOf(replies, language)).some(
            (s) => s.includes('TLS 1.2 が') || s.includes("doesn't have TLS"),
          ),
        );
        replies = await start(language).say(paste({ windows: 'Windows 8 Pro | 6.2.9200', tls12: 'off' }));
        assert.equal(stepOf(lastCard(replies)).procedure, 'tls12-on-older-windows');
      });

      it('consumer Office 2016 (Click-to-Run) takes the 2019+ reset; MSI Office 2010 is asked about', async () => {
        let replies = await start(language).say(
          paste({ c2r: 'HomeBusinessRetail | 16.0.4266.1001 | Current | shared=' }),
        );
        assert.equal(stepOf(lastCard(replies)).procedure, 'reset-office-2019-later');
        replies = await start(language).say(
          paste({ c2r: 'none', msi: 'Microsoft Office Professional Plus 2010 | 14.0.7015.1000' }),
        );
        assert.equal(submitDataOf(lastCard(replies))[0].question, 'office-product');
      });

      it('the Teams account and a personal account both signed in: a note about the personal one', async () => {
        const replies = await start(language).say(
          paste({ identities: `${TEAMS_UPN} (AD); taro@outlook.com (LiveId)` }),
        );
        assert.ok(
          stringsOf(factsCardOf(replies, language)).includes(
            t('pcCheck.finding.personalAlsoSignedIn', { office: 'taro@outlook.com' }),
          ),
        );
        assert.equal(stepOf(lastCard(replies)).procedure, 'reset-m365-apps-admin');
      });

      it('Azure AD joined without a sign-in token (PRT): said, with what to do', async () => {
        const replies = await start(language).say(
          paste({ join: 'azuread=YES domain=NO workplace=NO prt=NO' }),
        );
        assert.ok(
          stringsOf(factsCardOf(replies, language)).includes(t('pcCheck.finding.noPrimaryRefreshToken')),
        );
      });

      it('a header quoted in a question is not a check; hundreds of accounts do not break the card', async () => {
        let replies = await start(language).say('===== Sign-in Desk PC check v1 ===== って何?');
        assert.ok(!cardsOf(replies).some((c) => stringsOf(c).includes(t('pcCheck.facts.title'))));
        const many = Array.from({ length: 300 }, (_, i) => `user${i}@example.com (LiveId)`).join('; ');
        replies = await start(language).say(paste({ identities: many }));
        assert.ok(factsCardOf(replies, language));
      });

      it('in a group chat the check is not read out to everyone: the personal chat is suggested', async () => {
        const group = new TestConversation(createTestBot({ directory: fixture.directory }).adapter, {
          locale: LOCALE[language],
          conversationType: 'groupChat',
        });
        const replies = await group.mention(paste());
        assert.deepEqual(textsOf(replies), [t('pcCheck.pasteInPersonalChat')]);
        assert.deepEqual(cardsOf(replies), []);
      });

      it("pasted into the form's error box: attached as facts, not as the error message", async () => {
        const conversation = start(language);
        await conversation.say(language === 'ja' ? '担当者と話したい' : 'talk to a person');
        let replies = await conversation.click(
          { action: 'ticket.details' },
          { errorMessage: paste(), device: 'Windows 11', browser: 'Edge' },
        );
        assert.ok(textsOf(replies).includes(t('pcCheck.attachedToRequest')));
        replies = await conversation.click({ action: 'ticket.screenshot', choice: 'none' });
        const summary = stringsOf(lastCard(replies));
        assert.ok(summary.includes(t('pcCheck.facts.officeAccounts')), summary.join(' | '));
        assert.ok(!summary.some((s) => s.includes('===== Sign-in Desk')), 'the raw block is not the error');
      });

      it('pasted at the escalation form: attached to the request, and the summary shows the facts', async () => {
        const conversation = start(language);
        await conversation.say(language === 'ja' ? '担当者と話したい' : 'talk to a person');
        let replies = await conversation.say(paste({ identities: 'taro@outlook.com (LiveId)' }));
        assert.ok(textsOf(replies).includes(t('pcCheck.attachedToRequest')));
        replies = await conversation.click(
          { action: 'ticket.details' },
          { errorMessage: 'Office が使えません', device: 'Windows 11', browser: 'Edge' },
        );
        replies = await conversation.click({ action: 'ticket.screenshot', choice: 'none' });
        const summary = stringsOf(lastCard(replies));
        assert.ok(summary.includes(t('pcCheck.facts.officeAccounts')), summary.join(' | '));
        assert.ok(summary.includes(t('pcCheck.facts.personalAccount', { email: 'taro@outlook.com' })));
      });
    });
  }
});

describe('Check my PC: the fixtures', () => {
  it('every fixture is read as facts by the bot, in a personal chat, at any point', async () => {
    const dir = join(projectRoot(), 'test', 'fixtures', 'pcCheck');
    for (const file of [
      'en-m365-current-aadj.txt',
      'ja-msi-2016-workplace.txt',
      'en-win7-no-tls12-pasted-flat.txt',
    ]) {
      const conversation = new TestConversation(createTestBot().adapter, { locale: 'ja-JP' });
      const replies = await conversation.say(readFileSync(join(dir, file), 'utf8'));
      assert.ok(
        cardsOf(replies).some((c) => stringsOf(c).includes(loadCatalog().text('ja', 'pcCheck.facts.title'))),
        file,
      );
      assert.ok(isStepCard(lastCard(replies)) || submitDataOf(lastCard(replies)).length > 0, file);
    }
  });
});
