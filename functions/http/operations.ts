/**
 * `GET /api/operations/{id}`: one operation by the id the scale response (or an alert's answer) gave out.
 * `POST /api/operations/{id}/abandon` with `{ reason }`: an operator ends it by hand.
 */
import type { Services } from '../composition-root.js';
import { httpEndpoint, type EndpointHandler } from './endpoint.js';
import { OPERATOR_BODY_BYTES, parseAbandonBody, readJsonBody, routeParameter } from '../../shared/http/requests.js';
import { json } from '../../shared/http/response.js';
import { operationView } from '../../shared/http/views.js';
import { NotFoundError } from '../../shared/vocabulary/errors.js';

export function getOperationHandler(services: () => Promise<Services>): EndpointHandler {
  return httpEndpoint(services, {
    access: 'read',
    route: (request) => `operations/${encodeURIComponent(request.params['id'] ?? '')}`,
    handle: async ({ request, services: { queries }, apiBase }) => {
      const id = routeParameter('operation id', request.params['id']);
      const found = await queries.findOperation(id);
      if (!found)
        throw new NotFoundError(
          `operation '${id.slice(0, 80)}' not found: no operation has this id; use the statusUrl a scale request or an alert answer returned`,
        );
      return json(200, operationView(found.operation, apiBase, found.followUp));
    },
  });
}

/**
 * `POST /api/operations/{id}/abandon`: 200 with the operation, now `abandoned`, and the ledger entry's id. Asking
 * again answers the same (nothing is written twice); an operation that already ended otherwise is a 409.
 */
export function abandonOperationHandler(services: () => Promise<Services>): EndpointHandler {
  return httpEndpoint(services, {
    access: 'operate',
    route: (request) => `operations/${encodeURIComponent(request.params['id'] ?? '')}/abandon`,
    handle: async ({ request, services: { administration }, caller, log, apiBase }) => {
      const id = routeParameter('operation id', request.params['id']);
      const { reason } = parseAbandonBody(await readJsonBody(request, { maxBytes: OPERATOR_BODY_BYTES }));
      const outcome = await administration.abandonOperation(id, { by: caller.name, reason }, log);
      return json(200, {
        ...operationView(outcome.operation, apiBase),
        abandoned: outcome.changed,
        decisionId: outcome.decisionId,
      });
    },
  });
}
