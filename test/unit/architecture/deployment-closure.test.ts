import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

/** Folders the Function App runs. Everything else (tools/, cli/, bench/, scripts/, test/) is a tool. */
const DEPLOYED_FOLDERS = ['functions', 'shared'];
const TOOL_FOLDERS = ['tools', 'cli', 'bench', 'scripts', 'test', 'bin', 'docs', 'examples'];

function buildOptions(root: string): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`${root}/tsconfig.build.json: could not be read`);
  return parsed.options;
}

/**
 * Every project file reachable from `entry` through imports, type imports, re-exports and dynamic imports,
 * resolved the way the compiler resolves them (tsconfig.build.json's options), relative to root. Only the import
 * lines are read (ts.preProcessFile), so walking the app takes milliseconds, not a whole program build.
 */
function importClosure(root: string, entry = 'functions/index.ts'): string[] {
  const options = buildOptions(root);
  const seen = new Set<string>([join(root, entry)]);
  const queue = [...seen];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const { importedFiles } = ts.preProcessFile(ts.sys.readFile(file) ?? '', true, true);
    for (const { fileName } of importedFiles) {
      const resolved = ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport || seen.has(resolved.resolvedFileName)) continue;
      seen.add(resolved.resolvedFileName);
      queue.push(resolved.resolvedFileName);
    }
  }
  return [...seen].map((file) => relative(root, file).split(sep).join('/')).filter((file) => !file.startsWith('..'));
}

/** The files tsconfig.build.json compiles, relative to the repository. */
function buildFiles(): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    'tsconfig.build.json',
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  return (parsed?.fileNames ?? []).map((file) => relative(process.cwd(), file).split(sep).join('/'));
}

const deployedClosure = () => importClosure(process.cwd());

const outsideDeployment = (files: string[]) =>
  files.filter((file) => !DEPLOYED_FOLDERS.some((folder) => file.startsWith(`${folder}/`)));

describe('what is deployed', () => {
  it('reaches only functions/ and shared/ from functions/index.ts', () => {
    const closure = deployedClosure();
    expect(closure).toContain('functions/index.ts');
    expect(closure).toContain('shared/scaling/scale-executor.ts');
    expect(outsideDeployment(closure)).toEqual([]);
  });

  it('keeps in shared/ only what the Function App loads: tool code lives in tools/ or cli/', () => {
    const closure = new Set(deployedClosure());
    const shared = buildFiles().filter((file) => file.startsWith('shared/'));
    expect(shared.filter((file) => !closure.has(file)).sort()).toEqual([]);
  });

  it('compiles only functions/ and shared/ for the package (tsconfig.build.json)', () => {
    const files = buildFiles();
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
      await write(
        'tsconfig.json',
        JSON.stringify({
          compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [] },
        }),
      );
      await write(
        'tsconfig.build.json',
        JSON.stringify({ extends: './tsconfig.json', include: ['functions', 'shared'] }),
      );
      await write('functions/index.ts', "import { decide } from '../shared/policy.js';\nexport const run = decide;\n");
      await write(
        'shared/policy.ts',
        "import type { Trace } from '../tools/simulation/trace.js';\nexport const decide = (trace: Trace) => trace.length;\n",
      );
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
