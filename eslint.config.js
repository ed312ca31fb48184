// Lint and purity rules; the import rules between layers are in .dependency-cruiser.mjs (docs/architecture.md):
// functions -> shared use cases -> ports <- adapters, with a pure shared/policy at the centre.
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The kind names, read from the vocabulary (TARGET_KINDS in shared/vocabulary/kinds.ts), so a new kind is covered. */
function targetKinds() {
  const source = readFileSync(new URL('./shared/vocabulary/kinds.ts', import.meta.url), 'utf8');
  const list = /TARGET_KINDS = \[([^\]]*)\]/.exec(source);
  if (!list) throw new Error('eslint.config.js: TARGET_KINDS not found in shared/vocabulary/kinds.ts');
  return [...list[1].matchAll(/'([^']+)'/g)].map((match) => match[1]);
}
const KIND_NAME = `/^(${targetKinds().join('|')})$/`;
/**
 * A constant's name (`ELASTIC`, `TEST_POOL`): a `.kind` compared with one singles out the kind it holds. A kind
 * compared with a variable (`target.kind === kind`) is not caught: it selects the kind asked for rather than one
 * named kind, and telling a variable that holds one specific kind needs the type checker, which lint runs without
 * (docs/adding-a-target-kind.md).
 */
const CONSTANT_NAME = '/^[A-Z][A-Z0-9_]*$/';

/**
 * Kind-specific code lives in the kind's definition (shared/kinds/<kind>/, tools/simulation/kinds/), where the
 * compiler asks every kind each question; a `kind === '...'` branch elsewhere would quietly send a new kind down
 * the other branch.
 */
const KIND_BRANCH_MESSAGE =
  'no branching on a target kind outside the kind registry: ask the kind (kindOf(target) in shared/kinds/registry.ts, simulationOf(kind) in tools/simulation/kinds), or keep a Record<TargetKind, ...>';
const kindBranches = [
  {
    selector: `BinaryExpression[operator=/^[!=]==?$/][left.value=${KIND_NAME}]`,
    message: KIND_BRANCH_MESSAGE,
  },
  {
    selector: `BinaryExpression[operator=/^[!=]==?$/][right.value=${KIND_NAME}]`,
    message: KIND_BRANCH_MESSAGE,
  },
  {
    selector: "BinaryExpression[operator=/^[!=]==?$/][left.property.name='kind'][right.property.name='kind']",
    message: KIND_BRANCH_MESSAGE,
  },
  {
    selector: `BinaryExpression[operator=/^[!=]==?$/][left.property.name='kind'][right.type='Identifier'][right.name=${CONSTANT_NAME}]`,
    message: KIND_BRANCH_MESSAGE,
  },
  {
    selector: `BinaryExpression[operator=/^[!=]==?$/][right.property.name='kind'][left.type='Identifier'][left.name=${CONSTANT_NAME}]`,
    message: KIND_BRANCH_MESSAGE,
  },
  { selector: `SwitchCase[test.value=${KIND_NAME}]`, message: KIND_BRANCH_MESSAGE },
];
/** Where kind-specific code belongs, and the tests, which build a fixture per kind. */
const KIND_HOMES = ['shared/kinds/**', 'shared/vocabulary/**', 'tools/simulation/kinds/**', 'test/**'];

const triggerFrameworks = ['@azure/functions', 'durable-functions'];

/** Everything that performs I/O or belongs to an adapter: forbidden in the pure policy. */
const impurePatterns = [
  {
    group: ['@azure/*', 'pg', 'pg-*', 'jose', 'durable-functions'],
    message: 'shared/policy is pure: no Azure SDK, database or auth library.',
  },
  {
    group: ['node:*', 'fs', 'http', 'https', 'net', 'child_process', 'crypto', 'os'],
    message: 'shared/policy is pure: no Node I/O modules.',
  },
  {
    group: [
      '**/targets/**',
      '**/state/**',
      '**/citus/**',
      '**/alerts/**',
      '**/scaler',
      '**/scaler.js',
      '**/metrics/azure-*',
    ],
    message: 'shared/policy imports no adapter: pass data in as arguments.',
  },
];

const clockAndRandom = [
  {
    selector: "NewExpression[callee.name='Date'][arguments.length=0]",
    message: 'shared/policy never reads the clock: take `now` as an argument.',
  },
  {
    selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    message: 'shared/policy never reads the clock: take `now` as an argument.',
  },
  {
    selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
    message: 'shared/policy is deterministic: no random state.',
  },
  {
    selector: "MemberExpression[object.name='process']",
    message: 'shared/policy reads no environment: pass configuration in.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'test/fixtures/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The dashboard's script runs in the browser, as plain JavaScript (the Function App serves it as is).
    files: ['functions/dashboard/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', URLSearchParams: 'readonly' },
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: triggerFrameworks.map((name) => ({
            name,
            message: 'shared/ never imports the Functions runtime: that belongs to functions/.',
          })),
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: KIND_HOMES,
    rules: { 'no-restricted-syntax': ['error', ...kindBranches] },
  },
  {
    files: ['shared/policy/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: triggerFrameworks, patterns: impurePatterns }],
      'no-restricted-syntax': ['error', ...clockAndRandom, ...kindBranches],
    },
  },
);
