import { MessageFactory } from 'botbuilder';
import { Dialog, type DialogContext, type DialogTurnResult } from './dialogsLibrary';
import { withLicence, withPcCheck, type DiagnosisTrail, type PcCheckRecord } from '../core/diagnosis';
import type { LicenceChecker } from '../core/licensing/licenceChecker';
import type { OfficeInstallLimit } from '../core/licensing/officeInstallLimit';
import type { LicenceViews } from '../views/licenceViews';
import type { HelpDeskEvents } from '../core/stats/helpDeskEvents';
import { findingKind } from '../core/licensing/verdict';
import type { PcFacts } from '../core/pcCheck/pcCheck';
import { answerFromPcFacts, pcFindings, routeOfPcCheck, type TeamsAccount } from '../core/pcCheck/pcFindings';
import type { FlowChoice } from '../core/cardActions';
import type { DiagnosisViews } from '../views/diagnosisViews';
import { DialogIds } from './dialogIds';
import { languageOf } from './turnLanguage';

export interface PcCheckOptions {
  facts: PcFacts;
  trail: DiagnosisTrail;
  /** The flow the user was in when they pasted the check: it goes on there, its questions answered. */
  wasIn?: 'activation' | 'signin-repair';
}

/** Where the diagnosis goes after the facts card, with the facts in its trail. */
export interface PcCheckRoute {
  flow: FlowChoice;
  procedureId?: string;
  questionId?: string;
  trail: DiagnosisTrail;
}

/**
 * A pasted "Check my PC" result: compares it with the Teams account and the licence from the directory, shows
 * "what I found on your PC" in plain words, and hands back where to go, so no question whose answer the PC gave
 * is asked.
 */
export class PcCheckDialog extends Dialog<PcCheckOptions> {
  constructor(
    private readonly views: DiagnosisViews,
    private readonly licenceViews: LicenceViews,
    private readonly checker: LicenceChecker,
    private readonly events: HelpDeskEvents,
    private readonly installLimit?: Pick<OfficeInstallLimit, 'check'>,
  ) {
    super(DialogIds.pcCheck);
  }

  async beginDialog(dc: DialogContext, options?: PcCheckOptions): Promise<DialogTurnResult> {
    const { facts, wasIn } = options!;
    const language = languageOf(dc.context);
    await dc.context.sendActivity({ type: 'typing' });
    const userId = dc.context.activity.from?.aadObjectId;
    const check = userId ? await this.checker.check(userId) : undefined;
    const teamsAccount: TeamsAccount | undefined =
      check?.kind === 'checked'
        ? {
            userPrincipalName: check.snapshot.user.userPrincipalName,
            ...(check.snapshot.user.mail ? { mail: check.snapshot.user.mail } : {}),
          }
        : undefined;
    const record: PcCheckRecord = { facts, ...(teamsAccount ? { teamsAccount } : {}) };
    // Answers the PC now gives replace what the user said before (a guess at the version, say).
    const earlier = options!.trail;
    let trail = withPcCheck(
      { ...earlier, answers: earlier.answers.filter((a) => !contradicted(a, facts, teamsAccount)) },
      record,
    );
    const findings = pcFindings(facts, teamsAccount);
    const route = routeOfPcCheck(findings, wasIn);
    const flow = this.views.flow(language);
    const verdict = check?.kind === 'checked' ? check.verdict : undefined;
    const licensedProduct = verdict?.usableDesktopOffice
      ? verdict.findings.find((f) => f.code === 'licenceOk')?.params.product
      : undefined;
    let next: PcCheckRoute;
    let nextText: string;
    if (route.kind === 'procedure') {
      next = { flow: flow.flowOf(route.procedureId) ?? 'activation', procedureId: route.procedureId, trail };
      nextText = this.views.pc.nextText(language, {
        procedureTitle: flow.procedure(route.procedureId).title,
      });
    } else if (
      route.flow === 'activation' &&
      licensedProduct &&
      findings.some((f) => f.kind === 'wrongAccount')
    ) {
      // The licence is fine and was just read: straight to which account Office uses, which the PC answers.
      const question = flow.startOf('activation');
      const answer = answerFromPcFacts(question.id, facts, teamsAccount);
      const choice =
        answer && 'choice' in answer ? question.choices.find((c) => c.id === answer.choice) : undefined;
      trail = withLicence(trail, { usable: true, findings: ['licenceOk'] });
      // This check stands in for the activation flow's: the dashboard counts it as one.
      this.events.record({ kind: 'licenceChecked', findings: verdict!.findings.map(findingKind) });
      next = { flow: 'activation', questionId: question.id, trail };
      nextText =
        choice && 'procedure' in choice.next
          ? this.views.pc.nextText(language, { procedureTitle: flow.procedure(choice.next.procedure).title })
          : '';
    } else {
      next = { flow: route.flow, trail };
      nextText = this.views.pc.nextText(language, { flow: route.flow });
    }
    await dc.context.sendActivity(
      MessageFactory.attachment(
        this.views.pc.factsCard(language, record, findings, { next: nextText, licensedProduct }),
      ),
    );
    // Licensed, and the right account perhaps, but no room for this PC: the activations report says so.
    // A shared computer's activations do not count towards the limit.
    if (teamsAccount && licensedProduct && !facts.clickToRun?.sharedComputerActivation) {
      const limit = await this.installLimit?.check(teamsAccount.userPrincipalName, teamsAccount.mail);
      if (limit?.atLimit)
        await dc.context.sendActivity(
          MessageFactory.attachment(this.licenceViews.installLimit(language, limit)),
        );
    }
    return dc.endDialog(next);
  }
}

/** An earlier answer that the PC says otherwise; "another admin account is available" still holds for a non-admin. */
function contradicted(
  answer: { question: string; choice: string },
  facts: PcFacts,
  teamsAccount?: TeamsAccount,
): boolean {
  const fromPc = answerFromPcFacts(answer.question, facts, teamsAccount);
  if (!fromPc) return false;
  return 'choice' in fromPc ? fromPc.choice !== answer.choice : answer.choice === 'is-admin';
}
