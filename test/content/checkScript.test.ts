import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../bot/paths';

/**
 * The "Check my PC" script (content/scripts/CheckMyPc.ps1) only reads. It is parsed with a PowerShell grammar
 * (tree-sitter-powershell) and every command, method call and assignment is held against an allow-list of read
 * operations; a syntax error fails the test too.
 */
const SCRIPT = join(projectRoot(), 'content', 'scripts', 'CheckMyPc.ps1');

/** Commands, each with what its arguments must look like (whole command text). */
const READ_COMMANDS: Record<string, RegExp> = {
  'Get-UICulture': /^Get-UICulture$/,
  'Get-CimInstance': /^Get-CimInstance -ClassName Win32_OperatingSystem$/,
  // $view: one of the two WinHttp keys, listed as literals in its loop.
  'Get-ItemProperty': /^Get-ItemProperty( -Path ('[^']+'|\$view))?$/,
  'Get-ChildItem': /^Get-ChildItem -Path '[^']+'(, '[^']+')?/,
  'Where-Object': /^Where-Object \{/,
  'Select-Object': /^Select-Object -First 1$/,
  'ForEach-Object': /^ForEach-Object \{/,
  'Write-Host': /^Write-Host '[^']*'$/,
  'Write-Output': /^Write-Output$/,
  // The block goes to the user's clipboard to paste into the chat: the only thing the script writes, and not to the PC.
  'Set-Clipboard': /^Set-Clipboard$/,
  'Out-Null': /^Out-Null$/,
  'New-Object': /^New-Object System\.Collections\.Generic\.List\[string\]$/,
  'Add-Type': /^Add-Type -AssemblyName System\.Runtime\.WindowsRuntime$/,
  dsregcmd: /^dsregcmd \/status$/,
  whoami: /^whoami \/groups$/,
  // GET of a public document only: no -Method, -Body or -OutFile.
  'Invoke-WebRequest':
    /^Invoke-WebRequest -Uri 'https:\/\/login\.microsoftonline\.com\/[^']+' -UseBasicParsing -TimeoutSec \d+$/,
};

/** Settings the script may assign: TLS 1.2 for its own PowerShell process (nothing on the PC). */
const ALLOWED_SETTINGS = ['[Net.ServicePointManager]::SecurityProtocol'];

/** .NET methods the script may call: reading WAM accounts, building the output list, waiting for tasks. */
const READ_METHODS = new Set([
  'Add', // the output List[string]
  'GetType',
  'IsMethodPresent',
  'GetMethods',
  'GetParameters',
  'MakeGenericMethod',
  'Invoke', // MethodInfo.Invoke of AsTask, wrapping the two read calls below
  'FindAccountProviderAsync',
  'FindAllAccountsAsync',
  'Wait',
]);

interface SyntaxNode {
  type: string;
  text: string;
  namedChildren: SyntaxNode[];
  startPosition: { row: number };
  hasError: boolean;
}

async function parse(source: string): Promise<SyntaxNode> {
  // ESM-only with top-level await, so imported, not required.
  const { default: Parser } = await import('tree-sitter');
  const { default: PowerShell } = await import('tree-sitter-powershell');
  const parser = new Parser();
  parser.setLanguage(PowerShell as never);
  return parser.parse(source).rootNode as unknown as SyntaxNode;
}

/** Every way the source could change something, as messages; empty when it only reads. */
async function writeOperations(source: string): Promise<string[]> {
  const root = await parse(source);
  const problems: string[] = [];
  if (root.hasError) problems.push('syntax error');
  const visit = (node: SyntaxNode) => {
    const line = `line ${node.startPosition.row + 1}`;
    if (node.type === 'command') {
      const name = node.namedChildren.find((c) => c.type === 'command_name')?.text ?? '';
      const text = node.text.replace(/\s+/g, ' ').trim().replace(/^& /, '');
      const allowed = READ_COMMANDS[name];
      if (!allowed) problems.push(`${line}: command ${name} is not a read operation`);
      else if (!allowed.test(text))
        problems.push(`${line}: ${name} with arguments that are not allowed: ${text}`);
    }
    if (node.type === 'invokation_expression') {
      const method = node.namedChildren.find((c) => c.type === 'member_name')?.text ?? '';
      if (!READ_METHODS.has(method)) problems.push(`${line}: method ${method}() is not a read operation`);
    }
    // Output written to a file ("> C:\x.txt") is a write, whatever command produced it.
    if (/redirection/.test(node.type)) problems.push(`${line}: redirection ${node.text} writes a file`);
    if (
      node.type === 'left_assignment_expression' &&
      !/^\$[A-Za-z_]\w*(\[.+\])?$/.test(node.text) &&
      !ALLOWED_SETTINGS.includes(node.text)
    )
      problems.push(`${line}: assignment to ${node.text} (only the script's own variables may be assigned)`);
    node.namedChildren.forEach(visit);
  };
  visit(root);
  return problems;
}

describe('"Check my PC" script: read-only (tree-sitter-powershell)', () => {
  const source = readFileSync(SCRIPT, 'utf8');

  it('parses, and every command, method call and assignment is a read', async () => {
    assert.deepEqual(await writeOperations(source), []);
  });

  it('says in ja and en what it reads and that it changes nothing, and prints the versioned header', () => {
    assert.match(source, /It changes nothing and needs no administrator rights/);
    assert.match(source, /何も変更せず、管理者権限も不要です/);
    // What the user sees when it runs, in their language (the comments are not shown).
    assert.match(source, /Write-Host 'Reading facts about this PC: .* Nothing is changed/);
    assert.match(source, /Write-Host 'この PC の状態を読み取ります: .*何も変更しません。/);
    assert.ok(source.includes("'===== Sign-in Desk PC check v1 ====='"));
    assert.ok(source.includes("'===== end ====='"));
  });

  it('catches what would change the PC, and syntax errors', async () => {
    const cases: [string, RegExp][] = [
      ['Remove-Item -Path $env:TEMP\\x', /Remove-Item is not a read operation/],
      ["Set-ItemProperty -Path 'HKCU:\\x' -Name a -Value 1", /Set-ItemProperty is not a read operation/],
      [
        "Invoke-WebRequest -Uri 'https://login.microsoftonline.com/x' -Method Post -UseBasicParsing",
        /arguments/,
      ],
      [
        '$accounts | % { $_.SignOutAsync("d3590ed6-52b3-4102-aeff-aad2292ab01c") }',
        /SignOutAsync\(\) is not/,
      ],
      ['$env:PATH = "x"', /assignment to \$env:PATH/],
      ["$block > 'C:\\x.txt'", /redirection/],
      ["$block >> 'C:\\x.txt'", /redirection/],
      ['[IO.File]::Delete("C:\\x")', /Delete\(\) is not/],
      ['if ( { Get-Culture', /syntax error/],
    ];
    for (const [snippet, expected] of cases) {
      const problems = await writeOperations(snippet);
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${snippet}: ${problems.join('; ')}`,
      );
    }
  });
});
