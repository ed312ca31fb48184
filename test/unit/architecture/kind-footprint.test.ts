/**
 * The files of the deployed code that name a built-in kind are the ones docs/adding-a-target-kind.md lists: the
 * kind's own folders and the registries. A file outside them that names a kind is a place a new kind would have to
 * be added too, and the count in that page would be wrong.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TARGET_KINDS } from '../../../shared/vocabulary/kinds.js';

const DEPLOYED = ['shared', 'functions'];
/** The registries a new kind edits (its new files are in folders of its own). */
const REGISTRIES = ['shared/vocabulary/kinds.ts', 'shared/kinds/registry.ts', 'shared/targets/build.ts'];
/** Each kind's own folders in the deployed code (the kind data and its ARM adapter). */
const OWN_FOLDERS: Record<(typeof TARGET_KINDS)[number], string[]> = {
  'postgres-elastic-cluster': ['shared/kinds/postgres-elastic-cluster/', 'shared/targets/postgres-elastic/'],
  'kusto-cluster': ['shared/kinds/kusto-cluster/', 'shared/targets/kusto/'],
};

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name).replaceAll('\\', '/'));
}

describe('where the deployed code names a kind', () => {
  it.each(TARGET_KINDS)('names %s only in its own folders and the registries', async (kind) => {
    const files = (await Promise.all(DEPLOYED.map(sourceFiles))).flat();
    const naming: string[] = [];
    for (const file of files) if ((await readFile(file, 'utf8')).includes(`'${kind}'`)) naming.push(file);
    const outside = naming.filter(
      (file) => !REGISTRIES.includes(file) && !OWN_FOLDERS[kind].some((folder) => file.startsWith(folder)),
    );
    expect(outside).toEqual([]);
    expect(naming).toEqual(expect.arrayContaining(REGISTRIES));
  });
});
