/** `GET /api/operations/{id}`: one operation by the id the scale response (or an alert's answer) gave out. */
import type { Services } from '../composition-root.js';
import { httpEndpoint, type EndpointHandler } from './endpoint.js';
import { routeParameter } from '../../shared/http/requests.js';
import { json } from '../../shared/http/response.js';
import { operationView } from '../../shared/http/views.js';
import { NotFoundError } from '../../shared/errors.js';

export function getOperationHandler(services: () => Promise<Services>): EndpointHandler {
  return httpEndpoint(services, {
    access: 'read',
    route: (request) => `operations/${encodeURIComponent(request.params['id'] ?? '')}`,
    handle: async ({ request, services: { scaler }, apiBase }) => {
      const id = routeParameter('operation id', request.params['id']);
      const found = await scaler.findOperation(id);
      if (!found) throw new NotFoundError(`operation '${id.slice(0, 80)}' not found: no operation has this id; use the statusUrl a scale request or an alert answer returned`);
      return json(200, operationView(found.operation, apiBase, found.followUp));
    },
  });
}
