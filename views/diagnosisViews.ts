import type { ContentCatalog, Flow, FlowName } from '../core/content/catalog';
import { joinList } from './joinList';
import type { Choice, Question, Step } from '../core/content/schema';
import type { DiagnosisTrail } from '../core/diagnosis';
import type { Language } from '../core/language';
import type { CardCodeSnippet, CardLink } from '../cards/codeSnippet';
import type { CardAttachment } from '../cards/renderCard';
import { renderChecklistCard } from '../cards/checklistCard';
import { renderNoticeCard } from '../cards/noticeCard';
import { renderQuestionCard } from '../cards/questionCard';
import { renderStepCard } from '../cards/stepCard';
import { renderWelcomeCard } from '../cards/welcomeCard';
import { renderReportCard } from '../cards/reportCard';
import type { FlowChoice } from '../core/cardActions';
import type { ErrorCodeEntry } from '../core/errorCodes/errorCodeLookup';
import type { CommandWords, WordList } from '../core/conversation/commandWords';
import type { WaitingKind } from '../core/conversation/typedText';
import { PC_CHECK_QUESTIONS, pcFactHolds } from '../core/pcCheck/pcFindings';
import type { PcFacts } from '../core/pcCheck/pcCheck';
import { PcCheckViews } from './pcCheckViews';
import { scriptDownloadUrl } from './scriptUrls';

export const checklistInputId = (stepId: string): string => `step-${stepId}`;

/** Turns content and diagnosis state into cards. Dialogs decide what to show; this decides how. */
export class DiagnosisViews {
  /** "Check my PC": its offer, and the facts read from a pasted result. */
  readonly pc: PcCheckViews;

  constructor(
    private readonly catalog: ContentCatalog,
    /** Where users download scripts from: the bot's public address. */
    private readonly publicBaseUrl: string,
    private readonly commands: CommandWords,
  ) {
    this.pc = new PcCheckViews(catalog, publicBaseUrl);
  }

  /**
   * The line that says how an answer the user did not click was taken, written for the question it answers: a
   * product is "using" (the question's own `ack`), anything else "taken as"; an answer from earlier says so.
   */
  acknowledgement(
    language: Language,
    question: Question,
    choice: Choice,
    from: 'words' | 'earlier' | 'pcCheck',
  ): string {
    if (from === 'pcCheck') return this.text(language, 'pcCheck.answerFromPc', { choice: choice.label });
    if (from === 'earlier') return this.text(language, 'diagnosis.answerKnown', { choice: choice.label });
    if (question.ack) return question.ack.replace('{choice}', choice.label);
    return this.text(language, 'diagnosis.answerInferred', { choice: choice.label });
  }

  /** Items of a list as the language writes them: 「、」 in Japanese, ", " in English. */
  list(language: Language, items: string[]): string {
    return joinList(language, items);
  }

  /** True when typed words ask for a person. */
  asksForPerson(text: string): boolean {
    return this.commands.asksForPerson(text);
  }

  /** Typed words that stand for a card's own buttons (yes, no, done, back…), in both languages. */
  words(list: WordList | 'person'): string[] {
    return this.commands.list(list);
  }

  text(language: Language, key: string, params?: Record<string, string | number>): string {
    return this.catalog.text(language, key, params);
  }

  flow(language: Language): Flow {
    return this.catalog.flow(language);
  }

  welcome(language: Language, sharedConversation: boolean): CardAttachment {
    const t = (key: string) => this.text(language, key);
    return renderWelcomeCard({
      title: t('welcome.title'),
      intro: t('welcome.intro'),
      capabilities: [t('welcome.capability1'), t('welcome.capability2'), t('welcome.capability3')],
      hint: t(sharedConversation ? 'welcome.hintShared' : 'welcome.hintPersonal'),
      startLabel: t('action.start'),
      activationLabel: t('triage.activationStart'),
      helpLabel: t('action.help'),
    });
  }

  help(language: Language): CardAttachment {
    return renderNoticeCard({
      title: this.text(language, 'help.title'),
      text: this.text(language, 'help.text'),
      commands: [
        { name: 'restart', label: this.text(language, 'action.start') },
        { name: 'cancel', label: this.text(language, 'action.cancel') },
      ],
    });
  }

  notice(language: Language, textKey: string, withStart = false): CardAttachment {
    return renderNoticeCard({
      text: this.text(language, textKey),
      commands: withStart ? [{ name: 'restart', label: this.text(language, 'action.start') }] : [],
    });
  }

  question(question: Question, language?: Language, canGoBack = false): CardAttachment {
    return renderQuestionCard({
      back:
        canGoBack && language
          ? {
              label: this.text(language, 'action.back'),
              data: { action: 'diagnosis.back', question: question.id },
            }
          : undefined,
      action: 'diagnosis.choose',
      prompt: question.prompt,
      questionId: question.id,
      choices: question.choices.map((c) => ({ id: c.id, label: c.label, description: c.description })),
      help: question.help,
      // Questions whose answer is on the PC offer the check (an answer read from a paste skips them anyway).
      ...(language && (PC_CHECK_QUESTIONS as readonly string[]).includes(question.id)
        ? { pcCheck: this.pc.offerInline(language) }
        : {}),
    });
  }

