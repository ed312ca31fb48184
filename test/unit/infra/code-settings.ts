/**
 * The app settings the code reads, derived from the code itself so the check follows new settings:
 * - the keys of every zod object schema exported by shared/config/app-settings.ts;
 * - `process.env.NAME`, `env.NAME` and `env['NAME']` reads in functions/ and shared/;
 * - `%NAME%` binding expressions in functions/ and host.json (e.g. the timer schedule, the task hub).
 */
import { z } from 'zod';
import * as appSettingsModule from '../../../shared/config/app-settings.js';
import { filesUnder, readText } from './repo.js';

export interface CodeSetting {
  name: string;
  /** Where the code reads it, for the test names and failure messages. */
  readBy: string;
  /** The value the code uses when the setting is absent, if it has one. */
  codeDefault: unknown;
}

const SETTING_NAME = /^[A-Z][A-Z0-9_]*$/;

export function settingsReadByCode(): CodeSetting[] {
  const found = new Map<string, CodeSetting>();
  const add = (name: string, readBy: string, codeDefault: unknown = undefined) => {
    if (!SETTING_NAME.test(name)) return;
    const existing = found.get(name);
    if (existing) {
      if (!existing.readBy.includes(readBy)) existing.readBy += `, ${readBy}`;
      existing.codeDefault ??= codeDefault;
    } else {
      found.set(name, { name, readBy, codeDefault });
    }
  };

  for (const schema of Object.values(appSettingsModule)) {
    if (!(schema instanceof z.ZodObject)) continue;
    for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>))
      add(name, 'shared/config/app-settings.ts', defaultOf(field));
  }
  for (const path of [...filesUnder('functions', '.ts'), ...filesUnder('shared', '.ts')]) {
    const source = withoutComments(readText(path));
    for (const match of source.matchAll(/\b(?:process\.env|env)(?:\.([A-Za-z_]\w*)|\[\s*['"]([^'"]+)['"]\s*\])/g))
      add((match[1] ?? match[2]) as string, path);
    if (path.startsWith('functions/')) for (const name of bindingExpressions(source)) add(name, path);
  }
  for (const name of bindingExpressions(readText('host.json'))) add(name, 'host.json');
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** `%NAME%` app-setting references, as the Functions host resolves them in bindings and host.json. */
export function bindingExpressions(source: string): string[] {
  return [...source.matchAll(/%([A-Za-z_][A-Za-z0-9_]*)%/g)].map((match) => match[1] as string);
}

/** TypeScript source without comments, so `%NAME%` in a doc comment is not taken for a binding. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function defaultOf(field: z.ZodType): unknown {
  const result = field.safeParse(undefined);
  return result.success ? result.data : undefined;
}
