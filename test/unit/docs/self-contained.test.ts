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

/** Relative links of a markdown page (file and #fragment), outside code blocks. */
function links(markdown: string): { file: string; fragment: string | undefined }[] {
  const text = markdown.replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] as string)
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => {
      const [file = '', fragment] = target.split('#');
      return { file, fragment };
    });
}

/** Relative links of a markdown page, without their #fragment. */
function relativeLinks(page: string): string[] {
  return links(readFileSync(page, 'utf8'))
    .map((link) => link.file)
    .filter((file) => file !== '');
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const slug = (heading as string).toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Links of a page to a heading (of itself or of another page) that does not exist. */
function brokenAnchors(page: string, read: (file: string) => string = (file) => readFileSync(file, 'utf8')): string[] {
  return links(read(page))
    .filter((link) => link.fragment !== undefined && (link.file === '' || link.file.endsWith('.md')))
    .filter((link) => {
      const target = link.file === '' ? page : normalize(join(dirname(page), decodeURIComponent(link.file)));
      return !headingAnchors(read(target)).has(decodeURIComponent(link.fragment as string));
    })
    .map((link) => `${link.file}#${link.fragment}`);
}

/** Names of Azure example payloads (`Clusters_Get.json`) cited in a file but present nowhere in the repository. */
function missingExampleFiles(files: string[], present: Set<string>): string[] {
  return files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\b[A-Z][A-Za-z0-9]*_[A-Za-z0-9_]+\.json\b/g)]
      .map((match) => match[0])
      .filter((name) => !present.has(name))
      .map((name) => `${file}: ${name}`),
  );
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

  it.each(DOCS)('%s links only to headings that exist', (page) => {
    expect(brokenAnchors(page)).toEqual([]);
  });

  it('sees a link to a heading that does not exist', () => {
    const pages: Record<string, string> = { 'a.md': '# A\n## Deploy it\n[ok](#deploy-it) [gone](#deploy) [other](b.md#the-end)\n', 'b.md': '# B\n## The `end`\n' };
    expect(brokenAnchors('a.md', (file) => pages[file] ?? '')).toEqual(['#deploy']);
  });

  it('cites no example payload that the repository does not have', () => {
    const self = 'test/unit/docs/self-contained.test.ts';
    const files = trackedTextFiles();
    const present = new Set(files.map((file) => file.split('/').pop() as string));
    expect(missingExampleFiles(files.filter((file) => file !== self), present)).toEqual([]);
    expect(missingExampleFiles([self], new Set())).toContain(`${self}: Clusters_Get.json`);
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
