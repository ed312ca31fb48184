/**
 * The operator endpoints of one target or all of them: status, scale on request, pause and resume. Every
 * change goes through the same use cases (and guards) as the timer and alerts.
 */
import type { HttpRequest } from '@azure/functions';
import type { Services } from '../composition-root.js';
import { httpEndpoint, type EndpointHandler } from './endpoint.js';
import type { ScaleRequest } from '../../shared/policy/input.js';
import {
  parseDecisionsQuery,
  parseFailureResetBody,
  readJsonBody,
  parsePauseBody,
  parseRebalanceControlBody,
  parseScaleBody,
  pauseUpdate,
  routeParameter,
  OPERATOR_BODY_BYTES,
} from '../../shared/http/requests.js';
import { json } from '../../shared/http/response.js';
import { scaleResponse } from '../../shared/http/scale-response.js';
import { operationUrl, pausedView, targetStatusView } from '../../shared/http/views.js';

const targetName = (request: HttpRequest) => routeParameter('target name', request.params['name']);

/** `GET /api/targets[?decisions=N]` */
export function listTargetsHandler(services: () => Promise<Services>): EndpointHandler {
  return httpEndpoint(services, {
    access: 'read',
    route: () => 'targets',
    handle: async ({ request, services: { queries }, apiBase }) => {
      const statuses = await queries.statusOfAll(parseDecisionsQuery(request.query.get('decisions')));
      return json(200, { targets: statuses.map((status) => targetStatusView(status, apiBase)) });
    },
  });
}

/** `GET /api/targets/{name}[?decisions=N]` */
export function getTargetHandler(services: () => Promise<Services>): EndpointHandler {
  return httpEndpoint(services, {
    access: 'read',
    route: (request) => `targets/${request.params['name'] ?? ''}`,
    handle: async ({ request, services: { queries }, apiBase }) => {
      const status = await queries.statusOf(targetName(request), parseDecisionsQuery(request.query.get('decisions')));
      return json(200, targetStatusView(status, apiBase));
    },
  });
}

/** `POST /api/targets/{name}/scale` with `{ capacity } | { delta }`, `reason`, optional `dryRun`, `ignoreCooldown`. */
export function scaleTargetHandler(services: () => Promise<Services>): EndpointHandler {
  return httpEndpoint(services, {
    access: 'operate',
    route: (request) => `targets/${request.params['name'] ?? ''}/scale`,
    handle: async ({ request, services: { executor }, caller, log, invocationId, apiBase }) => {
      const name = targetName(request);
      const body = parseScaleBody(await readJsonBody(request, { maxBytes: OPERATOR_BODY_BYTES }));
      const scaleRequest: ScaleRequest = {
        source: 'manual',
        capacity: body.capacity,
        delta: body.delta,
        reason: body.reason,
        ignoreCooldown: body.ignoreCooldown,
      };
      const context = { trigger: 'manual' as const, initiator: caller.name, request: scaleRequest, invocationId, log };
      const outcome = body.dryRun
        ? await executor.previewTarget(name, context)
        : await executor.evaluateTarget(name, context);
      return scaleResponse(outcome, apiBase, { dryRun: body.dryRun });
    },
  });
}

/** `POST /api/targets/{name}/pause` (`paused: true`) and `/resume` (`paused: false`), body `{ direction?, reason }`. */
export function pauseTargetHandler(services: () => Promise<Services>, paused: boolean): EndpointHandler {
  const verb = paused ? 'pause' : 'resume';
  return httpEndpoint(services, {
    access: 'operate',
    route: (request) => `targets/${request.params['name'] ?? ''}/${verb}`,
    handle: async ({ request, services: { administration }, caller, log }) => {
      const name = targetName(request);
      const body = parsePauseBody(await readJsonBody(request, { allowEmpty: !paused, maxBytes: OPERATOR_BODY_BYTES }), {
        reasonRequired: paused,
      });
      const pauses = await administration.setPaused(
        name,
        pauseUpdate(body.direction, paused),
        { by: caller.name, reason: body.reason ?? 'resumed through the API' },
        log,
      );
      return json(200, { target: name, paused: pausedView(pauses) });
    },
  });
}

/**
 * `POST /api/targets/{name}/failures/reset`, body `{ reason }`: after the operator fixed why a change kept failing
 * (quota, a size the service refuses), the failure backoff counts from zero again.
 */
export function resetFailuresHandler(services: () => Promise<Services>): EndpointHandler {
  return httpEndpoint(services, {
    access: 'operate',
    route: (request) => `targets/${request.params['name'] ?? ''}/failures/reset`,
    handle: async ({ request, services: { administration }, caller, log }) => {
      const name = targetName(request);
      const { reason } = parseFailureResetBody(await readJsonBody(request, { maxBytes: OPERATOR_BODY_BYTES }));
      const reset = await administration.resetFailures(name, { by: caller.name, reason }, log);
      return json(200, {
        target: name,
        failuresReset: { at: reset.resetAt.toISOString(), by: reset.by, reason: reset.reason },
      });
    },
  });
}

/**
 * `POST /api/targets/{name}/rebalance/pause` and `/rebalance/resume`, body `{ reason }`: stops the running Citus
 * rebalance (moves already done stay done) or lets the follow-up start a new job for the remaining moves.
 * 202: the change takes effect in the follow-up, which the target's status shows.
 */
export function rebalanceControlHandler(
  services: () => Promise<Services>,
  action: 'pause' | 'resume',
): EndpointHandler {
  return httpEndpoint(services, {
    access: 'operate',
    route: (request) => `targets/${request.params['name'] ?? ''}/rebalance/${action}`,
    handle: async ({ request, services: { followUp }, caller, apiBase }) => {
      const name = targetName(request);
      const { reason } = parseRebalanceControlBody(await readJsonBody(request, { maxBytes: OPERATOR_BODY_BYTES }));
      const control = followUp.rebalance;
      const result =
        action === 'pause'
          ? await control.pauseRebalance(name, { by: caller.name, reason })
          : await control.resumeRebalance(name, { by: caller.name, reason });
      return json(202, { ...result, statusUrl: operationUrl(apiBase, result.operationId) });
    },
  });
}
