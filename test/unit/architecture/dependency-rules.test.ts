import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

/** The repository's own rules, exactly as `npm run lint:deps` reads them. */
const architecture = (
  (await import(pathToFileURL('.dependency-cruiser.mjs').href)) as {
    default: { forbidden: IForbiddenRuleType[]; options: ICruiseOptions };
  }
).default;

type Tree = Record<string, string>;

const TSCONFIG = JSON.stringify({
  compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [] },
});
const roots: string[] = [];

afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

async function writeTree(tree: Tree): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'scaler-depcruise-'));
  roots.push(root);
  for (const [file, text] of Object.entries({ 'tsconfig.json': TSCONFIG, ...tree })) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), text);
  }
  return root;
}

/** Cruises a fixture tree with the repository's own rules and returns `rule: from -> to` for each violation. */
async function violations(tree: Tree): Promise<string[]> {
  const root = await writeTree(tree);
  const folders = [...new Set(Object.keys(tree).map((file) => file.split('/')[0] as string))];
  const tsConfigFile = join(root, 'tsconfig.json');
  const { output } = await cruise(
    folders,
    {
      ...architecture.options,
      baseDir: root,
      validate: true,
      ruleSet: { forbidden: architecture.forbidden },
      tsConfig: { fileName: tsConfigFile },
    },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  const result = output as ICruiseResult;
  return result.summary.violations.map((violation) => `${violation.rule.name}: ${violation.from} -> ${violation.to}`);
}

const exportsOne = 'export const one = 1;\n';
const typeOf = (path: string) => `import type { One } from '${path}';\nexport type Two = One;\n`;
const valueOf = (path: string) => `import { one } from '${path}';\nexport const two = one;\n`;

describe('architecture rules (dependency-cruiser)', () => {
  it('finds no violation in the repository', async () => {
    const { output } = await cruise(
      ['functions', 'shared', 'tools', 'cli', 'bench', 'scripts', 'test', 'bin'],
      { ...architecture.options, validate: true, ruleSet: { forbidden: architecture.forbidden } },
      {},
      { tsConfig: extractTSConfig('tsconfig.json') },
    );
    const result = output as ICruiseResult;
    expect(
      result.summary.violations.map((violation) => `${violation.rule.name}: ${violation.from} -> ${violation.to}`),
    ).toEqual([]);
    expect(result.modules.length).toBeGreaterThan(200);
  }, 120_000);

  it('accepts a tree that keeps every rule', async () => {
    expect(
      await violations({
        'functions/index.ts': valueOf('../shared/scaling/executor.js'),
        'shared/scaling/executor.ts': `${valueOf('../targets/adapter.js')}\nexport { decide } from '../policy/decide.js';\n`,
        'shared/targets/adapter.ts': valueOf('../state/store.js'),
        'shared/state/store.ts': exportsOne,
        'shared/policy/decide.ts': `${typeOf('../config/schema/schema.js')}\nimport { KIND_FACTS } from '../vocabulary/kinds.js';\nexport const decide = KIND_FACTS;\n`,
        'shared/config/schema/schema.ts': `${typeOf('../../vocabulary/kinds.js')}\n`,
        'shared/vocabulary/kinds.ts': 'export const KIND_FACTS = {};\nexport type One = 1;\n',
        'tools/simulation/run.ts': valueOf('../../shared/scaling/executor.js'),
        'bench/run.ts': valueOf('../tools/simulation/run.js'),
      }),
    ).toEqual([]);
  });

  it('finds a file cycle', async () => {
    expect(
      await violations({
        'shared/a.ts': valueOf('./b.js'),
        'shared/b.ts': `${valueOf('./a.js')}\nexport const one = 1;\n`,
      }),
    ).toEqual(expect.arrayContaining(['no-circular: shared/a.ts -> shared/b.ts']));
  });

  it('finds a folder cycle even when no file cycle closes it', async () => {
    const found = await violations({
      'shared/alerts/intake.ts': valueOf('../state/store.js'),
      'shared/alerts/mapping.ts': exportsOne,
      'shared/state/store.ts': valueOf('../alerts/mapping.js'),
    });
    expect(found.filter((line) => line.startsWith('no-circular:'))).toEqual([]);
    expect(found).toEqual(expect.arrayContaining(['no-circular-folders: shared/alerts -> shared/state']));
  });

  it('finds the folder cycle the vocabulary module broke, should it come back (policy <-> metrics)', async () => {
    const found = await violations({
      'shared/policy/input.ts': typeOf('../metrics/metric-series.js'),
      'shared/metrics/metric-series.ts': `${typeOf('../policy/snapshot.js')}\nexport const three = 3;\n`,
      'shared/policy/snapshot.ts': 'export type One = 1;\n',
    });
    expect(found).toEqual(expect.arrayContaining(['no-circular-folders: shared/policy -> shared/metrics']));
  });

  it('keeps the vocabulary free of imports of ours', async () => {
    expect(
      await violations({
        'shared/vocabulary/kinds.ts': typeOf('../config/schema/schema.js'),
        'shared/config/schema/schema.ts': 'export type One = 1;\n',
      }),
    ).toEqual(['vocabulary-imports-nothing: shared/vocabulary/kinds.ts -> shared/config/schema/schema.ts']);
  });

  it.each([
    {
      name: 'a use case',
      file: 'shared/policy/decide.ts',
      imports: '../scaling/executor.js',
      target: 'shared/scaling/executor.ts',
    },
    {
      name: 'the follow-up',
      file: 'shared/policy/decide.ts',
      imports: '../follow-up/machine.js',
      target: 'shared/follow-up/machine.ts',
    },
    {
      name: 'auth',
      file: 'shared/policy/decide.ts',
      imports: '../auth/authenticator.js',
      target: 'shared/auth/authenticator.ts',
    },
    {
      name: 'an adapter',
      file: 'shared/policy/decide.ts',
      imports: '../state/table-state-store.js',
      target: 'shared/state/table-state-store.ts',
    },
    {
      name: 'the simulator',
      file: 'shared/policy/decide.ts',
      imports: '../../tools/simulation/run.js',
      target: 'tools/simulation/run.ts',
    },
    {
      name: 'a config validator',
      file: 'shared/policy/decide.ts',
      imports: '../config/validate.js',
      target: 'shared/config/validate.ts',
    },
  ])('keeps $name out of shared/policy', async ({ file, imports, target }) => {
    expect(await violations({ [file]: valueOf(imports), [target]: exportsOne })).toEqual(
      expect.arrayContaining([`policy-imports-only-vocabulary: ${file} -> ${target}`]),
    );
  });

  it.each([
    {
      name: 'an adapter',
      imports: '../../targets/kusto/kusto-target.js',
      target: 'shared/targets/kusto/kusto-target.ts',
    },
    { name: 'config validation', imports: '../../config/validate.js', target: 'shared/config/validate.ts' },
    { name: 'the policy', imports: '../../policy/decide.js', target: 'shared/policy/decide.ts' },
  ])('keeps $name out of a kind definition', async ({ imports, target }) => {
    const file = 'shared/kinds/kusto-cluster/definition.ts';
    expect(await violations({ [file]: valueOf(imports), [target]: exportsOne })).toEqual([
      `kinds-import-only-data: ${file} -> ${target}`,
    ]);
  });

  it('lets shared/policy take config types but not config code', async () => {
    const found = await violations({
      'shared/policy/input.ts': typeOf('../config/schema/schema.js'),
      'shared/policy/windows.ts': valueOf('../config/schema/schema.js'),
      'shared/config/schema/schema.ts': `${exportsOne}export type One = 1;\n`,
    });
    expect(found).toEqual([
      'policy-imports-config-as-types: shared/policy/windows.ts -> shared/config/schema/schema.ts',
    ]);
  });

  it.each([
    {
      name: 'the metrics port',
      imports: '../metrics/metrics-source.port.js',
      target: 'shared/metrics/metrics-source.port.ts',
    },
    { name: 'the metric catalog', imports: '../metrics/catalog.js', target: 'shared/metrics/catalog.ts' },
  ])('keeps $name out of shared/policy (the vocabulary holds what policy reads)', async ({ imports, target }) => {
    const file = 'shared/policy/windows.ts';
    expect(await violations({ [file]: typeOf(imports), [target]: 'export type One = 1;\n' })).toEqual([
      `policy-imports-only-vocabulary: ${file} -> ${target}`,
    ]);
  });

  it.each([
    {
      name: 'a use case',
      file: 'shared/targets/kusto/adapter.ts',
      imports: '../../scaling/executor.js',
      target: 'shared/scaling/executor.ts',
    },
    {
      name: 'the follow-up',
      file: 'shared/state/table-state-store.ts',
      imports: '../follow-up/machine.js',
      target: 'shared/follow-up/machine.ts',
    },
    {
      name: 'the alert intake',
      file: 'shared/citus/client.ts',
      imports: '../alerts/alert-intake.js',
      target: 'shared/alerts/alert-intake.ts',
    },
    {
      name: 'a trigger',
      file: 'shared/metrics/azure-monitor-metrics.ts',
      imports: '../../functions/register.js',
      target: 'functions/register.ts',
    },
    { name: 'a tool', file: 'shared/auth/token-validator.ts', imports: '../../cli/main.js', target: 'cli/main.ts' },
  ])('keeps $name out of an adapter', async ({ file, imports, target }) => {
    expect(await violations({ [file]: valueOf(imports), [target]: exportsOne })).toEqual(
      expect.arrayContaining([`adapters-import-no-use-case: ${file} -> ${target}`]),
    );
  });

  it.each([
    { name: 'functions/', target: 'functions/composition-root.ts' },
    { name: 'the CLI', target: 'cli/main.ts' },
    { name: 'the simulator', target: 'tools/simulation/run.ts' },
    { name: 'a benchmark', target: 'bench/run.ts' },
    { name: 'a script', target: 'scripts/config-docs.ts' },
    { name: 'a test harness', target: 'test/support/azurite.ts' },
  ])('keeps $name out of shared/', async ({ target }) => {
    const file = 'shared/http/views.ts';
    const path = `../../${target.replace(/\.ts$/, '.js')}`;
    expect(await violations({ [file]: valueOf(path), [target]: exportsOne })).toEqual(
      expect.arrayContaining([`shared-imports-no-trigger-or-tool: ${file} -> ${target}`]),
    );
  });

  it('keeps tools out of functions/', async () => {
    expect(
      await violations({
        'functions/index.ts': valueOf('../tools/simulation/run.js'),
        'tools/simulation/run.ts': exportsOne,
      }),
    ).toEqual(['functions-import-no-tool: functions/index.ts -> tools/simulation/run.ts']);
  });

  it('keeps test code out of a new benchmark', async () => {
    expect(
      await violations({
        'bench/new-benchmark.ts': valueOf('../test/support/azurite.js'),
        'test/support/azurite.ts': exportsOne,
      }),
    ).toEqual(['bench-imports-no-test: bench/new-benchmark.ts -> test/support/azurite.ts']);
  });
});
