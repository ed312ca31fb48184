import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

/** Folders the Function App runs. Everything else (tools/, cli/, bench/, scripts/, test/) is a tool. */
const DEPLOYED_FOLDERS = ['functions', 'shared'];
const TOOL_FOLDERS = ['tools', 'cli', 'bench', 'scripts', 'test', 'bin', 'docs', 'examples'];

function buildOptions(root: string): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => { throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')); } });
  if (!parsed) throw new Error(`${root}/tsconfig.build.json: could not be read`);
  return parsed.options;
}

/** Every project file the compiler reaches from functions/index.ts (imports, type imports, re-exports), relative to root. */
function importClosure(root: string, entry = 'functions/index.ts'): string[] {
  const program = ts.createProgram({ rootNames: [join(root, entry)], options: { ...buildOptions(root), noEmit: true } });
  return program
    .getSourceFiles()
    .map((file) => relative(root, file.fileName).split(sep).join('/'))
    .filter((file) => !file.startsWith('node_modules/') && !file.startsWith('..'));
}

const outsideDeployment = (files: string[]) => files.filter((file) => !DEPLOYED_FOLDERS.some((folder) => file.startsWith(`${folder}/`)));

describe('what is deployed', () => {
  it('reaches only functions/ and shared/ from functions/index.ts', () => {
    const closure = importClosure(process.cwd());
    expect(closure).toContain('functions/index.ts');
    expect(closure).toContain('shared/scaler.ts');
    expect(outsideDeployment(closure)).toEqual([]);
  });

  it('compiles only functions/ and shared/ for the package (tsconfig.build.json)', () => {
    const parsed = ts.getParsedCommandLineOfConfigFile('tsconfig.build.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    const files = (parsed?.fileNames ?? []).map((file) => relative(process.cwd(), file).split(sep).join('/'));
    expect(files).toContain('functions/index.ts');
    expect(outsideDeployment(files)).toEqual([]);
  });

  it('leaves every tool folder out of the package (.funcignore)', async () => {
    const ignored = (await readFile('.funcignore', 'utf8')).split('\n').map((line) => line.trim());
    for (const folder of TOOL_FOLDERS) expect(ignored, folder).toContain(folder);
  });

  describe('on a fixture tree', () => {
    let root: string;

    const write = async (file: string, text: string) => {
      await mkdir(dirname(join(root, file)), { recursive: true });
      await writeFile(join(root, file), text);
    };

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'scaler-closure-'));
      await write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [] } }));
      await write('tsconfig.build.json', JSON.stringify({ extends: './tsconfig.json', include: ['functions', 'shared'] }));
      await write('functions/index.ts', "import { decide } from '../shared/policy.js';\nexport const run = decide;\n");
      await write('shared/policy.ts', "import type { Trace } from '../tools/simulation/trace.js';\nexport const decide = (trace: Trace) => trace.length;\n");
      await write('tools/simulation/trace.ts', 'export type Trace = number[];\n');
    });

    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('reports tool code that shared/ pulls in, even through a type-only import', () => {
      expect(outsideDeployment(importClosure(root))).toEqual(['tools/simulation/trace.ts']);
    });
  });
});
