import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_TIERS } from '../../../vitest.config.js';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
const scripts = Object.entries(manifest.scripts).map(([name, command]) => ({ name, command }));

/** The commands of a script line, split on `&&`, `||` and `;`, each as its words. */
const commandsOf = (line: string) => line.split(/&&|\|\||;/).map((command) => command.trim().split(/\s+/));
/** Words that name a file or folder of the repository: a path with a slash or a known source extension. */
const isPathWord = (word: string) =>
  !word.startsWith('-') && (word.includes('/') || /\.(ts|mts|mjs|cjs|js|json)$/.test(word));

function missingPaths(line: string): string[] {
  const missing: string[] = [];
  for (const [program, ...words] of commandsOf(line)) {
    if (!program) continue;
    if (program === 'npm') {
      const name = words.find((word) => !word.startsWith('-') && word !== 'run');
      if (name && !(name in manifest.scripts)) missing.push(`npm script "${name}"`);
      continue;
    }
    if (!existsSync(join('node_modules/.bin', program))) missing.push(`program "${program}"`);
    missing.push(
      ...words
        .filter(isPathWord)
        .filter((word) => !existsSync(word))
        .map((word) => `file "${word}"`),
    );
  }
  return missing;
}

function testFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => join(folder, file));
}

describe('package.json scripts', () => {
  it.each(scripts)('npm run $name runs programs and files that exist', ({ command }) => {
    expect(missingPaths(command)).toEqual([]);
  });

  it('sees a script that runs a file that does not exist', () => {
    expect(missingPaths('tsx scripts/write-config-schema.ts && npm run nope')).toEqual([
      'file "scripts/write-config-schema.ts"',
      'npm script "nope"',
    ]);
  });

  it('has a script per test tier, and npm test runs lint, the format check, the type check and every tier', () => {
    for (const tier of TEST_TIERS) expect(manifest.scripts[`test:${tier}`]).toBe(`vitest run --project ${tier}`);
    expect(manifest.scripts['test']).toBe('npm run lint && npm run format:check && npm run typecheck && vitest run');
    expect(manifest.scripts['format:check']).toBe('prettier --check .');
    expect(manifest.scripts['lint']).toContain('npm run --silent lint:deps');
  });

  it('puts every test file in a tier', () => {
    const inTiers = TEST_TIERS.flatMap((tier) => testFiles(join('test', tier)));
    expect(testFiles('test').sort()).toEqual(inTiers.sort());
  });
});
