import type { ContentCatalog } from '../core/content/catalog';
import type { PcCheckRecord } from '../core/diagnosis';
import { LANGUAGES, type Language } from '../core/language';
import { scriptDownloadUrl, scriptTextUrl } from './scriptUrls';
import { inertMarkdown } from '../core/markdown';
import type { PcFacts } from '../core/pcCheck/pcCheck';
import { joinOf, officeProductNames, type PcFinding } from '../core/pcCheck/pcFindings';
import { renderPcCheckOfferCard } from '../cards/pcCheckOfferCard';
import { renderPcFactsCard, type PcFactsCardData } from '../cards/pcFactsCard';
import type { CardAttachment } from '../cards/renderCard';
import { joinList } from './joinList';

/** The script that the check runs: content/scripts/, registered in the content as this id. */
export const PC_CHECK_SCRIPT = 'check-my-pc';

/**
 * "Check my PC" as the user and the agent see it: the offer with its one-line command, and the facts read from a
 * pasted result in plain words. Everything in the facts came from a paste, so it is shown inert (no links, no
 * formatting a paste could smuggle in).
 */
export class PcCheckViews {
  constructor(
    private readonly catalog: ContentCatalog,
    /** The bot's public address: the one-liner fetches the script from it. */
    private readonly publicBaseUrl: string,
  ) {}

  private text(language: Language, key: string, params?: Record<string, string | number>): string {
    return this.catalog.text(language, key, params);
  }

  /**
   * The command a user pastes into PowerShell: it runs the bot's copy of the script in its own scope. TLS 1.2 first,
   * for Windows PowerShell 5.1 on older .NET, which would otherwise fail to fetch it (this process only).
   */
  oneLiner(): string {
    const fileName = this.catalog.flow(LANGUAGES[0]).script(PC_CHECK_SCRIPT).fileName;
    return (
      '[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor 3072; ' +
      `& ([scriptblock]::Create((irm '${scriptTextUrl(this.publicBaseUrl, fileName)}')))`
    );
  }

  /** How to run the check; `intro` says why it is offered here. */
  offer(language: Language, intro = ''): CardAttachment {
    const fileName = this.catalog.flow(language).script(PC_CHECK_SCRIPT).fileName;
    return renderPcCheckOfferCard({
      title: this.text(language, 'pcCheck.offer.title'),
      intro,
      text: this.text(language, 'pcCheck.offer.text'),
      code: this.oneLiner(),
      downloadText: this.text(language, 'pcCheck.offer.download'),
      download: {
        title: this.text(language, 'download.label', { fileName }),
        url: scriptDownloadUrl(this.publicBaseUrl, fileName),
      },
      reads: this.text(language, 'pcCheck.offer.reads'),
    });
  }

  /** The offer as a button that opens it inside another card (a question the check can answer). */
  offerInline(
    language: Language,
    introKey: 'pcCheck.offer.intro' | 'pcCheck.offer.introRequest' = 'pcCheck.offer.intro',
  ): { button: string; card: Record<string, unknown> } {
    return {
      button: this.text(
        language,
        introKey === 'pcCheck.offer.intro' ? 'pcCheck.offer.button' : 'pcCheck.offer.title',
      ),
      card: this.offer(language, this.text(language, introKey)).content,
    };
  }

  /**
   * The "what I found on your PC" card: the facts, what they mean, and where the bot goes next. With the product
   * the directory says the user is licensed for, a wrong account says both: licensed, but not signed in with it.
   */
  factsCard(
    language: Language,
    record: PcCheckRecord,
    findings: readonly PcFinding[],
    extras: { next?: string; licensedProduct?: string } = {},
  ): CardAttachment {
    const data: PcFactsCardData = {
      title: this.text(language, 'pcCheck.facts.title'),
      facts: this.factRows(language, record),
      meaning: this.text(language, 'pcCheck.meaning'),
      findings: findings.map((finding) =>
        this.finding(language, finding, record.facts, extras.licensedProduct),
      ),
      next: extras.next ?? '',
    };
    return renderPcFactsCard(data);
  }

