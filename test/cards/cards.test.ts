import { loadUnderstandingOnce } from '../helpers/testBot';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as AdaptiveCardsTypes from 'adaptivecards';
import { renderNoticeCard } from '../../cards/noticeCard';
import { summarize } from '../../core/stats/dailyStats';
import { StatsViews } from '../../views/statsViews';
import { CARD_SIZE_LIMIT_BYTES, CardTooLargeError, type CardAttachment } from '../../cards/renderCard';
import { parseCardAction, parseTicketExecute } from '../../core/cardActions';
import { ContentCatalog } from '../../core/content/catalog';
import type { DiagnosisTrail } from '../../core/diagnosis';
import { LANGUAGES } from '../../core/language';
import { DiagnosisViews } from '../../views/diagnosisViews';
import { TicketViews } from '../../views/ticketViews';
import type { Ticket } from '../../core/tickets/ticket';
import {
  agentMessage,
  close,
  feedback,
  isRefusal,
  markUnreachable,
  newTicket,
  reopen,
  resolve,
  take,
  userMessage,
  type RuleResult,
} from '../../core/tickets/ticketRules';
import { LicenceViews } from '../../views/licenceViews';
import { parsePcCheck } from '../../core/pcCheck/pcCheck';
import { PC_CHECK_QUESTIONS, pcFindings } from '../../core/pcCheck/pcFindings';
import type { DirectoryUser, SubscribedSku } from '../../core/licensing/directory';
import type { FindingCode } from '../../core/licensing/verdict';
import { loadProducts, nodesOf, stringsOf, type CardNode } from '../helpers/testBot';

// The package's main entry is an ES module build that require() cannot load; the UMD bundle can.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCardsTypes;

const ROOT = path.resolve(__dirname, '..', '..');
const PC_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'pcCheck');
const CARDS_DIR = path.join(ROOT, 'cards');
const BASE_URL = 'http://localhost:3978';

/** CodeBlock is Teams-only; the SDK does not know it and says its fallback will be used. Nothing else is allowed. */
const ALLOWED_SDK_EVENT = 'Unknown element type "CodeBlock". Fallback will be used if present.';

const templateFiles = readdirSync(CARDS_DIR).filter((f) => f.endsWith('.json'));

/** Every "${...}" placeholder written in the templates, e.g. "${labels.done}", "${count(links) > 0}". */
const templatePlaceholders = [
  ...new Set(
    templateFiles.flatMap((f) => readFileSync(path.join(CARDS_DIR, f), 'utf8').match(/\$\{[^}]*\}/g) ?? []),
  ),
];

/** Every string in the card except code-snippet texts (scripts may legitimately contain "$"). */
function nonCodeStrings(value: unknown, parent?: CardNode): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((v) => nonCodeStrings(v, parent));
  if (value && typeof value === 'object') {
    const node = value as CardNode;
    return Object.entries(node).flatMap(([key, v]) => {
      if (node.type === 'CodeBlock' && key === 'codeSnippet') return [];
      if (
        node.type === 'TextRun' &&
        key === 'text' &&
        parent?.type === 'RichTextBlock' &&
        node.fontType === 'Monospace'
      )
        return [];
      return nonCodeStrings(v, node);
    });
  }
  return [];
}

function sdkEvents(content: object): string[] {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  card.parse(content, context);
  const messages: string[] = [];
  for (let i = 0; i < context.eventCount; i++) messages.push(context.getEventAt(i).message);
  // Checks that need the whole card: unique input ids, required properties such as Action.OpenUrl's url.
  for (const event of card.validateProperties().validationEvents) messages.push(event.message);
  return messages;
}

