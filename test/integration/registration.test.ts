import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface Binding {
  type: string;
  direction: 'in' | 'out';
  route?: string;
  methods?: string[];
  authLevel?: string;
  schedule?: string;
}

interface Registration {
  name: string;
  bindings: Record<string, Binding>;
}

/** Loads the app entry in a plain Node process, with the stand-in registration module the worker would provide. */
async function registrations(entry: string): Promise<Registration[]> {
  const env = { ...process.env };
  delete env['SCALER_CONFIG']; // registering must not need the config: the host loads the entry before any setting is read
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/support/functions-host-standin.ts', entry], {
    cwd: process.cwd(),
    env,
  });
  const line = stdout.split('\n').find((text) => text.startsWith('REGISTERED '));
  if (!line) throw new Error(`the stand-in printed no registrations:\n${stdout}`);
  return JSON.parse(line.slice('REGISTERED '.length)) as Registration[];
}

const HTTP = (route: string, method: string, durableClient = false) => ({
  trigger: { type: 'httpTrigger', route, methods: [method], authLevel: 'function' },
  output: 'http',
  durableClient,
});
const TIMER = (schedule: string, durableClient = false) => ({
  trigger: { type: 'timerTrigger', schedule },
  output: undefined,
  durableClient,
});

/** Every HTTP and timer function of the app, with its trigger. Durable follow-up functions are checked below. */
const EXPECTED = {
  evaluateTargets: TIMER('%SCALER_SCHEDULE%', true),
  purgeHistory: TIMER('0 30 3 * * *'),
  alertWebhook: HTTP('alerts', 'POST', true),
  listTargets: HTTP('targets', 'GET'),
  getTarget: HTTP('targets/{name}', 'GET'),
  scaleTarget: HTTP('targets/{name}/scale', 'POST', true),
  pauseTarget: HTTP('targets/{name}/pause', 'POST'),
  resumeTarget: HTTP('targets/{name}/resume', 'POST'),
  pauseRebalance: HTTP('targets/{name}/rebalance/pause', 'POST'),
  resumeRebalance: HTTP('targets/{name}/rebalance/resume', 'POST'),
  resetFailures: HTTP('targets/{name}/failures/reset', 'POST'),
  getOperation: HTTP('operations/{id}', 'GET'),
  abandonOperation: HTTP('operations/{id}/abandon', 'POST', true),
  dashboard: HTTP('dashboard', 'GET'),
};

const DURABLE_TRIGGERS = ['orchestrationTrigger', 'activityTrigger', 'entityTrigger'];

describe('function registration, as the Functions host sees it', () => {
  let registered: Registration[];

  beforeAll(async () => {
    registered = await registrations('functions/index.ts');
  });

  it('points package.json "main" at the compiled functions/index.ts', async () => {
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as { main: string };
    const options = async (file: string) =>
      (JSON.parse(await readFile(file, 'utf8')) as { compilerOptions?: { outDir?: string; rootDir?: string } })
        .compilerOptions ?? {};
    const [base, build] = await Promise.all([options('tsconfig.json'), options('tsconfig.build.json')]);
    const outDir = build.outDir ?? base.outDir;
    expect(build.rootDir ?? base.rootDir).toBe('.');
    expect(manifest.main).toBe(`${outDir}/functions/index.js`);
  });

  it('registers every HTTP and timer function with its trigger type, route, method, auth level and schedule', async () => {
    const byName = new Map(registered.map((registration) => [registration.name, registration]));

    expect(registered.map((registration) => registration.name)).toEqual([
      ...new Set(registered.map((registration) => registration.name)),
    ]);
    for (const [name, expected] of Object.entries(EXPECTED)) {
      const registration = byName.get(name);
      expect(registration, `function ${name} is not registered`).toBeDefined();
      const bindings = Object.values(registration?.bindings ?? {});
      const triggers = bindings.filter((binding) => binding.direction === 'in' && binding.type.endsWith('Trigger'));
      expect(triggers, name).toEqual([expect.objectContaining(expected.trigger)]);
      expect(
        bindings.filter((binding) => binding.direction === 'out').map((binding) => binding.type),
        name,
      ).toEqual(expected.output ? [expected.output] : []);
      expect(
        bindings.some((binding) => binding.type === 'durableClient'),
        `${name} durable client input`,
      ).toBe(expected.durableClient);
    }
  });

  it('registers nothing besides those but durable follow-up functions, each with one durable trigger', async () => {
    const others = registered.filter((registration) => !(registration.name in EXPECTED));
    for (const registration of others) {
      const triggers = Object.values(registration.bindings).filter((binding) => binding.type.endsWith('Trigger'));
      expect(
        triggers.map((binding) => binding.type),
        registration.name,
      ).toEqual([expect.toBeOneOf(DURABLE_TRIGGERS)]);
    }
  });

  it('protects every HTTP function with a function key', async () => {
    const http = registered
      .flatMap((registration) => Object.values(registration.bindings))
      .filter((binding) => binding.type === 'httpTrigger');
    expect(http.length).toBeGreaterThan(0);
    expect(http.map((binding) => binding.authLevel)).toEqual(http.map(() => 'function'));
  });
});
