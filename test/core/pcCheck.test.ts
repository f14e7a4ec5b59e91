import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../bot/paths';
import { officeProductOf, parsePcCheck, type PcFacts } from '../../core/pcCheck/pcCheck';

/** Fixtures: test/fixtures/pcCheck (written from the documented sources of each field; see its README). */
const fixture = (name: string) =>
  readFileSync(join(projectRoot(), 'test', 'fixtures', 'pcCheck', `${name}.txt`), 'utf8');

function factsOf(name: string): PcFacts {
  const reading = parsePcCheck(fixture(name));
  assert.equal(reading.kind, 'facts', name);
  return (reading as { facts: PcFacts }).facts;
}

describe('Check my PC: reading the pasted block', () => {
  it('Microsoft 365 Apps on Current, Azure AD joined, signed in with the work account', () => {
    const facts = factsOf('en-m365-current-aadj');
    assert.deepEqual(facts.windows, {
      edition: 'Microsoft Windows 11 Enterprise',
      version: '10.0.22631',
      major: 10,
      build: 22631,
    });
    assert.deepEqual(facts.clickToRun, {
      products: ['O365ProPlusRetail'],
      version: '16.0.17928.20156',
      channel: 'Current',
      sharedComputerActivation: false,
    });
    assert.deepEqual(facts.officeAccounts, [{ email: 'taro@contoso.com', kind: 'work' }]);
    assert.deepEqual(facts.join, {
      azureAd: true,
      domain: false,
      workplace: false,
      primaryRefreshToken: true,
    });
    assert.deepEqual(facts.wamAccounts, ['taro@contoso.com']);
    assert.equal(facts.localAdmin, false);
    assert.equal(facts.tls12, 'notNeeded');
    assert.equal(facts.signInReachable, true);
    assert.equal(facts.truncated, false);
    assert.equal(officeProductOf(facts), 'microsoft-365-apps');
  });

  it('a Japanese paste with the intro line: Monthly Enterprise, shared computer activation, hybrid joined, an admin', () => {
    const facts = factsOf('ja-m365-monthly-hybrid-admin');
    assert.equal(facts.clickToRun?.channel, 'MonthlyEnterprise');
    assert.equal(facts.clickToRun?.sharedComputerActivation, true);
    assert.deepEqual(facts.join, {
      azureAd: true,
      domain: true,
      workplace: false,
      primaryRefreshToken: true,
    });
    assert.equal(facts.localAdmin, true);
    assert.equal(officeProductOf(facts), 'microsoft-365-apps');
  });

  it('MSI Office 2016, workplace joined', () => {
    const facts = factsOf('ja-msi-2016-workplace');
    assert.equal(facts.clickToRun, undefined);
    assert.deepEqual(facts.msi, {
      name: 'Microsoft Office Professional Plus 2016',
      version: '16.0.4266.1001',
    });
    assert.equal(facts.join.workplace, true);
    assert.equal(officeProductOf(facts), 'office-2013-2016');
  });

  it('LTSC 2021 on a domain-joined PC, nobody signed in to Office', () => {
    const facts = factsOf('en-ltsc2021-domain');
    assert.equal(facts.clickToRun?.channel, 'LTSC2021');
    assert.deepEqual(facts.officeAccounts, []);
    assert.deepEqual(facts.wamAccounts, []);
    assert.equal(officeProductOf(facts), 'office-2019-later');
  });

  it('consumer Home & Business 2021 signed in with a personal Microsoft account; WAM unreadable (PowerShell 7)', () => {
    const facts = factsOf('ja-consumer-personal-account');
    assert.deepEqual(facts.officeAccounts, [
      { email: 'taro@outlook.com', kind: 'personal' },
      { email: 'taro@contoso.com', kind: 'work' },
    ]);
    assert.equal(facts.wamAccounts, undefined);
    assert.equal(officeProductOf(facts), 'consumer-office');
  });

  it('Windows 7 without TLS 1.2, pasted with its line breaks lost', () => {
    const facts = factsOf('en-win7-no-tls12-pasted-flat');
    assert.equal(facts.windows?.major, 6);
    assert.equal(facts.tls12, 'off');
    assert.equal(facts.signInReachable, false);
    assert.deepEqual(facts.msi, { name: 'Microsoft Office Standard 2013', version: '15.0.4569.1506' });
    assert.equal(facts.join.domain, true);
    assert.equal(facts.truncated, false);
    assert.equal(officeProductOf(facts), 'office-2013-2016');
  });

  it('a paste cut short keeps what arrived and says it was cut', () => {
    const facts = factsOf('ja-truncated');
    assert.equal(facts.truncated, true);
    assert.equal(facts.join.azureAd, true);
    assert.equal(facts.join.workplace, undefined);
    assert.equal(facts.localAdmin, undefined);
    assert.equal(officeProductOf(facts), 'microsoft-365-apps');
  });

  it('curly quotes and non-breaking spaces from the chat do not matter', () => {
    const pasted = fixture('en-m365-current-aadj').replace(/ /g, '\u00a0').replace(/'/g, '\u2019');
    const reading = parsePcCheck(pasted);
    assert.equal(reading.kind, 'facts');
    assert.equal((reading as { facts: PcFacts }).facts.join.azureAd, true);
  });

  it('lines glued with nothing between them (the Playground), or sent as HTML paragraphs, read the same', () => {
    const original = factsOf('ja-m365-monthly-hybrid-admin');
    const lines = fixture('ja-m365-monthly-hybrid-admin').split('\n');
    for (const pasted of [
      lines.join(''),
      lines.map((l) => `<p>${l.replace(/&/g, '&amp;')}</p>`).join(''),
      lines.join('<br>'),
    ]) {
      const reading = parsePcCheck(pasted);
      assert.equal(reading.kind, 'facts', pasted);
      assert.deepEqual((reading as { facts: PcFacts }).facts, original, pasted);
    }
  });

  it("a Japanese Windows' translated dsregcmd values (はい/いいえ) and channel names from older builds", () => {
    const reading = parsePcCheck(
      '===== Sign-in Desk PC check v1 =====\n' +
        'office.c2r: ProPlus2021Volume | 16.0.14332.20615 | PerpetualVL2021 | shared=\n' +
        'join: azuread=はい domain=いいえ workplace=いいえ prt=はい\n===== end =====',
    );
    assert.equal(reading.kind, 'facts');
    const facts = (reading as { facts: PcFacts }).facts;
    assert.deepEqual(facts.join, {
      azureAd: true,
      domain: false,
      workplace: false,
      primaryRefreshToken: true,
    });
    assert.equal(facts.clickToRun?.channel, 'LTSC2021');
  });

  it('rejects other text without guessing, and a newer format without misreading it', () => {
    for (const text of ['Office にサインインできません', 'windows: 11 office.c2r: O365ProPlusRetail', ''])
      assert.deepEqual(parsePcCheck(text), { kind: 'notACheck' });
    assert.deepEqual(parsePcCheck('===== Sign-in Desk PC check v2 =====\nwindows: x'), {
      kind: 'unsupportedVersion',
      version: 2,
    });
  });

  it('reads the same fields the script prints (the block format is one contract)', () => {
    const script = readFileSync(join(projectRoot(), 'content', 'scripts', 'CheckMyPc.ps1'), 'utf8');
    const printed = [...script.matchAll(/\$lines\.Add\('([a-z0-9.]+):/g)].map((m) => m[1]);
    assert.deepEqual(printed.sort(), [
      'admin',
      'join',
      'office.c2r',
      'office.c2r',
      'office.identities',
      'office.msi',
      'office.msi',
      'signin',
      'tls12',
      'tls12',
      'wam',
      'windows',
    ]);
  });
});
