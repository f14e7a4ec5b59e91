import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ArmTemplate } from './armTemplate';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const GUIDE = read('docs/deploy.md');

/** The application permissions in README's Graph table: the rows whose permission is not resource-specific. */
function readmeGraphPermissions(): string[] {
  const readme = read('README.md');
  const start = readme.indexOf('| Permission | Why |');
  const table = readme.slice(start, readme.indexOf('\n\n', start));
  const rows = [...table.matchAll(/^\| `([A-Za-z.]+)`( \(resource-specific[^|]*)? \|/gm)];
  return rows.filter((row) => row[2] === undefined).map((row) => row[1]);
}

describe('docs/deploy.md', () => {
  it("names every Graph permission of the README's table, and grants them by name, not by copied GUIDs", () => {
    const permissions = readmeGraphPermissions();
    assert.deepEqual(permissions, [
      'User.Read.All',
      'LicenseAssignment.Read.All',
      'ServiceHealth.Read.All',
      'RoleManagement.Read.Directory',
      'GroupMember.Read.All',
    ]);
    for (const permission of permissions)
      assert.match(GUIDE, new RegExp(`\`${permission.replace(/\./g, '\\.')}\``));
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
