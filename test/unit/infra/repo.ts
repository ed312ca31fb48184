/**
 * Reading the repository for the infrastructure checks: the Bicep files, the README's tables and sections,
 * and the app settings the code reads.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBicepFile, type BicepFile } from './bicep.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const INFRA = join(ROOT, 'infra');

export function readText(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** Every file under a folder of the repository, as repository-relative paths with forward slashes. */
export function filesUnder(folder: string, extension: string): string[] {
  return (readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' }) as string[])
    .filter((path) => path.endsWith(extension))
    .map((path) =>
      relative(ROOT, join(ROOT, folder, path))
        .split('\\')
        .join('/'),
    )
    .sort();
}

export function bicepFiles(): BicepFile[] {
  return filesUnder('infra', '.bicep').map((path) => ({ ...readBicepFile(join(ROOT, path)), path }));
}

export function bicepFile(path: string): BicepFile {
  const file = bicepFiles().find((candidate) => candidate.path === path);
  if (!file) throw new Error(`${path} not found among the Bicep files`);
  return file;
}

// ---------------------------------------------------------------------------------------------------------
// README
// ---------------------------------------------------------------------------------------------------------

/** The text of a `## Heading` section, up to the next heading of the same or a higher level. */
export function markdownSection(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const level = /^#+/.exec(heading)?.[0].length ?? 0;
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start === -1) throw new Error(`README has no "${heading}" section`);
  const end = lines.findIndex((line, index) => index > start && new RegExp(`^#{1,${level}} `).test(line));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

/** Every Markdown table whose header row has exactly these column names (case-insensitive), as rows of cells. */
export function markdownTables(markdown: string, columns: string[]): string[][][] {
  const wanted = columns.map((column) => column.toLowerCase());
  const tables: string[][][] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const header = cells(lines[i] as string);
    if (header.length !== wanted.length || header.some((cell, index) => cell.toLowerCase() !== wanted[index])) continue;
    const rows: string[][] = [];
    for (let j = i + 2; j < lines.length && (lines[j] as string).trim().startsWith('|'); j++)
      rows.push(cells(lines[j] as string));
    tables.push(rows);
  }
  return tables;
}

function cells(line: string): string[] {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|')) return [];
  return trimmed
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** The `code` spans of a Markdown fragment. */
export function codeSpans(markdown: string): string[] {
  return [...markdown.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
}
