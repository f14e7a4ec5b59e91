import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ArmTemplate } from './armTemplate';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const GUIDE = read('docs/deploy.md');

/**
 * The application permissions in README's Graph table: the rows whose permission is not resource-specific, the
 * required ones and the optional ones apart. Every row must be one or the other.
 */
function readmeGraphPermissions(): { required: string[]; optional: string[] } {
  const readme = read('README.md');
  const start = readme.indexOf('| Permission | Why |');
  const table = readme.slice(start, readme.indexOf('\n\n', start));
  const lines = table.split('\n').slice(2);
  const rows = [...table.matchAll(/^\| `([A-Za-z.]+)`( \((resource-specific|optional)[^|]*)? \|/gm)];
  assert.equal(rows.length, lines.length, 'every row of the table names one permission');
  return {
    required: rows.filter((row) => row[2] === undefined).map((row) => row[1]),
    optional: rows.filter((row) => row[3] === 'optional').map((row) => row[1]),
  };
}

describe('docs/deploy.md', () => {
  it("names every Graph permission of the README's table, and grants them by name, not by copied GUIDs", () => {
    const { required, optional } = readmeGraphPermissions();
    assert.deepEqual(required, [
      'User.Read.All',
      'LicenseAssignment.Read.All',
      'ServiceHealth.Read.All',
      'RoleManagement.Read.Directory',
      'GroupMember.Read.All',
    ]);
    // Optional: the bot works without it and says so (see GraphDirectory.getOfficeActivations).
    assert.deepEqual(optional, ['Reports.Read.All']);
    for (const permission of [...required, ...optional])
      assert.match(GUIDE, new RegExp(`\`${permission.replace(/\./g, '\\.')}\``));
    // The grant loops hold the required permissions; the optional one is granted by its own line.
    for (const loop of GUIDE.matchAll(/for PERMISSION in ([^;]+); do/g)) {
      const names = loop[1].replace(/\\\n/g, ' ').trim().split(/\s+/);
      assert.ok(
        names.join() === required.join() || names.join() === optional.join(),
        `a grant loop lists ${names.join(', ')}`,
      );
    }
    assert.match(
      GUIDE,
      /az ad sp show --id "\$GRAPH" --query "appRoles\[\?value=='\$PERMISSION'\]\.id" -o tsv/,
    );
    assert.match(
      GUIDE,
      /az ad app permission add --id "\$BOT_ID" --api "\$GRAPH" --api-permissions "\$ROLE_ID=Role"/,
    );
    assert.match(GUIDE, /az ad app permission admin-consent --id "\$BOT_ID"/);
    // Graph's own application id, the one GUID the commands need.
    assert.match(GUIDE, /GRAPH=00000003-0000-0000-c000-000000000000/);
    const otherGuids = (
      GUIDE.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? []
    ).filter((guid) => guid !== '00000003-0000-0000-c000-000000000000');
    assert.deepEqual(otherGuids, []);
  });

  it("names the manifest's resource-specific permission", () => {
    const manifest = JSON.parse(read('manifest/manifest.json')) as {
      authorization: { permissions: { resourceSpecific: { name: string }[] } };
    };
    for (const { name } of manifest.authorization.permissions.resourceSpecific)
      assert.ok(GUIDE.includes(name), name);
  });

  it('uses the Toolkit and az commands the project files support', () => {
    for (const command of ['atk provision --env dev', 'atk deploy --env dev', 'atk publish --env dev'])
      assert.ok(GUIDE.includes(command), command);
    assert.match(GUIDE, /az deployment group create [^\n]*\n\s+--template-file infra\/main\.bicep/);
    assert.match(GUIDE, /Teams apps\*\* → \*\*Manage apps\*\* → \*\*Actions\*\* → \*\*Upload new app\*\*/);
    for (const route of ['/healthz', '/readyz']) assert.ok(GUIDE.includes(route), route);
    // Parameters the guide tells people to pass exist in the template.
    const parameters = (JSON.parse(read('infra/main.json')) as ArmTemplate).parameters;
    for (const [, name] of GUIDE.matchAll(/\b([a-z][A-Za-z]+)=("?\$|UserAssignedMSI)/g))
      if (!['ROLE_ID', 'GRAPH'].includes(name)) assert.ok(name in parameters, `parameter ${name}`);
  });

  it('the files it points to exist', () => {
    for (const [, target] of GUIDE.matchAll(/\]\(((?!https?:)[^)#]+)\)/g))
      assert.ok(existsSync(path.join(ROOT, 'docs', target)), target);
    for (const [, file] of GUIDE.matchAll(/`((?:infra|env|test\/deploy|manifest)\/[\w./-]+?)`/g))
      if (!file.includes('*') && !file.endsWith('.user') && !file.includes('.env.prod'))
        assert.ok(existsSync(path.join(ROOT, file)), file);
  });

  it('the README links it', () => {
    assert.match(read('README.md'), /## Deploy to Azure\n\n\[docs\/deploy\.md\]\(docs\/deploy\.md\)/);
  });
});
