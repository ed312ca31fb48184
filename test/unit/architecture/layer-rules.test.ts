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
});
