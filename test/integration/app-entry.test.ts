import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('the app entry (functions/index.ts)', () => {
  it('loads under plain Node ESM, as the Functions host loads it, and registers its functions', async () => {
    // vitest's module interop hides ESM/CommonJS mistakes (e.g. a named import @azure/functions does not expose
    // to Node's ESM loader); a separate Node process does not. Outside the host, the package runs in test mode
    // and reports each registration it skips.
    const { stderr, stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '-e', "await import('./functions/index.ts'); console.log('entry loaded');"],
      { cwd: process.cwd() },
    );
    expect(stdout).toContain('entry loaded');
    for (const name of ['evaluateTargets', 'purgeHistory'])
      expect(stderr + stdout).toContain(`register function "${name}"`);
  });
});
