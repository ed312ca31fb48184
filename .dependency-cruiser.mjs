// Architecture rules, checked by dependency-cruiser (`npm run lint:deps`, part of `npm run lint` and `npm test`).
// The layers: functions/ (triggers) -> shared use cases -> ports <- adapters, with a pure shared/policy at the
// centre; tools (simulator, CLI, benchmarks, scripts, tests) sit outside and are never deployed.
// ESLint keeps the rules dependency-cruiser cannot see: no clock, random state or environment in shared/policy.
// Every rule has a case in test/unit/architecture/dependency-rules.test.ts that shows it fires.

/** What runs only on a laptop or in CI. */
const TOOLS = '^(tools|cli|bench|scripts|test|bin)/';
const FUNCTIONS = '^functions/';

/** Adapters: the code that talks to Azure, PostgreSQL or Entra ID behind a port. */
const ADAPTERS = ['^shared/(targets|state|citus|auth)/', '^shared/metrics/azure-'];
/** Use cases: what the triggers call. */
const USE_CASES = ['^shared/scaling/', '^shared/follow-up/', '^shared/alerts/'];

/**
 * Everything shared/policy may import: the policy itself, the vocabulary (kinds, metric series, snapshots, resource
 * ids, zoned time, errors; a folder that imports nothing), the kind definitions (KIND_DATA) and the config types it
 * decides on.
 */
const POLICY_MAY_IMPORT = [
  '^shared/policy/',
  '^shared/vocabulary/',
  '^shared/kinds/',
  '^shared/config/schema/schema[.]ts$',
];
/** Of those, the ones policy may only import as types (no runtime code from the config layer). */
const POLICY_TYPES_ONLY = ['^shared/config/'];

/**
 * Folder cycles that exist today, as the folder edges that close them: none since the vocabulary module took the
 * kinds, metric series and snapshots out of shared/config, shared/metrics and shared/policy. An entry here would
 * be a known exception (the rule would then guard every other edge of that folder).
 */
const KNOWN_FOLDER_CYCLE_EDGES = {};

/**
 * The kind definitions (shared/kinds) declare data and small functions over their own config: they import the
 * vocabulary, the config's building blocks (config/fields) and types, and each other's shared helpers, nothing
 * else, so that
 * config validation, the policy and the follow-up can all interpret them without an import circle.
 */
const KIND_DATA_MAY_IMPORT = [
  '^shared/kinds/',
  '^shared/vocabulary/',
  '^shared/config/schema/',
  '^shared/config/fields/',
];

/** The vocabulary is the bottom layer: it imports nothing of ours. */
const VOCABULARY = '^shared/vocabulary/';

/**
 * Benchmarks that import test code today: they drive the HTTPS emulator, Azurite, the embedded PostgreSQL and
 * the Citus stand-in through the test harnesses. A known exception until those harnesses move to tools/; a new
 * benchmark must not add to it.
 */
const BENCH_USING_TEST_HARNESSES = '^bench/(alert-latency|alert-matching|control-loop|follow-up)[.]ts$';

const exactFolder = (folder) => `^${folder}$`;

const folderCycleRules = [
  {
    name: 'no-circular-folders',
    comment: 'Folders form no cycle: a cycle means two folders are one module in disguise.',
    severity: 'error',
    scope: 'folder',
    from: Object.keys(KNOWN_FOLDER_CYCLE_EDGES).length
      ? { pathNot: Object.keys(KNOWN_FOLDER_CYCLE_EDGES).map(exactFolder) }
      : {},
    to: { circular: true },
  },
  ...Object.entries(KNOWN_FOLDER_CYCLE_EDGES).map(([folder, knownEdges]) => ({
    name: 'no-circular-folders',
    comment: `A folder with a known cycle (${folder}) gets no new one.`,
    severity: 'error',
    scope: 'folder',
    from: { path: exactFolder(folder) },
    to: { circular: true, pathNot: knownEdges.map(exactFolder) },
  })),
];

export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Files form no import cycle.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...folderCycleRules,
    {
      name: 'vocabulary-imports-nothing',
      comment: 'shared/vocabulary is the bottom layer every other module may use: it imports nothing of ours.',
      severity: 'error',
      from: { path: VOCABULARY },
      to: { path: '^(shared|functions|tools|cli|bench|scripts|test|bin)/', pathNot: VOCABULARY },
    },
    {
      name: 'kinds-import-only-data',
      comment: 'A kind definition is data the layers above interpret: it imports only KIND_DATA_MAY_IMPORT.',
      severity: 'error',
      from: { path: '^shared/kinds/' },
      to: { path: '^(shared|functions|tools|cli|bench|scripts|test|bin)/', pathNot: KIND_DATA_MAY_IMPORT },
    },
    {
      name: 'policy-imports-only-vocabulary',
      comment: 'shared/policy is pure: it imports only itself and the vocabulary it decides in (POLICY_MAY_IMPORT).',
      severity: 'error',
      from: { path: '^shared/policy/' },
      to: { pathNot: POLICY_MAY_IMPORT },
    },
    {
      name: 'policy-imports-config-as-types',
      comment: 'shared/policy takes config types, never config code.',
      severity: 'error',
      from: { path: '^shared/policy/' },
      to: { path: POLICY_TYPES_ONLY, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'adapters-import-no-use-case',
      comment: 'An adapter implements a port; it never calls back into a use case, a trigger or a tool.',
      severity: 'error',
      from: { path: ADAPTERS },
      to: { path: [...USE_CASES, FUNCTIONS, TOOLS] },
    },
    {
      name: 'shared-imports-no-trigger-or-tool',
      comment: 'shared/ is what the Function App runs: it never imports functions/ or any tool.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: [FUNCTIONS, TOOLS] },
    },
    {
      name: 'functions-import-no-tool',
      comment: 'functions/ is deployed: it never imports a tool.',
      severity: 'error',
      from: { path: FUNCTIONS },
      to: { path: TOOLS },
    },
    {
      name: 'bench-imports-no-test',
      comment: 'Benchmarks stand on tools, not on tests (known exceptions: BENCH_USING_TEST_HARNESSES).',
      severity: 'error',
      from: { path: '^bench/', pathNot: BENCH_USING_TEST_HARNESSES },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules/', '^dist/', '^test/fixtures/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
