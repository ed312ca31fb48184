/**
 * A small reader for the Bicep in infra/: top-level declarations (params with their decorators, vars,
 * resources, modules, outputs) and the entries of object literals. It is not a compiler: no Bicep compiler can
 * be installed on these machines, so the checks read what the code and the README rely on, and
 * bicep.test.ts pins this reader's behaviour on small inputs so a broken reader cannot pass vacuously.
 */
import { readFileSync } from 'node:fs';

export interface Decorator {
  name: string;
  /** Source text between the parentheses. */
  args: string;
}

export interface Param {
  name: string;
  type: string;
  /** Source text after `=`, if any. */
  defaultValue: string | undefined;
  decorators: Decorator[];
  description: string | undefined;
  line: number;
}

export interface Declaration {
  symbol: string;
  /** Source text after `=` (a resource or module body may start with `if (...)` or `[for ...`). */
  body: string;
  /** The `//` comment lines right above the declaration (and its decorators), joined. */
  comment: string | undefined;
  line: number;
}

export interface ResourceDecl extends Declaration {
  type: string;
  apiVersion: string;
  existing: boolean;
}

export interface ModuleDecl extends Declaration {
  path: string;
}

export interface OutputDecl extends Declaration {
  type: string;
}

export interface BicepFile {
  path: string;
  text: string;
  targetScope: string;
  params: Param[];
  vars: Declaration[];
  resources: ResourceDecl[];
  modules: ModuleDecl[];
  outputs: OutputDecl[];
}

interface Statement {
  text: string;
  start: number;
  line: number;
}

export function readBicepFile(path: string): BicepFile {
  return parseBicep(readFileSync(path, 'utf8'), path);
}

export function parseBicep(text: string, path = '<inline>'): BicepFile {
  const file: BicepFile = {
    path,
    text,
    targetScope: 'resourceGroup',
    params: [],
    vars: [],
    resources: [],
    modules: [],
    outputs: [],
  };
  let decorators: Decorator[] = [];
  let firstDecoratorStart: number | undefined;
  for (const statement of statements(text)) {
    if (statement.text.startsWith('@')) {
      decorators.push(parseDecorator(statement.text));
      firstDecoratorStart ??= statement.start;
      continue;
    }
    const comment = commentAbove(text, firstDecoratorStart ?? statement.start);
    addDeclaration(file, statement, decorators, comment);
    decorators = [];
    firstDecoratorStart = undefined;
  }
  return file;
}

function addDeclaration(
  file: BicepFile,
  statement: Statement,
  decorators: Decorator[],
  comment: string | undefined,
): void {
  const { text, line } = statement;
  const base = { comment, line };
  let match: RegExpExecArray | null;
  if ((match = /^targetScope\s*=\s*'([^']+)'/.exec(text))) {
    file.targetScope = match[1] as string;
  } else if ((match = /^param\s+(\w+)\s+(\w+(?:\[\])?)\s*(?:=\s*([\s\S]+))?$/.exec(text))) {
    const description = decorators.find((decorator) => decorator.name === 'description');
    file.params.push({
      name: match[1] as string,
      type: match[2] as string,
      defaultValue: match[3]?.trim(),
      decorators,
      description: description ? stringLiteral(description.args) : undefined,
      line,
    });
  } else if ((match = /^var\s+(\w+)\s*=\s*([\s\S]+)$/.exec(text))) {
    file.vars.push({ ...base, symbol: match[1] as string, body: (match[2] as string).trim() });
  } else if ((match = /^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s+(existing\s+)?=\s*([\s\S]+)$/.exec(text))) {
    file.resources.push({
      ...base,
      symbol: match[1] as string,
      type: match[2] as string,
      apiVersion: match[3] as string,
      existing: Boolean(match[4]),
      body: (match[5] as string).trim(),
    });
  } else if ((match = /^module\s+(\w+)\s+'([^']+)'\s*=\s*([\s\S]+)$/.exec(text))) {
    file.modules.push({
      ...base,
      symbol: match[1] as string,
      path: match[2] as string,
      body: (match[3] as string).trim(),
    });
  } else if ((match = /^output\s+(\w+)\s+(\w+)\s*=\s*([\s\S]+)$/.exec(text))) {
    file.outputs.push({
      ...base,
      symbol: match[1] as string,
      type: match[2] as string,
      body: (match[3] as string).trim(),
    });
  } else if (!/^(func|type|import|extension|metadata)\b/.test(text)) {
    throw new Error(`${file.path}:${line}: unrecognised top-level statement: ${text.slice(0, 60)}`);
  }
}

