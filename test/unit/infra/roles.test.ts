import { describe, expect, it } from 'vitest';
import { bodyProperty, objectEntries, type BicepFile } from './bicep.js';
import { bicepFiles, codeSpans, markdownTables, readText } from './repo.js';
import {
  BUILT_IN_ROLES,
  customRoleDefinitions,
  roleAssignmentCount,
  roleAssignments,
  type Assignment,
} from './roles.js';

/** README scope phrases -> the resource types a role on that scope is assigned to in the templates. */
const SCOPES: { phrase: RegExp; types: string[] }[] = [
  { phrase: /each cluster/i, types: ['Microsoft.DBforPostgreSQL/flexibleServers', 'Microsoft.Kusto/clusters'] },
  { phrase: /elastic cluster/i, types: ['Microsoft.DBforPostgreSQL/flexibleServers'] },
  { phrase: /kusto cluster/i, types: ['Microsoft.Kusto/clusters'] },
  { phrase: /storage account/i, types: ['Microsoft.Storage/storageAccounts'] },
  { phrase: /application insights/i, types: ['Microsoft.Insights/components'] },
  { phrase: /resource group/i, types: ['resourceGroup'] },
];

interface ReadmeRole {
  scope: string;
  role: string;
  scopeTypes: string[];
  builtIn: string | undefined;
  actions: string[];
  /** Why the row cannot be read, reported by its own test case rather than failing the whole file. */
  problem: string | undefined;
}

const files = bicepFiles();
const main = files.find((file) => file.path === 'infra/main.bicep') as BicepFile;
const assignments = roleAssignments(files);
const definitions = [...customRoleDefinitions(files).values()];
const readme = readText('README.md');
const roleTables = markdownTables(readme, ['scope', 'role', 'why']);
const readmeRoles = roleTables.flat().map(([scope = '', role = '']) => readmeRole(scope, role));

function readmeRole(scope: string, role: string): ReadmeRole {
  const base = { scope, role, scopeTypes: [], builtIn: undefined, actions: [], problem: undefined };
  const match = SCOPES.find((candidate) => candidate.phrase.test(scope));
  if (!match)
    return {
      ...base,
      problem: `README scope "${scope}" is not one this test knows; add its phrase to SCOPES in roles.test.ts`,
    };
  const spans = codeSpans(role);
  if (/^custom role/i.test(role)) return { ...base, scopeTypes: match.types, actions: expandActions(spans) };
  if (spans.length !== 1)
    return {
      ...base,
      problem: `README role "${role}" should name one built-in role in backticks, or start with "custom role"`,
    };
  return { ...base, scopeTypes: match.types, builtIn: spans[0] };
}

/** `.../configurations/read` after `Microsoft.DBforPostgreSQL/flexibleServers/write` is that resource type's action. */
function expandActions(spans: string[]): string[] {
  const [first] = spans;
  const resourceType = first?.split('/').slice(0, -1).join('/');
  return spans.map((span) => (span.startsWith('.../') ? `${resourceType}/${span.slice(4)}` : span));
}

/** Whether main.bicep feeds the assignment's principal from the scaler identity (not the deployer). */
function isForScalerIdentity(assignment: Assignment): boolean {
  const call = main.modules.find((module) => `infra/${module.path}` === assignment.file);
  const passed = call && objectEntries(bodyProperty(call, 'params') ?? '{}').get(assignment.principal);
  return passed === 'identity.outputs.principalId';
}

function describeRole(assignment: Assignment): string {
  return assignment.role.kind === 'built-in'
    ? assignment.role.name
    : `custom ${assignment.role.symbol} (${assignment.role.actions.join(', ')})`;
}

function grants(assignment: Assignment, wanted: ReadmeRole): boolean {
  if (wanted.builtIn) return assignment.role.kind === 'built-in' && assignment.role.name === wanted.builtIn;
  return (
    assignment.role.kind === 'custom' &&
    wanted.actions.every((action) => (assignment.role as { actions: string[] }).actions.includes(action))
  );
}

const scalerAssignments = assignments.filter(isForScalerIdentity);

