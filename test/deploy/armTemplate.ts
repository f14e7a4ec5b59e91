/**
 * Reads infra/ offline: an evaluator for the ARM template expressions infra/main.json uses (so tests can see the
 * app settings each parameter choice really produces), and a small parse of main.bicep to compare the two.
 * Runtime values Azure alone knows (reference(), listKeys()) come from stubs the test passes in.
 */
import { createHash } from 'node:crypto';

export type ArmValue = string | number | boolean | null | ArmValue[] | { [key: string]: ArmValue };

export interface ArmTemplate {
  $schema: string;
  contentVersion: string;
  parameters: Record<string, ArmParameter>;
  variables: Record<string, unknown>;
  resources: ArmResource[];
  outputs: Record<string, { type: string; value: unknown }>;
  [key: string]: unknown;
}

export interface ArmParameter {
  type: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
  minLength?: number;
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
  metadata?: { description?: string };
}

export interface ArmResource {
  type: string;
  apiVersion: string;
  name: string;
  condition?: unknown;
  scope?: string;
  dependsOn?: string[];
  [key: string]: unknown;
}

/** What only Azure knows at deployment time. */
export interface RuntimeStubs {
  /** reference(resourceId, apiVersion): the resource's runtime properties. */
  reference(resourceId: string): ArmValue;
  /** listKeys(resourceId, apiVersion). */
  listKeys(resourceId: string): ArmValue;
}

export const SAMPLE_SCOPE = {
  subscriptionId: '11111111-1111-4111-8111-111111111111',
  tenantId: '22222222-2222-4222-8222-222222222222',
  resourceGroup: 'rg-signin-desk',
  location: 'japaneast',
};

type Node =
  | { kind: 'literal'; value: string | number }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'property'; target: Node; name: string }
  | { kind: 'index'; target: Node; index: Node };

/** True for a string ARM evaluates: "[...]", but not the "[[" escape. */
export function isExpression(text: string): boolean {
  return text.startsWith('[') && text.endsWith(']') && !text.startsWith('[[');
}

/** Parses the inside of "[...]"; throws on anything malformed, which is the point of parsing it. */
export function parseExpression(source: string): Node {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${pos} in: ${source}`);
  };
  const skipSpaces = () => {
    while (source[pos] === ' ') pos++;
  };
  const expect = (ch: string) => {
    skipSpaces();
    if (source[pos] !== ch) fail(`expected '${ch}'`);
    pos++;
  };
  const identifier = (): string => {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(pos));
    if (!match) return fail('expected a name');
    pos += match[0].length;
    return match[0];
  };
  const primary = (): Node => {
    skipSpaces();
    const ch = source[pos];
    if (ch === "'") {
      let value = '';
      pos++;
      for (;;) {
        if (pos >= source.length) fail('unterminated string');
        if (source[pos] === "'") {
          if (source[pos + 1] === "'") {
            value += "'";
            pos += 2;
            continue;
          }
          pos++;
          return { kind: 'literal', value };
        }
        value += source[pos++];
      }
    }
    const number = /^-?\d+/.exec(source.slice(pos));
    if (number) {
      pos += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    const name = identifier();
    expect('(');
    const args: Node[] = [];
    skipSpaces();
    if (source[pos] === ')') pos++;
    else {
      for (;;) {
        args.push(expression());
        skipSpaces();
        if (source[pos] === ',') pos++;
        else if (source[pos] === ')') {
          pos++;
          break;
        } else fail("expected ',' or ')'");
      }
    }
    return { kind: 'call', name, args };
  };
  const expression = (): Node => {
    let node = primary();
    for (;;) {
      if (source[pos] === '.') {
        pos++;
        node = { kind: 'property', target: node, name: identifier() };
      } else if (source[pos] === '[') {
        pos++;
        const index = expression();
        expect(']');
        node = { kind: 'index', target: node, index };
      } else return node;
    }
  };
  const node = expression();
  skipSpaces();
  if (pos !== source.length) fail('unexpected text');
  return node;
}

function hashed(parts: unknown[], length: number): string {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...digest.subarray(0, length)].map((byte) => alphabet[byte % 32]).join('');
}

function stubGuid(parts: unknown[]): string {
  const hex = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function asString(value: ArmValue, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a string, is ${JSON.stringify(value)}`);
  return value;
}

/** /subscriptions/…/providers/A.B/type1/name1/type2/name2 for resourceId('A.B/type1/type2', name1, name2). */
function resourceIdOf(prefix: string, type: string, names: string[]): string {
  const [namespace, ...types] = type.split('/');
  if (types.length !== names.length) throw new Error(`resourceId(${type}) needs ${types.length} names`);
  return `${prefix}/providers/${namespace}/${types.map((t, i) => `${t}/${names[i]}`).join('/')}`;
}