/** The checks every card the bot can send must pass. */
function assertValidCard(
  name: string,
  attachment: CardAttachment,
  options: { userText?: boolean } = {},
): void {
  assert.equal(attachment.contentType, 'application/vnd.microsoft.card.adaptive', name);
  const content = attachment.content;
  const json = JSON.stringify(content);

  assert.equal(content.type, 'AdaptiveCard', name);
  assert.equal(typeof content.$schema, 'string', `${name}: $schema`);
  assert.ok(Number(content.version) <= 1.5, `${name}: version ${String(content.version)}`);
  const bytes = Buffer.byteLength(json, 'utf8');
  assert.ok(bytes <= CARD_SIZE_LIMIT_BYTES, `${name}: ${bytes} bytes`);

  for (const placeholder of templatePlaceholders)
    assert.ok(!json.includes(placeholder), `${name}: unexpanded ${placeholder}`);
  for (const node of nodesOf(content))
    for (const key of ['$data', '$when', '$root'])
      assert.ok(!(key in node), `${name}: template keyword ${key} left`);
  if (!options.userText)
    for (const text of nonCodeStrings(content))
      assert.ok(!text.includes('${'), `${name}: "${text}" has "\${"`);

  for (const node of nodesOf(content).filter((n) => n.type === 'CodeBlock')) {
    assert.equal(typeof node.codeSnippet, 'string', `${name}: CodeBlock without codeSnippet`);
    assert.ok((node.codeSnippet as string).length > 0, `${name}: empty CodeBlock`);
    const fallback = node.fallback as CardNode | undefined;
    assert.equal(fallback?.type, 'RichTextBlock', `${name}: CodeBlock without RichTextBlock fallback`);
    const inlines = fallback.inlines as CardNode[];
    assert.equal(inlines.length, 1, name);
    assert.equal(inlines[0].type, 'TextRun', name);
    assert.equal(inlines[0].text, node.codeSnippet, `${name}: fallback text differs from the codeSnippet`);
  }

  for (const node of nodesOf(content).filter((n) => n.type === 'Action.Execute')) {
    const data = node.data as CardNode | undefined;
    assert.ok(
      parseTicketExecute({ verb: node.verb, data }),
      `${name}: unknown Action.Execute ${String(node.verb)}`,
    );
    const fallback = node.fallback as CardNode | undefined;
    assert.equal(
      fallback?.type,
      'Action.Submit',
      `${name}: Action.Execute without an Action.Submit fallback`,
    );
    assert.ok(parseTicketExecute({ verb: (fallback.data as CardNode).verb, data: fallback.data }), name);
  }

  for (const node of nodesOf(content).filter((n) => n.type === 'Action.Submit')) {
    const data = node.data as CardNode | undefined;
    // The fallback of an Action.Execute: checked above.
    if (data && 'verb' in data) continue;
    assert.equal(
      typeof data?.action,
      'string',
      `${name}: Action.Submit '${String(node.title)}' without an action`,
    );
    // Teams merges the card's input values into the submitted data.
    const inputs = Object.fromEntries(
      nodesOf(content)
        .filter((n) => String(n.type).startsWith('Input.'))
        .map((n) => [
          String(n.id),
          n.type === 'Input.ChoiceSet' ? String((n.choices as CardNode[])[0].value) : 'typed value',
        ]),
    );
    assert.equal(
      parseCardAction({ ...inputs, ...data }).kind,
      'action',
      `${name}: the bot would not understand its own button: ${JSON.stringify(data)}`,
    );
    assert.ok(typeof node.title === 'string' && node.title.length > 0, `${name}: untitled button`);
  }
  for (const node of nodesOf(content).filter((n) => n.type === 'Action.OpenUrl'))
    assert.match(
      String(node.url),
      /^(https:\/\/|http:\/\/localhost:3978\/downloads\/)/,
      `${name}: link ${String(node.url)}`,
    );

  const unexpected = sdkEvents(content).filter((m) => m !== ALLOWED_SDK_EVENT);
  assert.deepEqual(unexpected, [], `${name}: Adaptive Cards SDK reports problems`);
}

const trailFor = (description?: string): DiagnosisTrail => ({
  ...(description !== undefined ? { description } : {}),
  answers: [
    { question: 'office-product', choice: 'microsoft-365-apps' },
    { question: 'admin-rights', choice: 'no-admin' },
  ],
  attempts: [
    {
      procedure: 'reset-m365-apps-no-admin',
      steps: [
        { step: 'sign-out-quit-office-teams-onedrive', outcome: 'done' },
        { step: 'download-olicensecleanup', outcome: 'done' },
        { step: 'run-olicensecleanup-without-admin', outcome: 'notHelped' },
      ],
      fixed: false,
    },
    { procedure: 'wpj-cleanup', steps: [{ step: 'download-wpjcleanup', outcome: 'unchecked' }] },
  ],
});

