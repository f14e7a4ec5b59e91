import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphDirectory } from '../../bot/directory/graphDirectory';
import {
  parseActivationsReport,
  parseCsv,
  ReportFormatError,
} from '../../bot/directory/officeActivationsReport';
import type { Logger } from '../../bot/logger';
import { silentLogger } from '../../bot/logger';
import { OfficeInstallLimit } from '../../core/licensing/officeInstallLimit';
import { INSTALL_LIMIT_USER, SandboxFixture } from '../helpers/sandbox';

const HEADER =
  'Report Refresh Date,User Principal Name,Display Name,Product Type,Last Activated Date,Windows,Mac,Windows 10 Mobile,iOS,Android,Activated On Shared Computer';
const REPORT_PATH = '/v1.0/reports/getOffice365ActivationsUserDetail';
const DOWNLOAD_PATH = '/data/download/';

/** A logger that keeps the warnings (message and fields), for the "logged once" checks. */
function recordingLogger(): Logger & { warnings: { message: string; fields?: Record<string, unknown> }[] } {
  const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  return { ...silentLogger, warn: (message, fields) => void warnings.push({ message, fields }), warnings };
}

describe('Office activations report: CSV parsing', () => {
  it('reads RFC 4180: byte-order mark, CRLF, quoted commas, doubled quotes and line breaks, blank lines', () => {
    const text =
      '\uFEFFa,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\n\r\nplain,,last\nlf,only,row\rcr,only,row';
    assert.deepEqual(parseCsv(text), [
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\r\nlines'],
      ['plain', '', 'last'],
      ['lf', 'only', 'row'],
      ['cr', 'only', 'row'],
    ]);
    assert.deepEqual(parseCsv(''), []);
    assert.deepEqual(parseCsv('a,b\r\n'), [['a', 'b']]);
    assert.deepEqual(parseCsv('a,""\r\n'), [['a', '']]);
    assert.throws(() => parseCsv('a,"never closed\r\n'), ReportFormatError);
  });

  it('finds columns by name, in any order, and reads counts, dates and the shared computer flag', () => {
    const report = parseActivationsReport(
      '\uFEFFProduct Type,  user principal name ,Windows,Mac,iOS,Android,Windows 10 Mobile,Activated On Shared Computer,Last Activated Date,Report Refresh Date,Extra\r\n' +
        'MICROSOFT 365 APPS FOR ENTERPRISE,Ichiro.Sato@Contoso.example,4,1,1,x,-2,TRUE,2026-11-19,2026-11-21,?\r\n' +
        'VISIO ONLINE PLAN 2,ichiro.sato@contoso.example,,,,,,False,,2026-11-21,\r\n' +
        ',nobody@contoso.example,1,1,1,1,1,False,,,\r\n',
    );
    assert.equal(report.refreshDate, '2026-11-21');
    assert.equal(report.rows, 2, 'a row without a product is no row');
    assert.equal(report.concealedNames, 0);
    assert.deepEqual(report.byUpn.get('ichiro.sato@contoso.example'), [
      {
        productType: 'MICROSOFT 365 APPS FOR ENTERPRISE',
        windows: 4,
        mac: 1,
        windows10Mobile: 0,
        ios: 1,
        android: 0,
        activatedOnSharedComputer: true,
        lastActivatedDate: '2026-11-19',
      },
      {
        productType: 'VISIO ONLINE PLAN 2',
        windows: 0,
        mac: 0,
        windows10Mobile: 0,
        ios: 0,
        android: 0,
        activatedOnSharedComputer: false,
      },
    ]);
  });

  it('counts concealed names (32 hex digits), and refuses a file that is not the report', () => {
    const report = parseActivationsReport(
      `${HEADER}\r\n2026-11-21,77E5979DD60BA6EAA53E814DBEEEFA5F,4291DA7C39EE3263E97336B42734A667,MICROSOFT 365 APPS FOR ENTERPRISE,2021-01-10,1,0,0,0,0,False\r\n`,
    );
    assert.equal(report.concealedNames, 1);
    assert.throws(() => parseActivationsReport(''), ReportFormatError);
    assert.throws(() => parseActivationsReport('{"error":{"code":"x"}}'), ReportFormatError);
    assert.equal(parseActivationsReport(`${HEADER}\r\n`).rows, 0, 'an empty report is a report');
  });
});

