import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { markdownSection } from '../infra/repo.js';

const readme = readFileSync('README.md', 'utf8');
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The sections a newcomer reads in turn, in the order of the Azure Developer CLI templates. */
const TEMPLATE_ORDER = [
  'Prerequisites',
  'Quick start',
  'Run it locally',
  'Configure',
  'Deploy',
  'Operate',
  'Troubleshoot',
];

const topHeadings = (markdown: string) =>
  [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^## (.+)$/gm)].map((match) => match[1] as string);

/** The headings of `wanted` that are missing or out of order. */
function outOfOrder(headings: string[], wanted: string[]): string[] {
  const positions = wanted.map((heading) => headings.indexOf(heading));
  return wanted.filter((_heading, index) => {
    const position = positions[index] ?? -1;
    return position === -1 || (index > 0 && position < (positions[index - 1] ?? -1));
  });
}

/** The commands of the first bash block of a section, without comments. */
function commandsIn(section: string): string[] {
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '');
}

/** The last command `.ci/run` runs: the test command CI trusts. */
function ciTestCommand(script: string): string | undefined {
  const commands = script
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && line !== 'fi');
  return commands.at(-1);
}

describe('the README', () => {
  it('follows the azd template order: prerequisites, quick start, run locally, configure, deploy, operate, troubleshoot', () => {
    expect(outOfOrder(topHeadings(readme), TEMPLATE_ORDER)).toEqual([]);
  });

  it('sees sections out of order', () => {
    expect(
      outOfOrder(
        ['Quick start', 'Prerequisites', 'Configure'],
        ['Prerequisites', 'Quick start', 'Configure', 'Deploy'],
      ),
    ).toEqual(['Quick start', 'Deploy']);
  });

  it('gives the two commands to start and the test command, each an npm script or npm install', () => {
    const commands = commandsIn(markdownSection(readme, '## Quick start'));
    expect(commands).toEqual(['npm install', 'npm start', 'npm test']);
    for (const command of commands.filter((line) => line !== 'npm install'))
      expect(manifest.scripts, command).toHaveProperty(command.replace(/^npm (run )?/, ''));
  });

  it('gives the test command that .ci/run runs, after a clean npm ci', () => {
    const script = readFileSync('.ci/run', 'utf8');
    const readmeTest = commandsIn(markdownSection(readme, '## Quick start')).find((command) =>
      command.startsWith('npm test'),
    );
    expect(ciTestCommand(script)).toBe(readmeTest);
    expect(script).toMatch(/^npm ci\b/m);
  });

  it('sees a CI script that runs something else', () => {
    expect(ciTestCommand('#!/usr/bin/env bash\nset -e\nnpm ci\nnpx vitest run test/unit\n')).toBe(
      'npx vitest run test/unit',
    );
  });

  it('says why each dependency is there', () => {
    const section = markdownSection(readme, '## Dependencies and why');
    for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]) {
      expect(section, name).toContain(`\`${name}\``);
    }
  });

  it('keeps the Reliability section, linking the full table of faults', () => {
    const section = markdownSection(readme, '## Reliability');
    expect(section).toContain('](docs/reliability.md)');
    expect(section).toMatch(/^\| fault \| outcome \|$/m);
  });
});