/**
 * Evaluates a template for given parameter values, the way Azure Resource Manager would: defaults filled,
 * variables evaluated on use, `if` evaluating only the branch it takes.
 */
export class ArmEvaluator {
  private readonly parameterValues: Record<string, ArmValue> = {};
  private readonly variableCache = new Map<string, ArmValue>();
  private readonly scope = SAMPLE_SCOPE;

  constructor(
    private readonly template: ArmTemplate,
    parameters: Record<string, ArmValue>,
    private readonly stubs: RuntimeStubs,
  ) {
    for (const name of Object.keys(parameters))
      if (!(name in template.parameters)) throw new Error(`the template has no parameter ${name}`);
    for (const [name, definition] of Object.entries(template.parameters)) {
      if (name in parameters) this.parameterValues[name] = parameters[name];
      else if ('defaultValue' in definition) this.parameterValues[name] = this.value(definition.defaultValue);
      else throw new Error(`parameter ${name} has no value and no default`);
      const value = this.parameterValues[name];
      if (definition.allowedValues && !definition.allowedValues.includes(value))
        throw new Error(`parameter ${name}: ${JSON.stringify(value)} is not allowed`);
    }
  }

  get resourceGroupId(): string {
    return `/subscriptions/${this.scope.subscriptionId}/resourceGroups/${this.scope.resourceGroup}`;
  }

  /** Any template value: strings that are expressions are evaluated, objects and arrays recursively. */
  value(raw: unknown): ArmValue {
    if (typeof raw === 'string') {
      if (isExpression(raw)) return this.evaluate(parseExpression(raw.slice(1, -1)));
      return raw.startsWith('[[') ? raw.slice(1) : raw;
    }
    if (Array.isArray(raw)) return raw.map((item) => this.value(item));
    if (raw !== null && typeof raw === 'object')
      return Object.fromEntries(
        Object.entries(raw).map(([key, item]) => [String(this.value(key)), this.value(item)]),
      );
    return raw as ArmValue;
  }

  /** The resource's evaluated form, or undefined when its condition is false. */
  resource(resource: ArmResource): Record<string, ArmValue> | undefined {
    if (resource.condition !== undefined && this.value(resource.condition) !== true) return undefined;
    // dependsOn and condition are instructions to ARM, not part of the resource.
    const rest = Object.fromEntries(
      Object.entries(resource).filter(([key]) => key !== 'dependsOn' && key !== 'condition'),
    );
    return this.value(rest) as Record<string, ArmValue>;
  }

  private evaluate(node: Node): ArmValue {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'property': {
        const target = this.evaluate(node.target);
        if (target === null || typeof target !== 'object' || Array.isArray(target) || !(node.name in target))
          throw new Error(`no property ${node.name} in ${JSON.stringify(target)}`);
        return target[node.name];
      }
      case 'index': {
        const target = this.evaluate(node.target);
        const index = this.evaluate(node.index);
        if (Array.isArray(target) && typeof index === 'number' && index < target.length) return target[index];
        if (target && typeof target === 'object' && typeof index === 'string' && index in target)
          return (target as Record<string, ArmValue>)[index];
        throw new Error(`cannot index ${JSON.stringify(target)} with ${JSON.stringify(index)}`);
      }
      case 'call':
        return this.call(node.name, node.args);
    }
  }

  private call(name: string, argNodes: Node[]): ArmValue {
    // `if` evaluates only the branch it takes, as ARM does.
    if (name === 'if') {
      const [condition, whenTrue, whenFalse] = argNodes;
      return this.evaluate(this.evaluate(condition) === true ? whenTrue : whenFalse);
    }
    const args = argNodes.map((arg) => this.evaluate(arg));
    const str = (i: number) => asString(args[i], `${name}() argument ${i + 1}`);
    switch (name) {
      case 'parameters': {
        if (!(str(0) in this.parameterValues)) throw new Error(`unknown parameter ${str(0)}`);
        return this.parameterValues[str(0)];
      }
      case 'variables':
        return this.variable(str(0));
      case 'equals':
        return JSON.stringify(args[0]) === JSON.stringify(args[1]);
      case 'not':
        return !args[0];
      case 'and':
        return args.every(Boolean);
      case 'or':
        return args.some(Boolean);
      case 'empty':
        return (
          args[0] === null ||
          args[0] === '' ||
          (Array.isArray(args[0]) && args[0].length === 0) ||
          (typeof args[0] === 'object' && Object.keys(args[0] ?? {}).length === 0)
        );
      case 'null':
        return null;
      case 'string':
        return typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
      case 'toLower':
        return str(0).toLowerCase();
      case 'concat':
        return args.every(Array.isArray) ? args.flat() : args.map((a) => String(a)).join('');
      case 'format':
        return str(0).replace(/\{\{|\}\}|\{(\d+)\}/g, (token, index?: string) => {
          if (token === '{{') return '{';
          if (token === '}}') return '}';
          const value = args[Number(index) + 1];
          if (value === undefined) throw new Error(`format(): no argument {${index}}`);
          return typeof value === 'string' ? value : JSON.stringify(value);
        });
      case 'uniqueString':
        return hashed(args, 13);
      case 'guid':
        return stubGuid(args);
      case 'resourceGroup':
        return {
          id: this.resourceGroupId,
          name: this.scope.resourceGroup,
          location: this.scope.location,
        };
      case 'subscription':
        return {
          id: `/subscriptions/${this.scope.subscriptionId}`,
          subscriptionId: this.scope.subscriptionId,
          tenantId: this.scope.tenantId,
        };
      case 'environment':
        return { suffixes: { keyvaultDns: '.vault.azure.net', storage: 'core.windows.net' } };
      case 'resourceId':
        return resourceIdOf(
          this.resourceGroupId,
          str(0),
          args.slice(1).map((_, i) => str(i + 1)),
        );
      case 'subscriptionResourceId':
        return resourceIdOf(
          `/subscriptions/${this.scope.subscriptionId}`,
          str(0),
          args.slice(1).map((_, i) => str(i + 1)),
        );
      case 'extensionResourceId': {
        const [namespace, ...types] = str(1).split('/');
        const names = args.slice(2).map((_, i) => str(i + 2));
        return `${str(0)}/providers/${namespace}/${types.map((t, i) => `${t}/${names[i]}`).join('/')}`;
      }
      case 'reference':
        return this.stubs.reference(str(0));
      case 'listKeys':
        return this.stubs.listKeys(str(0));
      default:
        throw new Error(`the test evaluator does not know ${name}()`);
    }
  }

  private variable(name: string): ArmValue {
    if (!(name in this.template.variables)) throw new Error(`unknown variable ${name}`);
    if (!this.variableCache.has(name))
      this.variableCache.set(name, this.value(this.template.variables[name]));
    return this.variableCache.get(name)!;
  }
}