  step(
    language: Language,
    procedureId: string,
    stepIndex: number,
    canGoBack = stepIndex > 0,
    pcFacts?: PcFacts,
  ): CardAttachment {
    const flow = this.flow(language);
    const procedure = flow.procedure(procedureId);
    const step = flow.step(procedure.steps[stepIndex]);
    return renderStepCard({
      procedureId,
      procedureTitle: procedure.title,
      intro: stepIndex === 0 ? procedure.intro : '',
      stepId: step.id,
      progress: this.text(language, 'step.progress', {
        current: stepIndex + 1,
        total: procedure.steps.length,
      }),
      title: step.title,
      text: step.text,
      warnings: this.warningsOf(step, pcFacts),
      notes: step.notes,
      code: this.codeOf(flow, step),
      // The first card names the article the procedure comes from.
      links: [
        ...this.linksOf(language, flow, step),
        ...(stepIndex === 0
          ? [
              {
                title: this.text(language, 'source.label', { title: procedure.source.title }),
                url: procedure.source.url,
              },
            ]
          : []),
      ],
      labels: {
        done: this.text(language, 'step.done'),
        notHelped: this.text(language, 'step.notHelped'),
        checklist: this.text(language, 'step.checklist'),
        back: canGoBack ? this.text(language, 'action.back') : '',
        person: this.text(language, 'next.person'),
      },
    });
  }

  /** The step's warnings, led by those that the user's PC facts make certain (a joined PC: do not disconnect). */
  private warningsOf(step: Step, pcFacts?: PcFacts): string[] {
    const fromFacts = pcFacts
      ? step.factWarnings.filter((w) => pcFactHolds(w.when, pcFacts)).map((w) => w.text)
      : [];
    return [...fromFacts, ...step.warnings];
  }

  checklist(language: Language, procedureId: string, trail: DiagnosisTrail): CardAttachment {
    const flow = this.flow(language);
    const procedure = flow.procedure(procedureId);
    const attempt = trail.attempts[trail.attempts.length - 1];
    return renderChecklistCard({
      procedureId,
      procedureTitle: procedure.title,
      intro: `${procedure.intro}\n\n${this.text(language, 'checklist.intro')}`,
      steps: procedure.steps.map((stepId, index) => {
        const step = flow.step(stepId);
        return {
          inputId: checklistInputId(stepId),
          number: index + 1,
          title: step.title,
          text: step.text,
          checked: attempt?.steps.some((s) => s.step === stepId && s.outcome === 'done') ?? false,
          warnings: this.warningsOf(step, trail.pcCheck?.facts),
          notes: step.notes,
          code: this.codeOf(flow, step),
          links: this.linksOf(language, flow, step),
        };
      }),
      labels: {
        submit: this.text(language, 'checklist.submit'),
        stepByStep: this.text(language, 'checklist.stepByStep'),
      },
    });
  }

  verify(language: Language, procedureId: string, checkpoint: boolean): CardAttachment {
    return renderQuestionCard({
      action: 'diagnosis.verify',
      prompt: this.text(language, checkpoint ? 'verify.checkpointPrompt' : 'verify.prompt'),
      procedureId,
      choices: [
        { id: 'yes', label: this.text(language, 'verify.yes') },
        { id: 'no', label: this.text(language, 'verify.no') },
      ],
    });
  }

  nextOptions(
    language: Language,
    currentProcedureId: string,
    fallbacks: string[],
    continueLabel?: string,
  ): CardAttachment {
    const flow = this.flow(language);
    return renderQuestionCard({
      action: 'diagnosis.next',
      prompt: this.text(language, fallbacks.length > 0 || continueLabel ? 'next.prompt' : 'next.nothingLeft'),
      procedureId: currentProcedureId,
      choices: [
        ...(continueLabel ? [{ id: 'continue', label: continueLabel }] : []),
        ...fallbacks.map((id) => ({ id, label: flow.procedure(id).buttonLabel ?? flow.procedure(id).title })),
        { id: 'person', label: this.text(language, 'next.person') },
      ],
    });
  }

  /** The menu of flows, or a short "did you mean…?" with two of them. */
  flowChoice(language: Language, kind: 'menu' | 'clarify', choices: FlowChoice[]): CardAttachment {
    return renderQuestionCard({
      action: 'diagnosis.start',
      prompt: this.text(language, kind === 'menu' ? 'menu.prompt' : 'clarify.prompt'),
      choices: choices.map((id) => ({ id, label: this.text(language, `menu.${id}`) })),
    });
  }

