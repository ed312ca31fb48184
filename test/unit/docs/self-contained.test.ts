import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const DOCS = [
  'README.md',
  ...readdirSync('docs')
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

/** A markdown document named in a line (`architecture.md`, `docs/http-api.md`). */
const CITED_DOCUMENT = /\b[\w-]+\.md\b/g;

function trackedTextFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
    .split('\n')
    .filter(
      (file) =>
        file &&
        existsSync(file) &&
        !file.endsWith('package-lock.json') &&
        /\.(ts|mts|mjs|cjs|js|json|md|sql|bicep|yaml|yml)$/.test(file),
    );
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
    const slug = (heading as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
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

/**
 * Lines that cite a document a clone does not have: a markdown file whose name no file of the repository has, or
 * a relative path that climbs out of the repository.
 */
function outsideReferences(files: { file: string; text: string }[], present: Set<string>): string[] {
  return files.flatMap(({ file, text }) =>
    text.split('\n').flatMap((line, index) => {
      const missing = [...line.matchAll(CITED_DOCUMENT)].some((match) => !present.has(match[0]));
      const climbsOut = [...line.matchAll(/(?<![\w.])(?:\.\.\/)+[\w-][\w.-]*/g)].some((match) =>
        normalize(join(dirname(file), match[0])).startsWith('..'),
      );
      return missing || climbsOut ? [`${file}:${index + 1}: ${line.trim()}`] : [];
    }),
  );
}

describe('the documentation stands alone', () => {
  it.each(DOCS)('%s links only to files that exist', (page) => {
    const missing = relativeLinks(page).filter(
      (target) => !existsSync(normalize(join(dirname(page), decodeURIComponent(target)))),
    );
    expect(missing).toEqual([]);
  });

  it.each(DOCS)('%s links only to headings that exist', (page) => {
    expect(brokenAnchors(page)).toEqual([]);
  });

  it('sees a link to a heading that does not exist', () => {
    const pages: Record<string, string> = {
      'a.md': '# A\n## Deploy it\n[ok](#deploy-it) [gone](#deploy) [other](b.md#the-end)\n',
      'b.md': '# B\n## The `end`\n',
    };
    expect(brokenAnchors('a.md', (file) => pages[file] ?? '')).toEqual(['#deploy']);
  });

  it('cites no example payload that the repository does not have', () => {
    const self = 'test/unit/docs/self-contained.test.ts';
    const files = trackedTextFiles();
    const present = new Set(files.map((file) => file.split('/').pop() as string));
    expect(
      missingExampleFiles(
        files.filter((file) => file !== self),
        present,
      ),
    ).toEqual([]);
    expect(missingExampleFiles([self], new Set())).toContain(`${self}: Clusters_Get.json`);
  });

  it('refers to no document outside the repository', () => {
    // This file's own cases name made-up documents on purpose.
    const files = trackedTextFiles().filter((file) => file !== 'test/unit/docs/self-contained.test.ts');
    const present = new Set(trackedTextFiles().map((file) => file.split('/').pop() as string));
    expect(
      outsideReferences(
        files.map((file) => ({ file, text: readFileSync(file, 'utf8') })),
        present,
      ),
    ).toEqual([]);
  });

  it('sees a comment that cites a document outside the repository', () => {
    const present = new Set(['architecture.md']);
    const comments = [
      { file: 'shared/a.ts', text: '// see docs/architecture.md\n// see the plan in planning-notes.md' },
      { file: 'shared/b.ts', text: '// as ../../notes/scaling.txt says' },
    ];
    expect(outsideReferences(comments, present)).toEqual([
      'shared/a.ts:2: // see the plan in planning-notes.md',
      'shared/b.ts:1: // as ../../notes/scaling.txt says',
    ]);
  });

  it('says how to make every config file the README uses that the repository does not have', () => {
    const readme = readFileSync('README.md', 'utf8');
    const configFiles = new Set(
      [...readme.matchAll(/[\w./-]*\.config\.json/g)].map((match) => match[0].replace(/^\.\//, '')),
    );
    expect(configFiles.size).toBeGreaterThan(0);
    for (const file of configFiles) {
      if (!existsSync(file)) expect(readme, file).toMatch(new RegExp(`cp \\S+ ${file.replace(/\./g, '\\.')}`));
    }
  });

  it('ships a license that matches package.json', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { license: string };
    expect(manifest.license).toBe('MIT');
    expect(readFileSync('LICENSE', 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) \d{4} elastic-scaler contributors\n/,
    );
  });
});
