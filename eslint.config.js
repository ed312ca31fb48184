// Lint and purity rules; the import rules between layers are in .dependency-cruiser.mjs (docs/architecture.md):
// functions -> shared use cases -> ports <- adapters, with a pure shared/policy at the centre.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    files: ['shared/policy/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: triggerFrameworks, patterns: impurePatterns }],
      'no-restricted-syntax': ['error', ...clockAndRandom],
    },
  },
);
