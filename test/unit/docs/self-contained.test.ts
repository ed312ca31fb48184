import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const DOCS = ['README.md', ...readdirSync('docs').filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];

/** Documents a clone of this repository does not have, named the way comments used to cite them. */
const OUTSIDE_DOCUMENTS = [/\bDESIGN\.md\b/, /\bSTYLE\.md\b/, /citus-reference/, /metrics-reference/, /azure-api-examples/, /autoscale-profiles/, /\bseeds\//, /\.\.\/shared\/[\w.-]+\.md/, /\/work\//];

function trackedTextFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
    .split('\n')
    .filter((file) => file && existsSync(file) && !file.endsWith('package-lock.json') && /\.(ts|mts|mjs|cjs|js|json|md|sql|bicep|yaml|yml)$/.test(file));
}

/** Relative links of a markdown page, without their #fragment, outside code blocks. */
function relativeLinks(page: string): string[] {
  const text = readFileSync(page, 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => (match[1] as string).split('#')[0] as string)
    .filter((target) => target !== '' && !/^[a-z]+:/.test(target));
}

function outsideReferences(files: string[]): string[] {
  return files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) => (OUTSIDE_DOCUMENTS.some((pattern) => pattern.test(line)) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
  );
}

describe('the documentation stands alone', () => {
  it.each(DOCS)('%s links only to files that exist', (page) => {
    const missing = relativeLinks(page).filter((target) => !existsSync(normalize(join(dirname(page), decodeURIComponent(target)))));
    expect(missing).toEqual([]);
  });

  it('refers to no document outside the repository', () => {
    const self = 'test/unit/docs/self-contained.test.ts';
    expect(outsideReferences(trackedTextFiles().filter((file) => file !== self))).toEqual([]);
  });

  it('sees a comment that cites a document outside the repository', () => {
    const self = 'test/unit/docs/self-contained.test.ts';
    expect(outsideReferences([self]).length).toBeGreaterThan(0);
  });

  it('says how to make every config file the README uses that the repository does not have', () => {
    const readme = readFileSync('README.md', 'utf8');
    const configFiles = new Set([...readme.matchAll(/[\w./-]*\.config\.json/g)].map((match) => match[0].replace(/^\.\//, '')));
    expect(configFiles.size).toBeGreaterThan(0);
    for (const file of configFiles) {
      if (!existsSync(file)) expect(readme, file).toMatch(new RegExp(`cp \\S+ ${file.replace(/\./g, '\\.')}`));
    }
  });

  it('ships a license that matches package.json', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { license: string };
    expect(manifest.license).toBe('MIT');
    expect(readFileSync('LICENSE', 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} elastic-scaler contributors\n/);
  });
});
