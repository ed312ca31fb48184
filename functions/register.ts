/**
 * Every function the app registers, in one place. The handlers live in their own files; this only wires
 * triggers to them. Schedules come from app settings (`%NAME%`) so they can change without a deployment.
 */
import type { app } from '@azure/functions';
import { getServices, type Services } from './composition-root.js';
import { evaluateTargetsHandler } from './evaluate-targets.js';
import { purgeHistoryHandler } from './purge-history.js';
import { alertWebhookHandler } from './http/alert-webhook.js';
import {
  getTargetHandler,
  listTargetsHandler,
  pauseTargetHandler,
  rebalanceControlHandler,
  resetFailuresHandler,
  scaleTargetHandler,
} from './http/targets.js';
import { abandonOperationHandler, getOperationHandler } from './http/operations.js';
import { dashboardHandler } from './http/dashboard.js';
import * as df from 'durable-functions';
import { registerFollowUpFunctions, type DurableHost } from './orchestration/register.js';
import { durableClientInput, withDurableClient } from './orchestration/launcher.js';

export type FunctionHost = Pick<typeof app, 'timer' | 'http'>;

export function registerFunctions(
  host: FunctionHost,
  services: () => Promise<Services> = getServices,
  durable: DurableHost = df.app,
): void {
  // The durable client lets the scale-outs this timer starts launch their follow-up orchestration.
  host.timer('evaluateTargets', {
    schedule: '%SCALER_SCHEDULE%',
    extraInputs: [durableClientInput],
    handler: withDurableClient(evaluateTargetsHandler(services)),
  });
  host.timer('purgeHistory', { schedule: '0 30 3 * * *', handler: purgeHistoryHandler(services) });
  // The HTTP API: function keys on every endpoint (the host checks them); Entra ID tokens on top when configured.
  const authLevel = 'function';
  // Alerts and operators start scale-outs too, so they carry the durable client their follow-ups start with.
  const extraInputs = [durableClientInput];
  host.http('alertWebhook', {
    route: 'alerts',
    methods: ['POST'],
    authLevel,
    extraInputs,
    handler: withDurableClient(alertWebhookHandler(services)),
  });
  host.http('listTargets', { route: 'targets', methods: ['GET'], authLevel, handler: listTargetsHandler(services) });
  host.http('getTarget', { route: 'targets/{name}', methods: ['GET'], authLevel, handler: getTargetHandler(services) });
  host.http('scaleTarget', {
    route: 'targets/{name}/scale',
    methods: ['POST'],
    authLevel,
    extraInputs,
    handler: withDurableClient(scaleTargetHandler(services)),
  });
  host.http('pauseTarget', {
    route: 'targets/{name}/pause',
    methods: ['POST'],
    authLevel,
    handler: pauseTargetHandler(services, true),
  });
  host.http('resumeTarget', {
    route: 'targets/{name}/resume',
    methods: ['POST'],
    authLevel,
    handler: pauseTargetHandler(services, false),
  });
  host.http('pauseRebalance', {
    route: 'targets/{name}/rebalance/pause',
    methods: ['POST'],
    authLevel,
    handler: rebalanceControlHandler(services, 'pause'),
  });
  host.http('resumeRebalance', {
    route: 'targets/{name}/rebalance/resume',
    methods: ['POST'],
    authLevel,
    handler: rebalanceControlHandler(services, 'resume'),
  });
  host.http('resetFailures', {
    route: 'targets/{name}/failures/reset',
    methods: ['POST'],
    authLevel,
    handler: resetFailuresHandler(services),
  });
  host.http('getOperation', {
    route: 'operations/{id}',
    methods: ['GET'],
    authLevel,
    handler: getOperationHandler(services),
  });
  // Abandoning terminates the operation's follow-up, through the durable client.
  host.http('abandonOperation', {
    route: 'operations/{id}/abandon',
    methods: ['POST'],
    authLevel,
    extraInputs,
    handler: withDurableClient(abandonOperationHandler(services)),
  });
  // The operators' page: static, reads and acts through the routes above (so their keys and roles apply).
  host.http('dashboard', { route: 'dashboard', methods: ['GET'], authLevel, handler: dashboardHandler() });
  registerFollowUpFunctions(durable, services);
}
