import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.message);
}

describe('architecture rules (eslint)', () => {
  it.each([
    { name: 'the Functions runtime', code: "import { app } from '@azure/functions';\nexport const x = app;" },
    { name: 'durable-functions', code: "import * as df from 'durable-functions';\nexport const x = df;" },
  ])('keeps $name out of shared/', async ({ code }) => {
    expect(await problems('shared/state/example.ts', code)).toEqual([
      expect.stringContaining('shared/ never imports the Functions runtime'),
    ]);
  });

  it.each([
    {
      name: 'an Azure SDK',
      code: "import { KustoManagementClient } from '@azure/arm-kusto';\nexport const x = KustoManagementClient;",
      message: 'no Azure SDK',
    },
    {
      name: 'the PostgreSQL client',
      code: "import pg from 'pg';\nexport const x = pg;",
      message: 'no Azure SDK, database',
    },
    {
      name: 'Node I/O',
      code: "import { readFile } from 'node:fs/promises';\nexport const x = readFile;",
      message: 'no Node I/O',
    },
    {
      name: 'an adapter',
      code: "import { x } from '../state/table-state-store.js';\nexport const y = x;",
      message: 'imports no adapter',
    },
    { name: 'the clock', code: 'export const now = Date.now();', message: 'never reads the clock' },
    { name: 'a new Date()', code: 'export const now = new Date();', message: 'never reads the clock' },
    { name: 'random state', code: 'export const r = Math.random();', message: 'no random state' },
    { name: 'the environment', code: 'export const e = process.env.X;', message: 'reads no environment' },
  ])('keeps $name out of shared/policy', async ({ code, message }) => {
    expect((await problems('shared/policy/example.ts', code)).join('\n')).toContain(message);
  });

  it('allows shared/policy to build dates from given times', async () => {
    expect(
      await problems('shared/policy/example.ts', 'export const iso = (ms: number) => new Date(ms).toISOString();'),
    ).toEqual([]);
  });

  it('allows adapters to use the clock and the SDKs', async () => {
    expect(
      await problems(
        'shared/targets/example.ts',
        "import { KustoManagementClient } from '@azure/arm-kusto';\nexport const x = [KustoManagementClient, Date.now()];",
      ),
    ).toEqual([]);
  });

  describe('no branching on a target kind outside the kind registry', () => {
    const decl = "type Kind = 'postgres-elastic-cluster' | 'kusto-cluster';\n";
    it.each([
      {
        name: 'a comparison with a kind',
        code: `${decl}export const f = (t: { kind: Kind }) => (t.kind === 'kusto-cluster' ? 1 : 2);`,
      },
      {
        name: 'a negated comparison, the literal first',
        code: `${decl}export const f = (kind: Kind) => 'postgres-elastic-cluster' !== kind;`,
      },
      {
        name: 'two kinds compared',
        code: `${decl}export const f = (a: { kind: Kind }, b: { kind: Kind }) => a.kind === b.kind;`,
      },
      {
        name: 'a comparison with a constant holding a kind',
        code: `${decl}const ELASTIC: Kind = 'postgres-elastic-cluster';\nexport const f = (t: { kind: Kind }) => (t.kind !== ELASTIC ? 1 : 2);`,
      },
      {
        name: 'a comparison with a constant holding a kind, the constant first',
        code: `${decl}const ADX: Kind = 'kusto-cluster';\nexport const f = (t: { kind: Kind }) => ADX === t.kind;`,
      },
      {
        name: 'a switch case on a kind',
        code: `${decl}export function f(kind: Kind) {\n  switch (kind) {\n    case 'kusto-cluster':\n      return 1;\n    default:\n      return 2;\n  }\n}`,
      },
    ])('fires on $name, in shared/, the simulator, the CLI and the policy', async ({ code }) => {
      for (const file of [
        'shared/follow-up/example.ts',
        'tools/simulation/example.ts',
        'cli/example.ts',
        'shared/policy/example.ts',
      ])
        expect((await problems(file, code)).join('\n')).toContain('no branching on a target kind');
    });

    it('leaves a lookup of the kind asked for alone: a variable names no one kind', async () => {
      const code = `${decl}export const f = (ts: Array<{ kind: Kind }>, kind: Kind) => ts.filter((t) => t.kind === kind);`;
      expect(await problems('tools/simulation/example.ts', code)).toEqual([]);
    });

    it('leaves other discriminants alone', async () => {
      const code = "export const f = (r: { kind: 'ready' | 'failed' }) => r.kind === 'ready';";
      expect(await problems('shared/follow-up/example.ts', code)).toEqual([]);
    });

    it('allows kind-specific code in the kind folders', async () => {
      const code = `${decl}export const f = (kind: Kind) => kind === 'kusto-cluster';`;
      for (const file of ['shared/kinds/kusto-cluster/example.ts', 'tools/simulation/kinds/kusto-cluster.ts'])
        expect(await problems(file, code)).toEqual([]);
    });
  });
});
