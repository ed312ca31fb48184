/**
 * What the templates grant: every role assignment with its role (built-in by name, or a custom role by its
 * actions, traced from the access module through main.bicep to its definition) and the kind of resource it is
 * scoped to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bodyProperty,
  maskStringsAndComments,
  objectEntries,
  stringLiteral,
  type BicepFile,
  type ResourceDecl,
} from './bicep.js';
import { INFRA } from './repo.js';

export const BUILT_IN_ROLES: Record<string, string> = JSON.parse(
  readFileSync(join(INFRA, 'built-in-roles.json'), 'utf8'),
);

export type Role = { kind: 'built-in'; name: string } | { kind: 'custom'; symbol: string; actions: string[] };

export interface Assignment {
  file: string;
  symbol: string;
  resource: ResourceDecl;
  /** The resource type the assignment is scoped to, or 'resourceGroup' when it has no `scope`. */
  scopeType: string;
  /** The expression of the principal that receives the role. */
  principal: string;
  role: Role;
}

export interface CustomRoleDefinition {
  symbol: string;
  actions: string[];
  notActions: string[];
  dataActions: string[];
  assignableScopes: string;
}

const ROLE_ASSIGNMENT = 'Microsoft.Authorization/roleAssignments';
const ROLE_DEFINITION = 'Microsoft.Authorization/roleDefinitions';

export function roleAssignments(files: BicepFile[]): Assignment[] {
  const main = files.find((file) => file.path === 'infra/main.bicep');
  if (!main) throw new Error('infra/main.bicep not found');
  const definitions = customRoleDefinitions(files);
  const assignments: Assignment[] = [];
  for (const file of files) {
    for (const resource of file.resources.filter((candidate) => candidate.type === ROLE_ASSIGNMENT)) {
      const properties = objectEntries(
        required(bodyProperty(resource, 'properties'), `${file.path} ${resource.symbol}: no properties`),
      );
      const scope = bodyProperty(resource, 'scope');
      const scopeResource = scope && file.resources.find((candidate) => candidate.symbol === scope);
      if (scope && !scopeResource)
        throw new Error(`${file.path} ${resource.symbol}: scope ${scope} is not a resource of this file`);
      assignments.push({
        file: file.path,
        symbol: resource.symbol,
        resource,
        scopeType: scopeResource ? scopeResource.type : file.targetScope,
        principal: required(properties.get('principalId'), `${file.path} ${resource.symbol}: no principalId`),
        role: roleOf(
          file,
          main,
          files,
          definitions,
          required(properties.get('roleDefinitionId'), `${file.path} ${resource.symbol}: no roleDefinitionId`),
        ),
      });
    }
  }
  return assignments;
}

/** How many role assignment declarations the raw text holds (nested ones too): the reader must see every one. */
export function roleAssignmentCount(files: BicepFile[]): number {
  return files.reduce(
    (count, file) =>
      count + [...file.text.matchAll(/^\s*resource\s+\w+\s+'Microsoft\.Authorization\/roleAssignments@/gm)].length,
    0,
  );
}

export function customRoleDefinitions(files: BicepFile[]): Map<string, CustomRoleDefinition & { file: string }> {
  const definitions = new Map<string, CustomRoleDefinition & { file: string }>();
  for (const file of files) {
    for (const resource of file.resources.filter(
      (candidate) => candidate.type === ROLE_DEFINITION && !candidate.existing,
    )) {
      const properties = objectEntries(
        required(bodyProperty(resource, 'properties'), `${resource.symbol}: no properties`),
      );
      const permissions = arrayItems(required(properties.get('permissions'), `${resource.symbol}: no permissions`)).map(
        (item) => objectEntries(item),
      );
      const strings = (key: string) =>
        permissions.flatMap((permission) =>
          permission.has(key)
            ? arrayItems(permission.get(key) as string).map((item) =>
                required(stringLiteral(item), `${resource.symbol}: ${key} must be literal strings`),
              )
            : [],
        );
      definitions.set(`${file.path}#${resource.symbol}`, {
        file: file.path,
        symbol: resource.symbol,
        actions: strings('actions'),
        notActions: strings('notActions'),
        dataActions: strings('dataActions'),
        assignableScopes: required(properties.get('assignableScopes'), `${resource.symbol}: no assignableScopes`),
      });
    }
  }
  return definitions;
}

function roleOf(
  file: BicepFile,
  main: BicepFile,
  files: BicepFile[],
  definitions: Map<string, CustomRoleDefinition & { file: string }>,
  roleDefinitionId: string,
): Role {
  const builtIn = /builtInRoles(?:\.(\w+)|\['([^']+)'\])/.exec(roleDefinitionId);
  if (builtIn) {
    const name = (builtIn[1] ?? builtIn[2]) as string;
    if (!(name in BUILT_IN_ROLES)) throw new Error(`${file.path}: ${name} is not in infra/built-in-roles.json`);
    return { kind: 'built-in', name };
  }
  // subscriptionResourceId('Microsoft.Authorization/roleDefinitions', <param>): a custom role passed in by main.bicep.
  const param = /,\s*(\w+)\s*\)\s*$/.exec(roleDefinitionId)?.[1];
  if (!param || !file.params.some((candidate) => candidate.name === param))
    throw new Error(`${file.path}: cannot tell which role ${roleDefinitionId} is`);
  const moduleCall = main.modules.find((module) => `infra/${module.path}` === file.path);
  const passed = moduleCall && objectEntries(required(bodyProperty(moduleCall, 'params'), 'no params')).get(param);
  const output = passed && /^(\w+)\.outputs\.(\w+)$/.exec(passed);
  if (!output)
    throw new Error(
      `${file.path}: main.bicep passes ${passed ?? 'nothing'} as ${param}; expected <module>.outputs.<name>`,
    );
  const definingModule = main.modules.find((module) => module.symbol === output[1]);
  const definingFile = definingModule && files.find((candidate) => candidate.path === `infra/${definingModule.path}`);
  const outputValue = definingFile?.outputs.find((candidate) => candidate.symbol === output[2])?.body;
  const symbol = outputValue && /^(\w+)\.name$/.exec(outputValue)?.[1];
  const definition = symbol && definingFile && definitions.get(`${definingFile.path}#${symbol}`);
  if (!definition) throw new Error(`${file.path}: ${param} does not lead to a custom role definition`);
  return { kind: 'custom', symbol: definition.symbol, actions: definition.actions };
}

/** The items of an array literal `[ ... ]` (newline- or comma-separated), as source text. */
export function arrayItems(source: string): string[] {
  const text = source.trim();
  if (!text.startsWith('[') || !text.endsWith(']')) throw new Error(`not an array literal: ${text.slice(0, 60)}`);
  const inner = text.slice(1, -1);
  const masked = maskStringsAndComments(inner);
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  const flush = (end: number) => {
    if (masked.slice(start, end).trim()) items.push(inner.slice(start, end).trim());
    start = end + 1;
  };
  for (let i = 0; i < masked.length; i++) {
    const char = masked[i];
    if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') depth -= 1;
    else if ((char === '\n' || char === ',') && depth === 0) flush(i);
  }
  flush(masked.length);
  return items;
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}