  /** The facts as rows (title, value), for the user's card and the agent's ticket card. */
  factRows(language: Language, record: PcCheckRecord): { title: string; value: string }[] {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    const { facts } = record;
    const safe = (value: string) => inertMarkdown(value);
    const rows: { title: string; value: string }[] = [];
    if (facts.windows)
      rows.push({
        title: t('pcCheck.facts.windows'),
        value: safe(
          t('pcCheck.facts.windowsValue', {
            edition: facts.windows.edition,
            version: facts.windows.version,
          }),
        ),
      });
    const c2r = facts.clickToRun;
    if (c2r) {
      rows.push({
        title: t('pcCheck.facts.office'),
        value: safe(
          t('pcCheck.facts.officeValue', {
            products: joinList(language, officeProductNames(facts)),
            version: c2r.version,
          }),
        ),
      });
      if (c2r.channel) {
        const key = `pcCheck.channel.${c2r.channel}`;
        rows.push({
          title: t('pcCheck.facts.channel'),
          value: this.catalog.hasText(key) ? t(key) : safe(c2r.channel),
        });
      }
      if (c2r.sharedComputerActivation)
        rows.push({ title: t('pcCheck.facts.sharedComputer'), value: t('pcCheck.facts.on') });
    }
    if (facts.msi)
      rows.push({
        title: t('pcCheck.facts.officeMsi'),
        value: safe(t('pcCheck.facts.officeValue', { products: facts.msi.name, version: facts.msi.version })),
      });
    if (!c2r && !facts.msi && facts.officeRead)
      rows.push({ title: t('pcCheck.facts.office'), value: t('pcCheck.facts.notFound') });
    if (facts.accountsRead || facts.officeAccounts.length > 0)
      rows.push({
        title: t('pcCheck.facts.officeAccounts'),
        value:
          facts.officeAccounts.length > 0
            ? safe(this.accounts(language, facts))
            : t('pcCheck.facts.noAccount'),
      });
    if (record.teamsAccount)
      rows.push({
        title: t('pcCheck.facts.teamsAccount'),
        value: safe(record.teamsAccount.userPrincipalName),
      });
    if (facts.wamAccounts && facts.wamAccounts.length > 0)
      rows.push({
        title: t('pcCheck.facts.wamAccounts'),
        value: safe(joinList(language, facts.wamAccounts)),
      });
    const join = joinOf(facts);
    if (join) rows.push({ title: t('pcCheck.facts.join'), value: t(`pcCheck.facts.join.${join}`) });
    if ((join === 'azureAd' || join === 'hybrid') && facts.join.primaryRefreshToken !== undefined)
      rows.push({
        title: t('pcCheck.facts.prt'),
        value: t(facts.join.primaryRefreshToken ? 'pcCheck.facts.yes' : 'pcCheck.facts.no'),
      });
    if (facts.localAdmin !== undefined)
      rows.push({
        title: t('pcCheck.facts.admin'),
        value: t(facts.localAdmin ? 'pcCheck.facts.yes' : 'pcCheck.facts.no'),
      });
    if (facts.tls12 === 'on' || facts.tls12 === 'off')
      rows.push({ title: t('pcCheck.facts.tls12'), value: t(`pcCheck.facts.tls12.${facts.tls12}`) });
    if (facts.signInReachable !== undefined)
      rows.push({
        title: t('pcCheck.facts.signin'),
        value: t(facts.signInReachable ? 'pcCheck.facts.signin.yes' : 'pcCheck.facts.signin.no'),
      });
    return rows;
  }

  /** The Office accounts with their kind, as a list in the reader's language. */
  accounts(language: Language, facts: PcFacts, only?: readonly string[]): string {
    const kindKey = { work: 'workAccount', personal: 'personalAccount', other: 'otherAccount' } as const;
    return joinList(
      language,
      facts.officeAccounts
        .filter((a) => !only || only.includes(a.email))
        .map((a) => this.text(language, `pcCheck.facts.${kindKey[a.kind]}`, { email: a.email })),
    );
  }

  private finding(
    language: Language,
    finding: PcFinding,
    facts: PcFacts,
    licensedProduct?: string,
  ): PcFactsCardData['findings'][number] {
    const t = (key: string, params?: Record<string, string | number>) => this.text(language, key, params);
    switch (finding.kind) {
      case 'tls12Off':
        return { text: t('pcCheck.finding.tls12Off', { windows: finding.windows }), style: 'attention' };
      case 'signInUnreachable':
        return { text: t('pcCheck.finding.signInUnreachable'), style: 'attention' };
      case 'wrongAccount': {
        const office = inertMarkdown(this.accounts(language, facts, finding.officeAccounts));
        if (finding.teamsAccount && licensedProduct)
          return {
            text: t('pcCheck.activation.wrongAccount', {
              office,
              teams: inertMarkdown(finding.teamsAccount),
              product: licensedProduct,
            }),
            style: 'attention',
          };
        return finding.teamsAccount
          ? {
              text: t('pcCheck.finding.wrongAccount', { office, teams: inertMarkdown(finding.teamsAccount) }),
              style: 'attention',
            }
          : {
              text: t('pcCheck.finding.personalAccount', {
                office: inertMarkdown(
                  joinList(
                    language,
                    facts.officeAccounts.filter((a) => a.kind === 'personal').map((a) => a.email),
                  ),
                ),
              }),
              style: 'attention',
            };
      }
      case 'joined':
        return {
          text: t('pcCheck.finding.joined', { how: t(`pcCheck.finding.joined.${finding.how}`) }),
          style: 'attention',
        };
      case 'sharedComputerActivation':
        return { text: t('pcCheck.finding.sharedComputerActivation'), style: 'emphasis' };
      case 'noPrimaryRefreshToken':
        return { text: t('pcCheck.finding.noPrimaryRefreshToken'), style: 'attention' };
      case 'personalAlsoSignedIn':
        return {
          text: t('pcCheck.finding.personalAlsoSignedIn', {
            office: inertMarkdown(joinList(language, finding.personalAccounts)),
          }),
          style: 'emphasis',
        };
      case 'noOffice':
        return { text: t('pcCheck.finding.noOffice'), style: 'default' };
      case 'truncated':
        return { text: t('pcCheck.finding.truncated'), style: 'default' };
    }
  }

  /** Where the bot goes after the facts: a procedure by its title, or a flow. */
  nextText(
    language: Language,
    next: { procedureTitle: string } | { flow: 'activation' | 'signin-repair' },
  ): string {
    return 'procedureTitle' in next
      ? this.text(language, 'pcCheck.next.procedure', { title: next.procedureTitle })
      : this.text(language, `pcCheck.next.${next.flow}`);
  }
}
