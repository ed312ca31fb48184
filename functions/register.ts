/**
 * Every function the app registers, in one place. The handlers live in their own files; this only wires
 * triggers to them. Schedules come from app settings (`%NAME%`) so they can change without a deployment.
 */
import type { app } from '@azure/functions';
import { getServices, type Services } from './composition-root.js';
import { evaluateTargetsHandler } from './evaluate-targets.js';
import { purgeHistoryHandler } from './purge-history.js';

export type FunctionHost = Pick<typeof app, 'timer' | 'http'>;

export const DEFAULT_SCHEDULE = '0 */1 * * * *';

export function registerFunctions(host: FunctionHost, services: () => Promise<Services> = getServices): void {
  host.timer('evaluateTargets', { schedule: '%SCALER_SCHEDULE%', handler: evaluateTargetsHandler(services) });
  host.timer('purgeHistory', { schedule: '0 30 3 * * *', handler: purgeHistoryHandler(services) });
}
