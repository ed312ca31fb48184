/**
 * `npm run dashboard:screenshot`: runs the sandbox for a few simulated hours (stepped, not in real time), opens the
 * dashboard in the headless Chromium the browser test uses, and saves docs/images/dashboard.png.
 */
import { launchChromium } from '../browser/chromium.js';
import { quietLogger, startSandbox } from './environment.js';

/** From 09:00 to about 12:20 simulated: both clusters have grown, and an elastic-cluster rebalance is running. */
const SIMULATED_MINUTES = 200;
const OUTPUT = 'docs/images/dashboard.png';

const sandbox = await startSandbox({
  scenario: 'daily',
  startHour: 9,
  port: 0,
  schedule: '0 */1 * * * *',
  logHandler: () => () => undefined,
  log: quietLogger(),
});
const browser = await launchChromium({ width: 1400, height: 1000 });
try {
  // The page is open while time passes, so its charts gather the history as an operator's would.
  const page = await browser.context.newPage();
  await page.goto(`${sandbox.baseUrl}/api/dashboard?code=${sandbox.functionKey}`);
  await page.locator('section.target').nth(1).waitFor({ timeout: 120_000 });
  for (let minute = 0; minute < SIMULATED_MINUTES; minute += 1) {
    await sandbox.step(60_000);
    // Let the page's poll see every stretch of the ledger (it reads the last 50 decisions).
    if (minute % 20 === 19)
      await page.waitForResponse((response) => response.url().includes('/api/targets?'), { timeout: 120_000 });
  }
  await page.waitForResponse((response) => response.url().includes('/api/targets?'), { timeout: 120_000 });
  await page.waitForResponse((response) => response.url().includes('/api/targets?'), { timeout: 120_000 });
  await page.screenshot({ path: OUTPUT, fullPage: true });
  console.log(`Saved ${OUTPUT}`);
} finally {
  await browser.close();
  await sandbox.stop();
}