  /** What an error code means, who can fix it, and where Microsoft documents it. */
  errorCode(language: Language, entry: ErrorCodeEntry): CardAttachment {
    const localized = entry[language];
    return renderReportCard({
      title: localized.title,
      subtitle: joinList(language, entry.codes),
      sections: [
        { text: localized.explanation },
        {
          lines: [
            {
              label: this.text(language, 'errorCode.who'),
              value: this.text(language, `errorCode.who.${entry.who}`),
            },
          ],
        },
        // No Microsoft page explains this code: say plainly that the source is the support article.
        ...(entry.source.seed
          ? [{ text: this.text(language, 'errorCode.seedSource', { title: entry.source.title }) }]
          : []),
      ],
      links: this.sourceLinks(language, entry.source),
    });
  }

  private sourceLinks(language: Language, source: ErrorCodeEntry['source']): CardLink[] {
    const url = source.url;
    return url ? [{ title: this.text(language, 'source.label', { title: source.title }), url }] : [];
  }

  /** One line when the user names another problem mid-diagnosis, with a button back to where they were. */
  switchNotice(language: Language, textKey: string): CardAttachment {
    return renderNoticeCard({
      text: this.text(language, textKey),
      resume: { label: this.text(language, 'switch.resume') },
    });
  }

  /** At the escalation form: the words are kept as the error message; the user may try the fixes first. */
  switchOffer(language: Language, flow: FlowName): CardAttachment {
    return renderNoticeCard({
      text: this.text(language, `switch.offer.${flow}`),
      starts: [{ flow, label: this.text(language, 'switch.offerButton') }],
    });
  }

  /** Typed words that are no answer, command or problem: what the waiting card expects, and the menu. */
  unclear(language: Language, waiting: WaitingKind): CardAttachment {
    return renderNoticeCard({
      text: this.text(language, `unclear.${waiting}`),
      starts: [{ flow: 'menu', label: this.text(language, 'unclear.menu') }],
    });
  }

  /** The seed's remedy for a step that failed, offered before moving on (step 4 of the reset → WPJCleanUp). */
  remedy(language: Language, procedureId: string, stepId: string, remedyId: string): CardAttachment {
    const flow = this.flow(language);
    const remedy = flow.procedure(remedyId);
    return renderQuestionCard({
      action: 'diagnosis.next',
      procedureId,
      prompt: this.text(language, 'remedy.prompt', {
        step: flow.step(stepId).title,
        remedy: remedy.title,
      }),
      choices: [
        { id: remedyId, label: remedy.buttonLabel ?? remedy.title },
        { id: 'skip', label: this.text(language, 'remedy.skip') },
      ],
    });
  }

  fixed(language: Language): CardAttachment {
    return renderNoticeCard({
      title: this.text(language, 'fixed.title'),
      text: this.text(language, 'fixed.text'),
    });
  }

  summaryFacts(language: Language, trail: DiagnosisTrail): { title: string; value: string }[] {
    const flow = this.flow(language);
    const none = this.text(language, 'summary.none');
    const join = (items: string[]) => (items.length > 0 ? this.list(language, items) : none);
    const answers = trail.answers.map((a) => {
      const question = flow.hasQuestion(a.question) ? flow.question(a.question) : undefined;
      return question?.choices.find((c) => c.id === a.choice)?.label ?? a.choice;
    });
    const steps = trail.attempts.flatMap((a) =>
      a.steps.map((s) => ({ ...s, title: flow.step(s.step).title })),
    );
    return [
      { title: this.text(language, 'summary.product'), value: join(answers) },
      {
        title: this.text(language, 'summary.procedure'),
        value: join(trail.attempts.map((a) => flow.procedure(a.procedure).title)),
      },
      {
        title: this.text(language, 'summary.stepsDone'),
        value: join(steps.filter((s) => s.outcome === 'done').map((s) => s.title)),
      },
      {
        title: this.text(language, 'summary.stepsNotHelped'),
        value: join(steps.filter((s) => s.outcome === 'notHelped').map((s) => s.title)),
      },
    ];
  }

  private codeOf(flow: Flow, step: Step): CardCodeSnippet[] {
    return step.code.map((code) =>
      'script' in code
        ? {
            caption: code.caption ?? flow.script(code.script).title,
            language: flow.script(code.script).language,
            text: this.catalog.scriptText(code.script),
          }
        : { caption: code.caption ?? '', language: code.language, text: code.text },
    );
  }

  private linksOf(language: Language, flow: Flow, step: Step): CardLink[] {
    const downloads = step.code.flatMap((code) =>
      'script' in code
        ? [
            {
              title: this.text(language, 'download.label', { fileName: flow.script(code.script).fileName }),
              url: scriptDownloadUrl(this.publicBaseUrl, flow.script(code.script).fileName),
            },
          ]
        : [],
    );
    return [...step.links, ...downloads];
  }
}
