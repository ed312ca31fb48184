import { describe, expect, it } from 'vitest';
import {
  bodyProperty,
  mainObject,
  maskStringsAndComments,
  objectEntries,
  objectEntriesOf,
  parseBicep,
  stringLiteral,
} from './bicep.js';
import { readAzureYaml } from './azure-yaml.js';
import { arrayItems } from './roles.js';
import { markdownSection, markdownTables } from './repo.js';

const sample = `// A module.
targetScope = 'subscription'

@minLength(1)
@description('The name; it\\'s required.')
param name string

@description('''
Spans lines.
''')
@allowed([
  'a'
  'b'
])
param choice string = 'a'

param undocumented int = 3 // trailing comment

var urls = {
  plain: 'https://example.com/a' // not a comment inside the string
  'quoted.key': '\${name}-\${toLower('X}')}'
  nested: {
    inner: [1, 2]
  }
}

// Explains the assignment.
// Over two lines.
resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (true) {
  name: guid(name)
  scope: group
  properties: {
    principalId: name
  }
}

resource group 'Microsoft.Resources/resourceGroups@2025-04-01' existing = {
  name: name
}

module loop 'child.bicep' = [for item in items: {
  name: 'x-\${item}'
  params: {
    value: item
  }
}]

output id string = assignment.id
`;

describe('the Bicep reader', () => {
  const file = parseBicep(sample);

  it('reads the target scope, parameters, variables, resources, modules and outputs', () => {
    expect(file.targetScope).toBe('subscription');
    expect(file.params.map((param) => param.name)).toEqual(['name', 'choice', 'undocumented']);
    expect(file.vars.map((variable) => variable.symbol)).toEqual(['urls']);
    expect(
      file.resources.map((resource) => [resource.symbol, resource.type, resource.apiVersion, resource.existing]),
    ).toEqual([
      ['assignment', 'Microsoft.Authorization/roleAssignments', '2022-04-01', false],
      ['group', 'Microsoft.Resources/resourceGroups', '2025-04-01', true],
    ]);
    expect(file.modules.map((module) => [module.symbol, module.path])).toEqual([['loop', 'child.bicep']]);
    expect(file.outputs.map((output) => [output.symbol, output.type, output.body])).toEqual([
      ['id', 'string', 'assignment.id'],
    ]);
  });

  it('attaches decorators, also ones that span lines, to the parameter below them', () => {
    const [name, choice, undocumented] = file.params;
    expect(name?.description).toBe("The name; it's required.");
    expect(name?.decorators.map((decorator) => decorator.name)).toEqual(['minLength', 'description']);
    expect(choice?.description).toBe('Spans lines.\n');
    expect(choice?.decorators.find((decorator) => decorator.name === 'allowed')?.args).toContain("'b'");
    expect(choice?.defaultValue).toBe("'a'");
    expect(undocumented?.description).toBeUndefined();
    expect(undocumented?.defaultValue).toBe('3');
  });

  it('keeps the comment lines right above a declaration', () => {
    expect(file.resources[0]?.comment).toBe('Explains the assignment. Over two lines.');
    expect(file.resources[1]?.comment).toBeUndefined();
  });

  it('reads object entries with quoted keys, nested values, and // inside strings', () => {
    const entries = objectEntries(file.vars[0]?.body ?? '');
    expect([...entries.keys()]).toEqual(['plain', 'quoted.key', 'nested']);
    expect(entries.get('plain')).toBe("'https://example.com/a'");
    expect(entries.get('quoted.key')).toBe("'${name}-${toLower('X}')}'");
    expect(objectEntries(entries.get('nested') ?? '').get('inner')).toBe('[1, 2]');
  });

  it('finds the body object of conditional and looped declarations', () => {
    const [assignment] = file.resources;
    const [loop] = file.modules;
    if (!assignment || !loop) throw new Error('the sample declares a resource and a module');
    expect(bodyProperty(assignment, 'scope')).toBe('group');
    expect(bodyProperty(loop, 'name')).toBe("'x-${item}'");
    expect(mainObject('if (a == {}) { b: 1 }')).toBe('{ b: 1 }');
  });

  it('follows variables into the objects an expression builds', () => {
    const built = parseBicep(
      'var core = {\n  A: 1\n}\nvar extra = {\n  B: 2\n}\nvar all = union(core, flag ? extra : {\n  C: 3\n})\n',
    );
    expect([...objectEntriesOf(built, built.vars[2]?.body ?? '').keys()].sort()).toEqual(['A', 'B', 'C']);
  });

  it('masks strings and comments but keeps interpolations and line breaks', () => {
    const masked = maskStringsAndComments("x: 'a{b}${c(')')}d' // {\n");
    expect(masked).toContain('c(');
    expect(masked).not.toContain('{b}');
    expect(masked.endsWith('\n')).toBe(true);
    expect(masked.split('(').length).toBe(masked.split(')').length);
  });

  it('decodes string literals and refuses interpolated ones', () => {
    expect(stringLiteral("'a\\'b'")).toBe("a'b");
    expect(stringLiteral("'${x}'")).toBeUndefined();
    expect(stringLiteral('name')).toBeUndefined();
  });

  it('reads array items', () => {
    expect(arrayItems("[\n  'a'\n  'b', 'c'\n  { d: [1, 2] }\n]")).toEqual(["'a'", "'b'", "'c'", '{ d: [1, 2] }']);
  });

  it('refuses a statement it does not understand instead of skipping it', () => {
    expect(() => parseBicep('resource broken = {}\n')).toThrow(/unrecognised top-level statement/);
  });
});

describe('the azure.yaml reader', () => {
  it('reads the name, the infra block and the services', () => {
    const yaml = readAzureYaml(
      '# comment\nname: app\ninfra:\n  provider: bicep\nservices:\n  api:\n    project: ./src # here\n    language: "ts"\n    host: function\n  web:\n    project: web\n',
    );
    expect(yaml.name).toBe('app');
    expect(yaml.infra).toEqual({ provider: 'bicep' });
    expect(yaml.services).toEqual([
      { name: 'api', project: './src', language: 'ts', host: 'function' },
      { name: 'web', project: 'web', language: '', host: '' },
    ]);
  });

  it('refuses YAML it cannot read reliably', () => {
    expect(() => readAzureYaml('services: {api: {}}\n')).toThrow(/flow collections/);
    expect(() => readAzureYaml('services:\n   api:\n')).toThrow(/indentation/);
  });
});

describe('the README reader', () => {
  const markdown =
    '# T\n## A\ntext\n| scope | role | why |\n|---|---|---|\n| x | `R` | y |\n### Sub\nmore\n## B\n| scope | role | why |\n|---|---|---|\n| z | `S` | w |\n';

  it('cuts a section at the next heading of the same level', () => {
    expect(markdownSection(markdown, '## A')).toContain('### Sub');
    expect(markdownSection(markdown, '## A')).not.toContain('| z |');
  });

  it('finds every table with the wanted columns', () => {
    expect(markdownTables(markdown, ['Scope', 'Role', 'Why'])).toEqual([[['x', '`R`', 'y']], [['z', '`S`', 'w']]]);
  });
});
