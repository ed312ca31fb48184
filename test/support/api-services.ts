/** The HTTP functions' handlers bound to one set of services, for end-to-end tests. */
import type { Services } from '../../functions/composition-root.js';
import { alertWebhookHandler } from '../../functions/http/alert-webhook.js';
import {
  getTargetHandler,
  listTargetsHandler,
  pauseTargetHandler,
  rebalanceControlHandler,
  resetFailuresHandler,
  scaleTargetHandler,
} from '../../functions/http/targets.js';
import { abandonOperationHandler, getOperationHandler } from '../../functions/http/operations.js';
import { withDurableClient } from '../../functions/orchestration/launcher.js';
import { callApi, type ApiAnswer } from './http-api.js';

export interface ScalerApi {
  alert(body: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  scale(target: string, body: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  pause(target: string, body: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  resume(target: string, body?: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  target(target: string, query?: string, headers?: Record<string, string>): Promise<ApiAnswer>;
  targets(query?: string, headers?: Record<string, string>): Promise<ApiAnswer>;
  pauseRebalance(target: string, body: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  resumeRebalance(target: string, body: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  resetFailures(target: string, body: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  /** Follows a status URL (or an operation id) the API handed out. */
  operation(urlOrId: string, headers?: Record<string, string>): Promise<ApiAnswer>;
  abandon(operationId: string, body: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
}

/** `durableClient`: the client data the host binds to the functions that take a durable client (a task hub's). */
export function scalerApi(services: Services, durableClient?: unknown): ScalerApi {
  const provide = () => Promise.resolve(services);
  const handlers = {
    alert: alertWebhookHandler(provide),
    scale: scaleTargetHandler(provide),
    pause: pauseTargetHandler(provide, true),
    resume: pauseTargetHandler(provide, false),
    target: getTargetHandler(provide),
    targets: listTargetsHandler(provide),
    operation: getOperationHandler(provide),
    pauseRebalance: rebalanceControlHandler(provide, 'pause'),
    resumeRebalance: rebalanceControlHandler(provide, 'resume'),
    abandon: withDurableClient(abandonOperationHandler(provide)),
    resetFailures: resetFailuresHandler(provide),
  };
  return {
    alert: (body, headers) =>
      callApi(handlers.alert, { method: 'POST', path: '/api/alerts', body, ...(headers ? { headers } : {}) }),
    scale: (name, body, headers) =>
      callApi(handlers.scale, {
        method: 'POST',
        path: `/api/targets/${name}/scale`,
        params: { name },
        body,
        ...(headers ? { headers } : {}),
      }),
    pause: (name, body, headers) =>
      callApi(handlers.pause, {
        method: 'POST',
        path: `/api/targets/${name}/pause`,
        params: { name },
        body,
        ...(headers ? { headers } : {}),
      }),
    resume: (name, body, headers) =>
      callApi(handlers.resume, {
        method: 'POST',
        path: `/api/targets/${name}/resume`,
        params: { name },
        ...(body === undefined ? {} : { body }),
        ...(headers ? { headers } : {}),
      }),
    target: (name, query = '', headers) =>
      callApi(handlers.target, {
        method: 'GET',
        path: `/api/targets/${name}${query}`,
        params: { name },
        ...(headers ? { headers } : {}),
      }),
    targets: (query = '', headers) =>
      callApi(handlers.targets, { method: 'GET', path: `/api/targets${query}`, ...(headers ? { headers } : {}) }),
    pauseRebalance: (name, body, headers) =>
      callApi(handlers.pauseRebalance, {
        method: 'POST',
        path: `/api/targets/${name}/rebalance/pause`,
        params: { name },
        body,
        ...(headers ? { headers } : {}),
      }),
    resumeRebalance: (name, body, headers) =>
      callApi(handlers.resumeRebalance, {
        method: 'POST',
        path: `/api/targets/${name}/rebalance/resume`,
        params: { name },
        body,
        ...(headers ? { headers } : {}),
      }),
    abandon: (id, body, headers) =>
      callApi(handlers.abandon, {
        method: 'POST',
        path: `/api/operations/${encodeURIComponent(id)}/abandon`,
        params: { id },
        body,
        durableClient,
        ...(headers ? { headers } : {}),
      }),
    resetFailures: (name, body, headers) =>
      callApi(handlers.resetFailures, {
        method: 'POST',
        path: `/api/targets/${name}/failures/reset`,
        params: { name },
        body,
        ...(headers ? { headers } : {}),
      }),
    operation: (urlOrId, headers) => {
      const id = decodeURIComponent(urlOrId.split('/operations/').at(-1) ?? urlOrId);
      return callApi(handlers.operation, {
        method: 'GET',
        path: `/api/operations/${encodeURIComponent(id)}`,
        params: { id },
        ...(headers ? { headers } : {}),
      });
    },
  };
}
