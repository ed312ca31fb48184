/** `POST /api/alerts`: the webhook an Azure Monitor action group calls (common alert schema, Secure Webhook). */
import type { Services } from '../composition-root.js';
import { httpEndpoint, type EndpointHandler } from './endpoint.js';
import { readJsonBody } from '../../shared/http/requests.js';
import { alertResponse } from '../../shared/http/alert-response.js';

export function alertWebhookHandler(services: () => Promise<Services>): EndpointHandler {
  return httpEndpoint(services, {
    access: 'alert',
    route: () => 'alerts',
    handle: async ({ request, services: { alerts }, log, invocationId, apiBase }) => {
      const body = await readJsonBody(request);
      return alertResponse(await alerts.receive(body, { invocationId, log }), apiBase);
    },
  });
}