/** Declarations read from a .bicep file by a few regular expressions: enough to compare it with main.json. */
export interface BicepDeclarations {
  parameters: Map<string, { type: string; default?: string; allowed?: string[]; decorators: string[] }>;
  variables: string[];
  resources: { symbol: string; type: string; apiVersion: string; conditional: boolean }[];
  outputs: Map<string, string>;
}

export function parseBicep(source: string): BicepDeclarations {
  const lines = source.split('\n');
  const parameters: BicepDeclarations['parameters'] = new Map();
  let decorators: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('@')) {
      let decorator = line;
      // A multi-line @allowed([ ... ]) list.
      if (line.endsWith('([')) {
        while (!lines[i].startsWith('])')) decorator += `\n${lines[++i]}`;
      }
      decorators.push(decorator);
      continue;
    }
    const param = /^param (\w+) (\w+)(?: = (.+))?$/.exec(line);
    if (param) {
      const allowed = decorators.find((d) => d.startsWith('@allowed('));
      parameters.set(param[1], {
        type: decorators.includes('@secure()') && param[2] === 'string' ? 'securestring' : param[2],
        default: param[3],
        allowed: allowed ? [...allowed.matchAll(/^\s+'([^']*)'$/gm)].map((m) => m[1]) : undefined,
        decorators,
      });
    }
    if (!line.startsWith('//') && line.trim() !== '') decorators = [];
  }
  return {
    parameters,
    variables: [...source.matchAll(/^var (\w+) =/gm)].map((m) => m[1]),
    resources: [...source.matchAll(/^resource (\w+) '([^'@]+)@([^']+)' = (if \(.+\) )?\{$/gm)].map((m) => ({
      symbol: m[1],
      type: m[2],
      apiVersion: m[3],
      conditional: m[4] !== undefined,
    })),
    outputs: new Map([...source.matchAll(/^output (\w+) (\w+) =/gm)].map((m) => [m[1], m[2]])),
  };
}

/** The top-level keys of `properties: { ... }` in one resource block of a .bicep file. */
export function bicepPropertyNames(source: string, symbol: string): string[] {
  const start = source.indexOf(`\nresource ${symbol} `);
  if (start < 0) throw new Error(`no resource ${symbol}`);
  const block = source.slice(start + 1, source.indexOf('\n}\n', start) + 2);
  const properties = /\n {2}properties: \{\n([\s\S]*?)\n {2}\}\n/.exec(block);
  if (!properties) throw new Error(`resource ${symbol} has no properties block`);
  return [...properties[1].matchAll(/^ {4}([A-Za-z_][A-Za-z0-9_]*):/gm)].map((m) => m[1]);
}