function parseDecorator(text: string): Decorator {
  const match = /^@(?:sys\.)?(\w+)\s*\(([\s\S]*)\)\s*$/.exec(text);
  if (!match) throw new Error(`unrecognised decorator: ${text}`);
  return { name: match[1] as string, args: (match[2] as string).trim() };
}

/** The value of a Bicep string literal ('...' with escapes, or '''...'''), or undefined if it is not one. */
export function stringLiteral(source: string): string | undefined {
  const text = source.trim();
  const multiLine = /^'''\r?\n?([\s\S]*?)'''$/.exec(text);
  if (multiLine) return multiLine[1];
  const single = /^'((?:[^'\\]|\\.)*)'$/.exec(text);
  if (!single || /\$\{/.test(single[1] as string)) return undefined;
  return (single[1] as string).replace(
    /\\(.)/g,
    (_, escaped: string) => ({ n: '\n', r: '\r', t: '\t' })[escaped] ?? escaped,
  );
}

function commentAbove(text: string, start: number): string | undefined {
  const lines = text.slice(0, start).split('\n');
  lines.pop();
  const comments: string[] = [];
  while (lines.length > 0 && /^\s*\/\//.test(lines.at(-1) as string))
    comments.unshift((lines.pop() as string).trim().replace(/^\/\/\s?/, ''));
  return comments.length > 0 ? comments.join(' ') : undefined;
}

/**
 * The text with comments and the inside of string literals replaced by spaces (newlines kept), so brackets can
 * be counted. String interpolations (`${...}`) stay visible, since they are code.
 */
export function maskStringsAndComments(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  /** Each entry is the brace depth of an open interpolation; the innermost is last. */
  const interpolations: number[] = [];
  let inString = false;
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i, i + 3);
    if (inString) {
      if (text[i] === '\\') {
        blank(i, i + 2);
        i += 2;
      } else if (text[i] === "'") {
        inString = false;
        i += 1;
      } else if (rest.startsWith('${')) {
        blank(i, i + 2);
        interpolations.push(0);
        inString = false;
        i += 2;
      } else {
        blank(i, i + 1);
        i += 1;
      }
      continue;
    }
    if (rest.startsWith('//')) {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (rest.startsWith('/*')) {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (rest === "'''") {
      const end = text.indexOf("'''", i + 3);
      const stop = end === -1 ? text.length : end + 3;
      blank(i + 3, stop - 3);
      i = stop;
    } else if (text[i] === "'") {
      inString = true;
      i += 1;
    } else if (interpolations.length > 0 && (text[i] === '{' || text[i] === '}')) {
      const depth = interpolations.length - 1;
      if (text[i] === '{') {
        interpolations[depth] = (interpolations[depth] as number) + 1;
      } else if (interpolations[depth] === 0) {
        interpolations.pop();
        blank(i, i + 1);
        inString = true;
      } else {
        interpolations[depth] = (interpolations[depth] as number) - 1;
      }
      i += 1;
    } else {
      i += 1;
    }
  }
  return out.join('');
}

/** Top-level statements: a newline ends one unless a bracket is still open. */
function statements(text: string): Statement[] {
  const masked = maskStringsAndComments(text);
  const result: Statement[] = [];
  let depth = 0;
  let start = 0;
  const flush = (end: number) => {
    const raw = text.slice(start, end);
    const trimmed = raw.trim();
    if (trimmed && masked.slice(start, end).trim()) {
      const offset = start + raw.indexOf(trimmed);
      result.push({
        text: stripComments(text.slice(offset, start + raw.length), masked.slice(offset, start + raw.length)).trim(),
        start: offset,
        line: lineOf(text, offset),
      });
    }
    start = end + 1;
  };
  for (let i = 0; i < masked.length; i++) {
    const char = masked[i];
    if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') depth -= 1;
    else if (char === '\n' && depth === 0) flush(i);
  }
  flush(masked.length);
  return result;
}

/** Removes `//` comments: a `//` that the masked text blanked and after which the masked line is blank. */
function stripComments(original: string, masked: string): string {
  const maskedLines = masked.split('\n');
  return original
    .split('\n')
    .map((line, index) => {
      const maskedLine = maskedLines[index] ?? '';
      for (let at = line.indexOf('//'); at !== -1; at = line.indexOf('//', at + 1)) {
        if (maskedLine.slice(at).trim() === '') return line.slice(0, at);
      }
      return line;
    })
    .join('\n');
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/**
 * The first object literal `{ ... }` in an expression that is not inside parentheses (so the object of
 * `if (cond) { ... }` or `[for x in xs: { ... }]`), as source text.
 */
export function mainObject(expression: string): string {
  const masked = maskStringsAndComments(expression);
  let parens = 0;
  for (let i = 0; i < masked.length; i++) {
    const char = masked[i];
    if (char === '(') parens += 1;
    else if (char === ')') parens -= 1;
    else if (char === '{' && parens === 0) return expression.slice(i, matchingClose(masked, i) + 1);
  }
  throw new Error(`no object literal in: ${expression.slice(0, 80)}`);
}

function matchingClose(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const char = masked[i];
    if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new Error('unbalanced brackets');
}

/**
 * The entries of an object literal, in order: key (identifier or string literal) -> value source text.
 * Entries are separated by newlines or commas at the object's own depth.
 */
export function objectEntries(objectSource: string): Map<string, string> {
  const source = objectSource.trim();
  if (!source.startsWith('{') || !source.endsWith('}'))
    throw new Error(`not an object literal: ${source.slice(0, 60)}`);
  const inner = source.slice(1, -1);
  const masked = maskStringsAndComments(inner);
  const entries = new Map<string, string>();
  let depth = 0;
  let start = 0;
  const flush = (end: number) => {
    const raw = stripComments(inner.slice(start, end), masked.slice(start, end)).trim();
    start = end + 1;
    if (!raw) return;
    const match = /^('(?:[^'\\]|\\.)*'|\w+)\s*:\s*([\s\S]+)$/.exec(raw);
    if (!match) throw new Error(`not an object entry: ${raw.slice(0, 60)}`);
    const key = match[1] as string;
    entries.set(key.startsWith("'") ? (stringLiteral(key) ?? key) : key, (match[2] as string).trim());
  };
  for (let i = 0; i < masked.length; i++) {
    const char = masked[i];
    if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') depth -= 1;
    else if ((char === '\n' || char === ',') && depth === 0) flush(i);
  }
  flush(masked.length);
  return entries;
}

/** A top-level property of a resource or module body (`name`, `scope`, `properties`, `params`, ...). */
export function bodyProperty(declaration: Declaration, key: string): string | undefined {
  return objectEntries(mainObject(declaration.body)).get(key);
}

/**
 * The entries of every object literal an expression builds, following the file's variables: e.g.
 * `union(core, flag ? extra : {})` yields the entries of the `core` and `extra` objects. Nested objects
 * (values) are not descended into.
 */
export function objectEntriesOf(file: BicepFile, expression: string, seen = new Set<string>()): Map<string, string> {
  const entries = new Map<string, string>();
  const masked = maskStringsAndComments(expression);
  for (let i = 0; i < masked.length; i++) {
    if (masked[i] !== '{') continue;
    const close = matchingClose(masked, i);
    for (const [key, value] of objectEntries(expression.slice(i, close + 1))) entries.set(key, value);
    i = close;
  }
  for (const match of masked.matchAll(/\b[A-Za-z_]\w*\b/g)) {
    const variable = file.vars.find((candidate) => candidate.symbol === match[0]);
    if (!variable || seen.has(variable.symbol)) continue;
    seen.add(variable.symbol);
    for (const [key, value] of objectEntriesOf(file, variable.body, seen)) entries.set(key, value);
  }
  return entries;
}