describe('Office activations report through GraphDirectory, over HTTP against the sandbox tenant', () => {
  const fixture = new SandboxFixture();
  before(() => fixture.start());
  after(() => fixture.stop());
  beforeEach(() => fixture.reset());

  const reportRequests = (): string[] => fixture.paths.filter((p) => p === `GET ${REPORT_PATH}`);
  const downloads = (): string[] => fixture.paths.filter((p) => p.startsWith(`GET ${DOWNLOAD_PATH}`));

  it('a user at the install limit: 4 Windows PCs and 1 Mac', async () => {
    const directory = fixture.newDirectory();
    const reading = await directory.getOfficeActivations(INSTALL_LIMIT_USER.userPrincipalName);
    assert.deepEqual(reading, {
      kind: 'activations',
      rows: [
        {
          productType: 'MICROSOFT 365 APPS FOR ENTERPRISE',
          windows: 4,
          mac: 1,
          windows10Mobile: 0,
          ios: 1,
          android: 1,
          activatedOnSharedComputer: false,
          lastActivatedDate: '2026-11-19',
        },
      ],
      reportRefreshDate: '2026-11-21',
    });
    const result = await new OfficeInstallLimit(directory).check(
      INSTALL_LIMIT_USER.userPrincipalName.toUpperCase(),
    );
    assert.equal(result?.atLimit, true);
    assert.equal(result?.products[0].pcsAndMacs, 5);
    assert.equal(result?.products[0].mobileDevices, 2);
    assert.equal(result?.deactivateUrl, 'https://portal.office.com/account/?ref=MeControl#installs');
  });

  it('users under the limit, on Microsoft 365 Apps for enterprise and for business', async () => {
    const check = new OfficeInstallLimit(fixture.newDirectory());
    const hanako = await check.check('hanako.sato@contoso.example', 'hanako.sato@contoso.example');
    assert.equal(hanako?.atLimit, false);
    assert.deepEqual(
      hanako?.products.map((p) => [p.productType, p.pcsAndMacs, p.mobileDevices]),
      [['MICROSOFT 365 APPS FOR ENTERPRISE', 1, 1]],
    );
    const taro = await check.check('taro.suzuki@contoso.example');
    assert.deepEqual(
      taro?.products.map((p) => [p.productType, p.pcsAndMacs, p.atLimit]),
      [['MICROSOFT 365 APPS FOR BUSINESS', 2, false]],
    );
    const sakura = await check.check('sakura.mori@contoso.example');
    assert.equal(sakura?.products[0].activatedOnSharedComputer, true);
    // Licensed but never activated: in the report with zeros.
    const aoi = await check.check('aoi.yamamoto@contoso.example');
    assert.deepEqual(
      aoi?.products.map((p) => [p.pcsAndMacs, p.mobileDevices, p.lastActivatedDate]),
      [[0, 0, undefined]],
    );
  });

  it('users not in the report: no desktop Office (Business Basic, Office turned off, no licence) or unknown', async () => {
    const directory = fixture.newDirectory();
    for (const upn of [
      'yui.takahashi@contoso.example',
      'ken.tanaka@contoso.example',
      'yuto.kato@contoso.example',
      'nobody@contoso.example',
    ])
      assert.deepEqual(await directory.getOfficeActivations(upn), { kind: 'none' }, upn);
    assert.equal(await new OfficeInstallLimit(directory).check('yui.takahashi@contoso.example'), undefined);
  });

  it('downloads the report once for many turns, concurrent ones included, and again when the cache expires', async () => {
    const directory = fixture.newDirectory();
    await Promise.all(
      ['hanako.sato', 'taro.suzuki', 'ichiro.sato', 'yui.takahashi'].map((name) =>
        directory.getOfficeActivations(`${name}@contoso.example`),
      ),
    );
    await directory.getOfficeActivations('sakura.mori@contoso.example');
    assert.equal(reportRequests().length, 1);
    assert.equal(downloads().length, 1);
    fixture.advance(3 * 60 * 60_000 + 1);
    await directory.getOfficeActivations('hanako.sato@contoso.example');
    assert.equal(reportRequests().length, 2);
  });

  it('sends the token to Graph but not to the download URL it redirects to', async () => {
    const directory = fixture.newDirectory({ authProvider: { getAccessToken: async () => 'graph-token' } });
    const reading = await directory.getOfficeActivations(INSTALL_LIMIT_USER.userPrincipalName);
    assert.equal(reading.kind, 'activations');
    const [report, download, ...rest] = fixture.sandbox.requests;
    assert.deepEqual(rest, []);
    assert.equal(report.path, REPORT_PATH);
    assert.equal(report.status, 302);
    assert.equal(report.headers.authorization, 'Bearer graph-token');
    assert.ok(download.path.startsWith(DOWNLOAD_PATH));
    assert.equal(download.status, 200);
    assert.equal(download.headers.authorization, undefined);
    assert.ok(!JSON.stringify(download.headers).includes('graph-token'));
  });

  it('403: unavailable/forbidden, logged once however many turns ask, Graph asked again only later', async () => {
    fixture.sandbox.injectFault({ match: '/reports/getOffice365ActivationsUserDetail', status: 403 });
    const logger = recordingLogger();
    const calls: [string, string][] = [];
    const directory = fixture.newDirectory({
      logger,
      telemetry: {
        graphCall: (operation, _ms, outcome) => void calls.push([operation, outcome]),
        graphRetry() {},
      },
    });
    for (const upn of ['hanako.sato@contoso.example', INSTALL_LIMIT_USER.userPrincipalName])
      assert.deepEqual(await directory.getOfficeActivations(upn), {
        kind: 'unavailable',
        reason: 'forbidden',
      });
    assert.equal(logger.warnings.length, 1, JSON.stringify(logger.warnings));
    assert.deepEqual(calls, [['getOfficeActivationsReport', 'forbidden']], 'telemetry sees the refusal');
    assert.match(logger.warnings[0].message, /Reports\.Read\.All/);
    assert.equal(reportRequests().length, 1, 'the refusal is remembered for a while');
    fixture.advance(15 * 60_000 + 1);
    assert.equal((await directory.getOfficeActivations('hanako.sato@contoso.example')).kind, 'unavailable');
    assert.equal(reportRequests().length, 2);
    assert.equal(logger.warnings.length, 1, 'still one line for the process');
    assert.equal(downloads().length, 0);
    assert.equal(await new OfficeInstallLimit(directory).check('hanako.sato@contoso.example'), undefined);
  });

  it('concealed names: unavailable/concealed, logged once without any name; found again once the admin turns it off', async () => {
    const response = await fetch(`${fixture.sandbox.url}/v1.0/admin/reportSettings`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayConcealedNames: true }),
    });
    assert.equal(response.status, 204);
    const logger = recordingLogger();
    const directory = fixture.newDirectory({ logger });
    for (const upn of [
      'hanako.sato@contoso.example',
      INSTALL_LIMIT_USER.userPrincipalName,
      'nobody@x.example',
    ])
      assert.deepEqual(await directory.getOfficeActivations(upn), {
        kind: 'unavailable',
        reason: 'concealed',
      });
    assert.equal(logger.warnings.length, 1, JSON.stringify(logger.warnings));
    assert.match(logger.warnings[0].message, /conceals user names/);
    const logged = JSON.stringify(logger.warnings);
    assert.ok(!/@|佐藤|sato/i.test(logged), logged);
    assert.equal(
      await new OfficeInstallLimit(directory).check(INSTALL_LIMIT_USER.userPrincipalName),
      undefined,
    );

    fixture.sandbox.concealReportNames(false);
    fixture.advance(15 * 60_000 + 1);
    const reading = await directory.getOfficeActivations(INSTALL_LIMIT_USER.userPrincipalName);
    assert.equal(reading.kind, 'activations');
    assert.equal(downloads().length, 2);
  });

  it('reads a CSV with a byte-order mark, quoted fields and CRLF, served as Graph serves it', async () => {
    fixture.sandbox.overrideActivationsReport(
      `\uFEFF${HEADER}\r\n` +
        '2026-11-21,"o\'brien@contoso.example","O\'Brien, Sean ""the CSV test""",' +
        '"MICROSOFT 365 APPS FOR ENTERPRISE",2026-11-01,"3","2",0,0,0,"False"\r\n' +
        '2026-11-21,second@contoso.example,"two\r\nlines",PROJECT ONLINE DESKTOP CLIENT,,1,0,0,0,0,False\r\n',
    );
    const directory = fixture.newDirectory();
    const reading = await directory.getOfficeActivations("O'Brien@contoso.example");
    assert.equal(reading.kind, 'activations');
    assert.deepEqual(
      reading.kind === 'activations' && reading.rows.map((r) => [r.productType, r.windows, r.mac]),
      [['MICROSOFT 365 APPS FOR ENTERPRISE', 3, 2]],
    );
    const second = await new OfficeInstallLimit(directory).check('second@contoso.example');
    assert.deepEqual(
      second?.products.map((p) => [p.productType, p.pcsAndMacs, p.pcOrMacLimit]),
      [['PROJECT ONLINE DESKTOP CLIENT', 1, 5]],
    );
  });

  it('other failures: unavailable/error, a warning on every try, nothing cached', async () => {
    const logger = recordingLogger();
    const directory = fixture.newDirectory({ logger });
    fixture.sandbox.injectFault({ match: '/reports/', status: 503, retryAfter: '0' });
    for (let i = 0; i < 2; i++)
      assert.deepEqual(await directory.getOfficeActivations('hanako.sato@contoso.example'), {
        kind: 'unavailable',
        reason: 'error',
      });
    const failed = logger.warnings.filter((w) => w.message === 'Graph operation failed');
    assert.equal(failed.length, 2);
    assert.equal(failed[0].fields?.operation, 'getOfficeActivationsReport');

    fixture.reset();
    logger.warnings.splice(0);
    fixture.sandbox.injectFault({ match: DOWNLOAD_PATH, status: 500, times: 1 });
    assert.equal((await directory.getOfficeActivations('hanako.sato@contoso.example')).kind, 'unavailable');
    assert.equal(logger.warnings.filter((w) => w.message === 'Graph operation failed').length, 1);
    assert.equal(
      (await directory.getOfficeActivations('hanako.sato@contoso.example')).kind,
      'activations',
      'the next turn tries again',
    );

    fixture.reset();
    logger.warnings.splice(0);
    fixture.sandbox.overrideActivationsReport('<html>not a report</html>');
    const fresh = fixture.newDirectory({ logger });
    assert.deepEqual(await fresh.getOfficeActivations('hanako.sato@contoso.example'), {
      kind: 'unavailable',
      reason: 'error',
    });
    assert.deepEqual(
      logger.warnings.map((w) => [w.message, w.fields?.kind]),
      [
        ['Graph answer malformed; trying once more', 'malformed'],
        ['Graph operation failed', 'malformed'],
      ],
    );
  });

  it('follows a redirect only to https or to its own Graph host', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(302, { Location: 'http://reports.example.invalid/data/download/x' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const logger = recordingLogger();
      const directory = new GraphDirectory({ baseUrl: `http://127.0.0.1:${port}`, logger });
      assert.deepEqual(await directory.getOfficeActivations('hanako.sato@contoso.example'), {
        kind: 'unavailable',
        reason: 'error',
      });
      assert.match(String(logger.warnings.at(-1)?.fields?.reason), /neither https nor our Graph host/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("selects the user's mail address for the dialogs to compare with Office's account", async () => {
    const snapshot = await fixture.newDirectory().getLicensingSnapshot(INSTALL_LIMIT_USER.id);
    assert.equal(snapshot?.user.mail, 'ichiro.sato@contoso.example');
    assert.ok(fixture.urls.some((u) => /\$select=[^&]*\bmail\b/.test(u)));
  });
});
