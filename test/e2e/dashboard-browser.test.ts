/**
 * The dashboard in a real headless Chromium, against the real sandbox in this process: the emulator, Azurite, the
 * Citus stand-in, the app's registered functions on the local host (function keys checked), in-process follow-ups.
 * Time moves only when a test steps the sandbox's clock; the page is then awaited until it shows the change.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { quietLogger, startSandbox, type Sandbox } from '../../tools/sandbox/environment.js';
import { launchChromium, type Browser } from '../support/browser.js';
import type { FollowUpProgressDocument } from '../../shared/follow-up/progress.js';

/** How long the page may take to catch up on a loaded machine; a safety net, never a measured duration. */
const PAGE_WAIT_MS = 90_000;

let sandbox: Sandbox;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  [sandbox, browser] = await Promise.all([
    startSandbox({
      scenario: 'daily',
      startHour: 9,
      port: 0,
      schedule: '0 */1 * * * *',
      logHandler: () => () => undefined,
      log: quietLogger(),
    }),
    launchChromium(),
  ]);
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
});

const dashboardUrl = () => `${sandbox.baseUrl}/api/dashboard?code=${sandbox.functionKey}`;
const section = (name: string) => page.locator(`section[data-target="${name}"]`);

/** Steps simulated time a minute at a time until `done` holds (at most `minutes`). */
async function stepUntil(done: () => Promise<boolean>, minutes: number): Promise<void> {
  for (let minute = 0; minute < minutes; minute += 1) {
    if (await done()) return;
    await sandbox.step(60_000);
  }
  throw new Error(`not reached within ${minutes} simulated minutes`);
}

async function rebalanceReported(target: string): Promise<boolean> {
  const operation = (await sandbox.services.state.listOperations(target, 1))[0];
  if (!operation) return false;
  const found = await sandbox.services.queries.findOperation(operation.id);
  return (found?.followUp?.document as FollowUpProgressDocument | undefined)?.rebalance !== undefined;
}

describe('the dashboard page', () => {
  it('is static HTML whose one script and style block are allowed by hash under a strict Content-Security-Policy', async () => {
    const response = await fetch(dashboardUrl());
    expect(response.status).toBe(200);
    const html = await response.text();
    const csp = response.headers.get('content-security-policy') ?? '';
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    const styles = /<style>([\s\S]*)<\/style>/.exec(html)?.[1] ?? '';
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(styles)}`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe');
    expect(html).not.toMatch(/\s(style|on[a-z]+)=/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('needs the function key, like every other route', async () => {
    const response = await fetch(`${sandbox.baseUrl}/api/dashboard`);
    expect(response.status).toBe(401);
  });
});

describe('the dashboard in Chromium', () => {
  it('loads and shows each target with its live capacity', async () => {
    await page.goto(dashboardUrl());
    await section('orders-pg')
      .locator('[data-field="live-capacity"]')
      .filter({ hasText: '2' })
      .waitFor({ timeout: PAGE_WAIT_MS });
    await section('telemetry-adx')
      .locator('[data-field="live-capacity"]')
      .filter({ hasText: '2' })
      .waitFor({ timeout: PAGE_WAIT_MS });
    await expect(section('orders-pg').locator('.kind').textContent()).resolves.toContain('PostgreSQL elastic cluster');
    expect(pageErrors).toEqual([]);
  });

  it('updates live: the scale-out a timer tick starts, and then the rebalance, appear without a reload', async () => {
    await stepUntil(async () => (await sandbox.services.state.getOperationInProgress('orders-pg')) !== undefined, 15);
    const decisions = section('orders-pg').locator('table.decisions');
    await decisions.getByText('scale-out 2 → 4').waitFor({ timeout: PAGE_WAIT_MS });
    await decisions.getByText('ScaleOutRuleFired').first().waitFor({ timeout: PAGE_WAIT_MS });
    await section('orders-pg')
      .locator('[data-field="requested-capacity"]')
      .filter({ hasText: '4' })
      .waitFor({ timeout: PAGE_WAIT_MS });

    await stepUntil(() => rebalanceReported('orders-pg'), 60);
    const rebalance = section('orders-pg').locator('[data-field="rebalance"]');
    await rebalance.waitFor({ timeout: PAGE_WAIT_MS });
    await expect(rebalance.textContent()).resolves.toMatch(/^Rebalance job \d+ \w+: \d+ of \d+ moves, .* of .*, ETA /);
    expect(pageErrors).toEqual([]);
  });

  it('acts through the operator API: a dry run changes nothing, pause and resume show as badges', async () => {
    const adx = section('telemetry-adx');
    const patchesBefore = sandbox.emulator.requests.filter({ method: 'PATCH' }).length;
    await adx.locator('input[name="capacity"]').fill('6');
    await adx.locator('button[data-action="scale"]').click();
    await adx
      .locator('[data-field="result"]')
      .getByText(/^Dry run: would/)
      .waitFor({ timeout: PAGE_WAIT_MS });
    expect(sandbox.emulator.requests.filter({ method: 'PATCH' }).length).toBe(patchesBefore);

    await adx.locator('input[name="reason"]').fill('maintenance window');
    await adx.locator('button[data-action="pause"]').click();
    await adx.locator('.badge').getByText('scale-out paused').waitFor({ timeout: PAGE_WAIT_MS });
    await adx.locator('.badge').getByText('scale-in paused').waitFor({ timeout: PAGE_WAIT_MS });
    const [paused] = (await sandbox.services.queries.statusOfAll(0)).filter(
      (snapshot) => snapshot.target.name === 'telemetry-adx',
    );
    expect(paused?.pauses).toMatchObject({ scaleOut: true, scaleIn: true, byApi: { reason: 'maintenance window' } });

    await adx.locator('button[data-action="resume"]').click();
    await adx.locator('[data-field="result"]').getByText('Resumed telemetry-adx').waitFor({ timeout: PAGE_WAIT_MS });
    await expect(adx.locator('.badge').getByText('scale-out paused').count()).resolves.toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('shows a refused request as its problem+json detail, and nothing changes', async () => {
    const pg = section('orders-pg');
    await pg.locator('input[name="reason"]').fill('');
    await pg.locator('button[data-action="pause"]').click();
    const problem = page.locator('#problem');
    await problem.getByText('The request is malformed (400): body.reason:').waitFor({ timeout: PAGE_WAIT_MS });
    const [snapshot] = (await sandbox.services.queries.statusOfAll(0)).filter(
      (candidate) => candidate.target.name === 'orders-pg',
    );
    expect(snapshot?.pauses.scaleOut).toBe(false);
    await expect(pg.locator('.badge').getByText('scale-out paused').count()).resolves.toBe(0);
  });
});