describe('role assignments in infra/', () => {
  it('are all seen by the reader', () => {
    expect(assignments.length).toBe(roleAssignmentCount(files));
    expect(scalerAssignments.length).toBeGreaterThan(0);
  });

  it('are described by README tables, including the one under "What the scaler\'s identity needs"', () => {
    expect(roleTables.length).toBeGreaterThanOrEqual(2);
    expect(readme.indexOf("### What the scaler's identity needs")).toBeGreaterThan(-1);
    expect(readmeRoles.length).toBeGreaterThan(0);
  });

  it.each(readmeRoles)('grant $role on $scope, as the README says', (wanted) => {
    expect(wanted.problem).toBeUndefined();
    for (const type of wanted.scopeTypes) {
      const found = scalerAssignments.filter(
        (assignment) => assignment.scopeType === type && grants(assignment, wanted),
      );
      expect(
        found.map((assignment) => `${assignment.file}#${assignment.symbol}`),
        `no assignment of ${wanted.role} to the scaler identity on ${type}`,
      ).not.toEqual([]);
    }
  });

  it.each(
    scalerAssignments.map((assignment) => ({
      ...assignment,
      role: describeRole(assignment),
      where: `${assignment.file}#${assignment.symbol}`,
    })),
  )('documents $role on $scopeType ($where) in the README', ({ symbol, file }) => {
    const assignment = scalerAssignments.find(
      (candidate) => candidate.symbol === symbol && candidate.file === file,
    ) as Assignment;
    expect(
      readmeRoles.some((wanted) => wanted.scopeTypes.includes(assignment.scopeType) && grants(assignment, wanted)),
    ).toBe(true);
  });

  it.each(assignments.map((assignment) => ({ ...assignment, where: `${assignment.file}#${assignment.symbol}` })))(
    '$where is named deterministically, commented and scoped to one resource or resource group',
    (assignment) => {
      const name = bodyProperty(assignment.resource, 'name') ?? '';
      expect(name).toMatch(/^guid\(/);
      expect(name).toContain(assignment.principal);
      expect(assignment.resource.comment?.length ?? 0).toBeGreaterThan(20);
      expect(['subscription', 'managementGroup', 'tenant']).not.toContain(assignment.scopeType);
      const scope = bodyProperty(assignment.resource, 'scope');
      if (scope) expect(name).toContain(`${scope}.id`);
    },
  );

  it('give the scaler identity its roles as a service principal (no replication delay surprises)', () => {
    for (const assignment of scalerAssignments) {
      const properties = objectEntries(bodyProperty(assignment.resource, 'properties') ?? '{}');
      expect(properties.get('principalType'), `${assignment.file}#${assignment.symbol}`).toBe("'ServicePrincipal'");
    }
  });

  it('grant the deployer nothing unless grantDeployerDataAccess is set', () => {
    const deployer = assignments.filter((assignment) => !isForScalerIdentity(assignment));
    expect(deployer.length).toBeGreaterThan(0);
    for (const assignment of deployer)
      expect(assignment.resource.body, `${assignment.file}#${assignment.symbol}`).toMatch(/^if \(deployerGetsAccess\)/);
    const flag = main.params.find((param) => param.name === 'grantDeployerDataAccess');
    expect(flag?.defaultValue).toBe('false');
  });
});

describe('the roles themselves', () => {
  it('are built-in roles without broad write access', () => {
    for (const name of ['Owner', 'Contributor', 'User Access Administrator', 'Role Based Access Control Administrator'])
      expect(BUILT_IN_ROLES).not.toHaveProperty(name);
    for (const id of Object.values(BUILT_IN_ROLES))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('list only built-in roles that are assigned', () => {
    const used = new Set(
      assignments.flatMap((assignment) => (assignment.role.kind === 'built-in' ? [assignment.role.name] : [])),
    );
    expect(Object.keys(BUILT_IN_ROLES).sort()).toEqual([...used].sort());
  });

  it.each(definitions)(
    'custom role $symbol allows only named control-plane actions: no wildcard, delete, action or data access',
    (definition) => {
      expect(definition.actions.length).toBeGreaterThan(0);
      for (const action of definition.actions) {
        expect(action).not.toContain('*');
        expect(action).toMatch(/\/(read|write)$/);
      }
      expect(definition.notActions).toEqual([]);
      expect(definition.dataActions).toEqual([]);
      expect(definition.assignableScopes).not.toMatch(/'\/'/);
    },
  );

  it.each(definitions)('custom role $symbol is assigned somewhere', (definition) => {
    expect(
      assignments.some(
        (assignment) => assignment.role.kind === 'custom' && assignment.role.symbol === definition.symbol,
      ),
    ).toBe(true);
  });
});