describe('cards', () => {
  let catalog: ContentCatalog;
  let views: DiagnosisViews;
  before(() => {
    catalog = ContentCatalog.load(path.join(ROOT, 'content'));
    views = new DiagnosisViews(catalog, BASE_URL, loadUnderstandingOnce().commands);
  });

  describe('templates', () => {
    it('are all covered', () => {
      assert.deepEqual(templateFiles.sort(), [
        'checklist.json',
        'licenseForm.json',
        'notice.json',
        'pcCheckOffer.json',
        'pcFacts.json',
        'question.json',
        'report.json',
        'stats.json',
        'step.json',
        'ticket.json',
        'welcome.json',
      ]);
      assert.ok(templatePlaceholders.includes('${labels.done}'));
      assert.ok(templatePlaceholders.includes('${title}'));
    });

    for (const file of templateFiles) {
      it(`${file} declares $schema and version <= 1.5`, () => {
        const template = JSON.parse(readFileSync(path.join(CARDS_DIR, file), 'utf8')) as Record<
          string,
          unknown
        >;
        assert.equal(template.type, 'AdaptiveCard');
        assert.equal(template.$schema, 'http://adaptivecards.io/schemas/adaptive-card.json');
        assert.equal(typeof template.version, 'string');
        assert.ok(Number(template.version) <= 1.5, `version ${String(template.version)}`);
      });
    }
  });

  describe('every card the bot can send, from the real content', () => {
    for (const language of LANGUAGES) {
      describe(language, () => {
        it('welcome (personal and shared)', () => {
          assertValidCard('welcome personal', views.welcome(language, false));
          assertValidCard('welcome shared', views.welcome(language, true));
          const personal = JSON.stringify(views.welcome(language, false).content);
          const shared = JSON.stringify(views.welcome(language, true).content);
          assert.ok(personal.includes(JSON.stringify(catalog.text(language, 'welcome.hintPersonal'))));
          assert.ok(shared.includes(JSON.stringify(catalog.text(language, 'welcome.hintShared'))));
        });

        it('help', () => assertValidCard('help', views.help(language)));

        it('notices', () => {
          for (const key of ['card.unknownAction', 'card.finishedDiagnosis', 'cancel.done'])
            for (const withStart of [false, true])
              assertValidCard(`notice ${key} ${withStart}`, views.notice(language, key, withStart));
        });

        it('every question', () => {
          const questions = catalog.flow(language).content.questions;
          assert.ok(questions.length >= 2);
          for (const question of questions) {
            const card = views.question(question);
            assertValidCard(`question ${question.id}`, card);
            const submits = nodesOf(card.content).filter((n) => n.type === 'Action.Submit');
            assert.deepEqual(
              submits.map((n) => (n.data as CardNode).choice),
              question.choices.map((c) => c.id),
            );
          }
        });

        it('the questions a PC check answers offer it, with the one-liner exactly', () => {
          for (const question of catalog.flow(language).content.questions) {
            const card = views.question(question, language);
            assertValidCard(`question ${question.id} (${language})`, card);
            const offer = nodesOf(card.content).find((n) => n.type === 'Action.ShowCard' && n.card);
            const offered = nodesOf(card.content).some((n) => n.codeSnippet === views.pc.oneLiner());
            assert.equal(
              offered,
              (PC_CHECK_QUESTIONS as readonly string[]).includes(question.id),
              question.id,
            );
            if (offered) assert.equal(offer?.title, catalog.text(language, 'pcCheck.offer.button'));
          }
          assert.equal(
            views.pc.oneLiner(),
            '[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor 3072; ' +
              `& ([scriptblock]::Create((irm '${BASE_URL}/scripts/CheckMyPc.ps1')))`,
          );
        });

        it('PC check: the offer, and the facts card for every fixture, with and without the Teams account', () => {
          assertValidCard('pc offer', views.pc.offer(language));
          const teamsAccount = { userPrincipalName: 'taro@contoso.com' };
          for (const file of readdirSync(PC_FIXTURES).filter((f) => f.endsWith('.txt'))) {
            const reading = parsePcCheck(readFileSync(path.join(PC_FIXTURES, file), 'utf8'));
            assert.equal(reading.kind, 'facts', file);
            if (reading.kind !== 'facts') continue;
            for (const record of [{ facts: reading.facts }, { facts: reading.facts, teamsAccount }]) {
              const card = views.pc.factsCard(
                language,
                record,
                pcFindings(record.facts, record.teamsAccount),
                {
                  next: 'next',
                  licensedProduct: 'Microsoft 365 E3',
                },
              );
              assertValidCard(`pc facts ${file}`, card, { userText: true });
            }
          }
        });

        it('a pasted value cannot put a link on the facts card', () => {
          const reading = parsePcCheck(
            '===== Sign-in Desk PC check v1 =====\nwindows: [click](https://evil.example) **Pro** | 10.0.22631\n' +
              'office.identities: a@b.c (LiveId)\n===== end =====',
          );
          assert.equal(reading.kind, 'facts');
          if (reading.kind !== 'facts') return;
          const json = JSON.stringify(views.pc.factsCard(language, { facts: reading.facts }, []).content);
          assert.ok(!json.includes('[click](https'), json);
        });

        it('a joined PC puts the "never disconnect" warning first on the disconnect step', () => {
          const flow = catalog.flow(language);
          const procedure = flow.procedure('reset-office-2019-later');
          const index = procedure.steps.indexOf('disconnect-work-or-school-account');
          const joined = parsePcCheck(
            '===== Sign-in Desk PC check v1 =====\njoin: azuread=YES domain=NO workplace=NO prt=YES\n===== end =====',
          );
          assert.equal(joined.kind, 'facts');
          if (joined.kind !== 'facts') return;
          const warningsOf = (card: CardAttachment) =>
            nodesOf(card.content)
              .filter(
                (n) => n.type === 'TextBlock' && n.weight === 'Bolder' && String(n.text).startsWith('⚠'),
              )
              .map((n) => String(n.text));
          const withFacts = warningsOf(views.step(language, procedure.id, index, true, joined.facts));
          const without = warningsOf(views.step(language, procedure.id, index, true));
          const factWarning = flow.step('disconnect-work-or-school-account').factWarnings[0].text;
          assert.equal(withFacts[0], `⚠ ${factWarning}`);
          assert.equal(withFacts.length, without.length + 1);
          assert.ok(!without.some((w) => w.includes(factWarning)));
        });

        it('a step card for every step of every procedure', () => {
          let count = 0;
          for (const procedure of catalog.flow(language).content.procedures)
            for (let index = 0; index < procedure.steps.length; index++) {
              const card = views.step(language, procedure.id, index);
              assertValidCard(`step ${procedure.id}[${index}]`, card);
              const stepData = nodesOf(card.content)
                .filter((n) => n.type === 'Action.Submit')
                .map((n) => n.data as CardNode)
                // "Talk to a support agent" belongs to no step.
                .filter((d) => d.action !== 'diagnosis.start');
              assert.ok(
                stepData.every((d) => d.procedure === procedure.id && d.step === procedure.steps[index]),
              );
              count++;
            }
          assert.ok(count >= 30, `${count} step cards`);
        });

        it('a checklist for every procedure (unticked and partly ticked)', () => {
          for (const procedure of catalog.flow(language).content.procedures) {
            assertValidCard(
              `checklist ${procedure.id}`,
              views.checklist(language, procedure.id, { answers: [], attempts: [] }),
            );
            const ticked = views.checklist(language, procedure.id, {
              answers: [],
              attempts: [{ procedure: procedure.id, steps: [{ step: procedure.steps[0], outcome: 'done' }] }],
            });
            assertValidCard(`checklist ${procedure.id} ticked`, ticked);
            const toggles = nodesOf(ticked.content).filter((n) => n.type === 'Input.Toggle');
            assert.deepEqual(
              toggles.map((t) => t.value),
              procedure.steps.map((_, i) => (i === 0 ? 'true' : 'false')),
            );
          }
        });

        it('verify (checkpoint and final)', () => {
          assertValidCard('verify checkpoint', views.verify(language, 'reset-m365-apps-no-admin', true));
          assertValidCard('verify final', views.verify(language, 'reset-office-2019-later', false));
        });

        it('next options for every procedure, and with nothing left', () => {
          for (const procedure of catalog.flow(language).content.procedures)
            assertValidCard(
              `next ${procedure.id}`,
              views.nextOptions(language, procedure.id, procedure.fallbacks),
            );
          assertValidCard(
            'next nothing left',
            views.nextOptions(language, 'signout-wam-accounts-script', []),
          );
        });

        it('fixed', () => assertValidCard('fixed', views.fixed(language)));

        it('tickets: the channel card in every status, notes, the form, summary, feedback, lists', () => {
          const ticketViews = new TicketViews(views, 'Asia/Tokyo');
          const now = new Date('2026-11-22T04:00:00Z');
          const agent = { id: '29:agent', aadObjectId: 'a-1', name: '森 さくら' };
          const requester = { id: '29:user', aadObjectId: 'u-1', name: '佐藤 花子' };
          const long = 'エラー ${x} [link](https://evil.example) '.repeat(60);
          let ticket = newTicket(
            12,
            {
              requester,
              category: 'signin',
              language,
              summary: long,
              details: {
                errorMessage: long,
                stepsTried: long,
                device: 'Windows 11',
                browser: 'Edge 131',
                screenshots: [{ name: 'error.png', url: 'https://contoso.sharepoint.com/error.png' }],
              },
              trail: { ...trailFor(long.slice(0, 1000)), outcome: 'handoff' },
            },
            now,
          );
          ticket = {
            ...ticket,
            card: { channelId: 'c', activityId: '1', threadConversationId: 'c;messageid=1', thread: {} },
          };
          const states: Ticket[] = [ticket];
          const step = (result: RuleResult) => {
            assert.ok(!isRefusal(result));
            states.push(result);
            return result;
          };
          let current = step(take(ticket, agent, now));
          for (let i = 0; i < 4; i++) {
            current = step(
              agentMessage(current, agent, long, [{ name: 'x', url: 'https://a.example/x' }], now),
            );
            current = step(userMessage(current, requester, long, [], now));
          }
          current = step(resolve(current, agent, now));
          current = step(feedback(current, requester, false, 2, now));
          current = step(close(current, agent, now));
          current = step(reopen(current, agent, now));
          step(markUnreachable(current, ticketViews.unreachableText(language, 'neverReached'), now));
          for (const [i, state] of states.entries()) {
            assertValidCard(
              `ticket channel card ${i} ${state.status}`,
              ticketViews.channelCard(language, state),
              {
                userText: true,
              },
            );
            for (const event of state.events) {
              for (const note of [
                ticketViews.threadNote(language, state, event),
                ticketViews.userNote(language, state, event),
              ])
                for (const attachment of note.attachments ?? [])
                  assertValidCard(`note ${event.kind}`, attachment, { userText: true });
            }
          }
          assertValidCard(
            'details form (all fields)',
            ticketViews.detailsForm(language, ['errorMessage', 'stepsTried', 'device', 'browser'], {}),
          );
          assertValidCard('screenshot', ticketViews.screenshotAsk(language));
          assertValidCard('summary', ticketViews.summary(language, 'signin', ticket.trail, ticket.details), {
            userText: true,
          });
          assertValidCard('feedback', ticketViews.feedbackCard(language, ticket, agent.name));
          const mine = ticketViews.myTickets(language, states.slice(0, 3));
          assert.ok(typeof mine !== 'string');
          assertValidCard('my tickets', mine);
          const queue = ticketViews.queue(
            language,
            Array.from({ length: 40 }, (_, i) => ({ ...ticket, number: i + 1 })),
            now,
          );
          assert.ok(typeof queue !== 'string');
          assertValidCard('queue', queue);
        });
      });
    }
  });

  describe('licence cards, from fixture data', () => {
    const E3 = '05e9a617-0261-4cee-bb44-138d3ef5d965';
    const sku: SubscribedSku = {
      skuId: E3,
      skuPartNumber: 'SPE_E3',
      capabilityStatus: 'Suspended',
      consumedUnits: 10,
      prepaidUnits: { enabled: 10, warning: 0, suspended: 10, lockedOut: 0 },
      servicePlans: [
        {
          servicePlanId: '43de0ff5-c92c-492b-9116-175376d08c38',
          servicePlanName: 'OFFICESUBSCRIPTION',
          provisioningStatus: 'Success',
        },
      ],
    };
    const user = (i: number, name = `社員 ${i}`): DirectoryUser => ({
      id: `1a000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      displayName: name,
      userPrincipalName: `user${i}@contoso.example`,
      accountEnabled: i % 2 === 0,
      userType: 'Member',
      assignedLicenses: [{ skuId: E3, disabledPlans: ['43de0ff5-c92c-492b-9116-175376d08c38'] }],
      licenseAssignmentStates: [
        { skuId: E3, state: 'Active', error: null, assignedByGroup: null, disabledPlans: [] },
        {
          skuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46',
          state: 'Error',
          error: 'CountViolation',
          assignedByGroup: 'g1',
          disabledPlans: [],
        },
      ],
    });
    const codes: FindingCode[] = [
      'accountDisabled',
      'guest',
      'noLicence',
      'noDesktopOffice',
      'officePlanDisabled',
      'assignmentError',
      'subscriptionWarning',
      'subscriptionExpired',
      'provisioningPending',
      'deviceBased',
      'unattendedOnly',
      'serviceIncident',
      'licenceOk',
    ];
    for (const language of LANGUAGES) {
      it(`every verdict, the admin views and the form (${language})`, () => {
        const licenceViews = new LicenceViews(catalog, loadProducts());
        const params = {
          product: 'Microsoft 365 E3',
          products: 'Business Basic',
          group: 'G',
          reason: 'CountViolation',
          status: 'Suspended',
          service: 'Microsoft 365 Apps',
          title: 'T',
          id: 'MO1',
        };
        assertValidCard(
          'verdict all',
          licenceViews.verdict(language, {
            usableDesktopOffice: false,
            findings: codes.map((code) => ({ code, severity: 'blocker', params })),
          }),
        );
        assertValidCard('verdict unavailable', licenceViews.verdict(language, undefined, 'unavailable'));
        assertValidCard('verdict not found', licenceViews.verdict(language, undefined, 'notFound'));
        const details = licenceViews.userDetails(language, user(1), [sku], new Map([['g1', 'E3 group']]), {
          usableDesktopOffice: false,
          findings: [{ code: 'officePlanDisabled', severity: 'blocker', params }],
        });
        assertValidCard('user details', details);
        assertValidCard(
          'subscriptions',
          licenceViews.subscriptions(language, [sku, { ...sku, skuId: 'x', capabilityStatus: 'Enabled' }]),
        );
        assertValidCard('no subscriptions', licenceViews.subscriptions(language, []));
        const many = Array.from({ length: 1000 }, (_, i) => ({
          user: user(i),
          reason: { code: 'noLicence' as const, severity: 'blocker' as const, params: {} },
        }));
        assertValidCard(
          'group report (1,000 problems)',
          licenceViews.groupReport(language, { id: 'g', displayName: '全社員' }, 1050, many),
        );
        assertValidCard(
          'group report (all good)',
          licenceViews.groupReport(language, { id: 'g', displayName: '全社員' }, 1050, []),
        );
        assertValidCard('pick user', licenceViews.pickUser(language, [user(1), user(2)]));
        assertValidCard(
          'pick group',
          licenceViews.pickGroup(language, [
            { id: '2b000000-0000-4000-8000-000000000001', displayName: 'A' },
          ]),
        );
        assertValidCard(
          'audit',
          licenceViews.audit(language, [
            {
              at: new Date(0).toISOString(),
              requesterId: 'x',
              requesterName: 'Admin',
              action: 'license',
              target: 'a@b',
              outcome: 'refused',
            },
          ]),
        );
        assertValidCard('audit empty', licenceViews.audit(language, []));
        assertValidCard('form', licenceViews.form(language));
      });

      it(`lists of products are joined as ${language} writes lists`, () => {
        const licenceViews = new LicenceViews(catalog, loadProducts());
        const finding = {
          code: 'noDesktopOffice' as const,
          severity: 'blocker' as const,
          params: { products: 'Microsoft 365 Business Basic\nOffice 365 E1' },
        };
        assert.equal(
          licenceViews.findingParams(language, finding).products,
          language === 'ja'
            ? 'Microsoft 365 Business Basic、Office 365 E1'
            : 'Microsoft 365 Business Basic, Office 365 E1',
        );
      });

      it(`the dashboard, full and empty, with every finding and every step (${language})`, () => {
        const statsViews = new StatsViews(catalog, views);
        const flow = catalog.flow(language);
        const procedures = ['reset-office-2019-later', 'reset-office-2013-2016', 'reset-m365-apps-admin'];
        const steps = procedures.flatMap((procedure, p) =>
          flow.procedure(procedure).steps.map((step, i) => ({ procedure, step, count: 50 - i - p })),
        );
        const full = summarize([], { from: '2026-11-27', to: '2026-12-03', days: 7 });
        const card = statsViews.dashboard(
          language,
          {
            ...full,
            diagnoses: 1234,
            flows: ['signin-repair', 'activation', 'account', 'person'].map((f, i) => ({
              flow: f,
              count: 9 - i,
            })),
            resolvingSteps: steps,
            unhelpfulSteps: [...steps, { procedure: 'gone', step: 'removed', count: 1 }],
            findings: [...codes, 'assignmentError:CountViolation', 'unavailable'].map((code, i) => ({
              code,
              count: i + 1,
            })),
            escalations: 40,
            taken: 38,
            medianMinutesToTake: 95,
            resolved: 30,
            resolutionRate: 0.75,
            ratings: [5, 4, 3, 2, 1].map((stars) => ({ stars, count: stars * 3 })),
            averageRating: 4.2,
          },
          400,
          90,
        );
        assertValidCard('dashboard', card);
        const strings = stringsOf(card.content);
        assert.ok(strings.includes(catalog.text(language, 'stats.finding.officePlanDisabled')));
        assert.ok(strings.includes('75%'));
        assert.ok(strings.includes('★4.2'));
        for (const code of codes) assert.ok(catalog.hasText(`stats.finding.${code}`), code);
        const empty = statsViews.dashboard(language, full, 7, 90);
        assertValidCard('dashboard empty', empty);
        assert.equal(
          stringsOf(empty.content).filter((s) => s === catalog.text(language, 'stats.empty')).length,
          5,
          'every section says there is nothing in the period',
        );
      });
    }
  });

  describe('user text is shown literally', () => {
    const hostile = '${$root.secret} ${string(1+1)} [click](https://evil.example) **bold** <at>x</at>';

    function assertLiteral(attachment: CardAttachment): void {
      const nodes = nodesOf(attachment.content);
      const runs = nodes.filter((n) => n.type === 'RichTextBlock').flatMap((n) => n.inlines as CardNode[]);
      assert.ok(
        runs.some((r) => r.type === 'TextRun' && r.text === hostile),
        'the text is a TextRun, verbatim',
      );
      for (const block of nodes.filter((n) => n.type === 'TextBlock'))
        assert.ok(
          !String(block.text).includes('evil.example'),
          `a TextBlock renders it as markdown: ${String(block.text)}`,
        );
      const json = JSON.stringify(attachment.content);
      assert.ok(json.includes('${string(1+1)}'), 'the expression was not evaluated');
      assert.ok(json.includes('${$root.secret}'), 'the $root reference was not resolved');
      assertValidCard('hostile', attachment, { userText: true });
    }

    it("in the ticket cards: the summary, the agents' card, relayed messages; names never form links", () => {
      const ticketViews = new TicketViews(views, 'Asia/Tokyo');
      const now = new Date('2026-11-22T04:00:00Z');
      const person = { id: '29:x', name: '[Click me](https://phish.example) <at>All</at>' };
      for (const language of LANGUAGES) {
        const details = { errorMessage: hostile, stepsTried: hostile, screenshots: [] };
        assertLiteral(ticketViews.summary(language, 'signin', trailFor(hostile), details));
        const opened = newTicket(
          3,
          {
            requester: person,
            category: 'signin',
            language,
            summary: hostile,
            details,
            trail: trailFor(hostile),
          },
          now,
        );
        const talked = userMessage(opened, person, hostile, [], now);
        assert.ok(!isRefusal(talked));
        const channelCard = ticketViews.channelCard(language, talked);
        assertLiteral(channelCard);
        assertLiteral(ticketViews.threadNote(language, talked, talked.events.at(-1)!).attachments![0]);
        const taken = take(opened, person, now);
        assert.ok(!isRefusal(taken));
        const notice = ticketViews.userNote(language, taken, taken.events.at(-1)!);
        assert.ok(!String(notice.text).includes('](') && !String(notice.text).includes('<at>'));
        for (const block of nodesOf(ticketViews.channelCard(language, taken).content).filter(
          (n) => n.type === 'TextBlock' || n.type === 'FactSet',
        ))
          assert.ok(!JSON.stringify(block).includes('](https'), JSON.stringify(block));
      }
    });

    it('in the admin pick list (directory names)', () => {
      const licenceViews = new LicenceViews(catalog, loadProducts());
      const attachment = licenceViews.pickUser('ja', [
        { id: '1a000000-0000-4000-8000-000000000001', displayName: hostile, userPrincipalName: 'x@y' },
      ]);
      const runs = nodesOf(attachment.content)
        .filter((n) => n.type === 'RichTextBlock')
        .flatMap((n) => n.inlines as CardNode[]);
      assert.ok(runs.some((r) => r.text === hostile || r.text === `${hostile}: `));
    });

    it('in renderNoticeCard with a quote', () => {
      assertLiteral(renderNoticeCard({ text: 'Trusted text', quote: { label: 'You said', text: hostile } }));
    });
  });

  describe('the checks themselves', () => {
    const card = (body: unknown[], actions: unknown[] = []): CardAttachment => ({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.5',
        body,
        actions,
      },
    });
    const codeBlock = (codeSnippet: string, fallbackText: string) => ({
      type: 'CodeBlock',
      codeSnippet,
      language: 'PowerShell',
      fallback: {
        type: 'RichTextBlock',
        inlines: [{ type: 'TextRun', text: fallbackText, fontType: 'Monospace' }],
      },
    });

    it('accept a good card with a CodeBlock whose script contains "$"', () => {
      assertValidCard('good', card([codeBlock('$_.Name; ${env:TEMP}', '$_.Name; ${env:TEMP}')]));
    });

    it('reject what the SDK reports', () => {
      assert.throws(
        () => assertValidCard('bad', card([{ type: 'TextBlock', text: 'x', size: 'Huge' }])),
        /size/,
      );
      assert.throws(() => assertValidCard('bad', card([{ type: 'Fancy' }])), /Fancy/);
      const toggle = { type: 'Input.Toggle', id: 'same', title: 'x' };
      assert.throws(() => assertValidCard('bad', card([toggle, toggle])), /Duplicate Id/);
    });

    it('reject a CodeBlock whose fallback differs or is missing', () => {
      assert.throws(() => assertValidCard('bad', card([codeBlock('a\nb', 'a b')])), /fallback text differs/);
      assert.throws(
        () => assertValidCard('bad', card([{ type: 'CodeBlock', codeSnippet: 'x', language: 'PlainText' }])),
        /fallback/,
      );
    });

    it('reject unexpanded placeholders and buttons the bot would not understand', () => {
      assert.throws(
        () => assertValidCard('bad', card([{ type: 'TextBlock', text: '${title}' }])),
        /unexpanded/,
      );
      assert.throws(
        () => assertValidCard('bad', card([], [{ type: 'Action.Submit', title: 'x', data: {} }])),
        /action/,
      );
      assert.throws(
        () =>
          assertValidCard(
            'bad',
            card([], [{ type: 'Action.Submit', title: 'x', data: { action: 'diagnosis.nope' } }]),
          ),
        /would not understand/,
      );
    });

    it('reject a version above 1.5', () => {
      const tooNew = card([]);
      tooNew.content.version = '1.6';
      assert.throws(() => assertValidCard('bad', tooNew), /version 1.6/);
    });
  });

  describe('size limit', () => {
    it('an oversized card throws CardTooLargeError', () => {
      assert.throws(
        () => renderNoticeCard({ text: 'x'.repeat(40 * 1024) }),
        (error: unknown) =>
          error instanceof CardTooLargeError &&
          error.templateName === 'notice' &&
          error.bytes > CARD_SIZE_LIMIT_BYTES &&
          /over the 28672-byte limit/.test(error.message),
      );
    });

    it('a card just under the limit renders', () => {
      const overhead = Buffer.byteLength(JSON.stringify(renderNoticeCard({ text: '' }).content), 'utf8');
      const card = renderNoticeCard({ text: 'x'.repeat(CARD_SIZE_LIMIT_BYTES - overhead) });
      assert.equal(Buffer.byteLength(JSON.stringify(card.content), 'utf8'), CARD_SIZE_LIMIT_BYTES);
    });
  });
});
