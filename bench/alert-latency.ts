/**
 * Alert-to-ARM latency: from the moment the webhook handler receives an Azure Monitor delivery to the moment the
 * scale PATCH reaches ARM, over 200 alerts, one after the other, against Azurite and the ARM emulator with no
 * injected latency. Each alert is about its own elastic cluster, so every one of them scales. Everything on the
 * way is real: the HTTP handler, the receipt, the executor's reads, lease and records, the ARM SDK call.
 * Target (issue 4): p99 under 150 ms.
 */
import { randomUUID } from 'node:crypto';
import { startAzureEmulator, type AzureEmulator } from '../tools/emulator/index.js';
import { startAzurite } from '../tools/local-services/azurite.js';
import { pgResourceId, servicesFor, SUBSCRIPTION } from '../test/support/scaler-harness.js';
import { callApi } from '../test/support/http-api.js';
import { alertFor } from '../test/support/alert-fixtures.js';
import { alertWebhookHandler } from '../functions/http/alert-webhook.js';
import type { ConfigInput } from '../shared/config/schema/schema.js';
import { printResult } from './report.js';

const ALERTS = 200;
const WARM_UP = 5;

export async function alertLatencyBenchmark(): Promise<Record<string, number | string>> {
  const [emulator, azurite] = await Promise.all([startAzureEmulator({ subscriptionId: SUBSCRIPTION }), startAzurite()]);
  try {
    const names = Array.from({ length: WARM_UP + ALERTS }, (_, index) => `bench-${index}`);
    const config = { version: 1, targets: names.map((name) => addCluster(emulator, name)) } as ConfigInput;
    const services = await servicesFor(emulator, azurite, config);
    const webhook = alertWebhookHandler(() => Promise.resolve(services));
    const deliver = async (name: string): Promise<number> => {
      const payload = alertFor({
        resourceId: pgResourceId(name),
        alertId: `/alerts/${randomUUID()}`,
        customProperties: { 'scaler.direction': 'out' },
      });
      const receivedMs = Date.now();
      const answer = await callApi(webhook, { method: 'POST', path: '/api/alerts', body: payload });
      const patch = emulator.requests.filter({ method: 'PATCH' }).find((request) => request.path.endsWith(`/${name}`));
      if (answer.status !== 202 || !patch)
        throw new Error(`alert-latency: the alert for ${name} did not scale (HTTP ${answer.status}: ${answer.text})`);
      return patch.receivedAtMs - receivedMs;
    };
    // Warm-up: table creation, TLS sessions, JIT. Not measured.
    for (const name of names.slice(0, WARM_UP)) await deliver(name);
    const latencies: number[] = [];
    for (const name of names.slice(WARM_UP)) latencies.push(await deliver(name));
    latencies.sort((a, b) => a - b);
    return {
      bench: 'alert-latency',
      alerts: ALERTS,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.at(-1) ?? 0,
    };
  } finally {
    await Promise.all([emulator.close(), azurite.stop()]);
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function addCluster(emulator: AzureEmulator, name: string) {
  emulator.postgres.addCluster({ resourceGroup: 'rg-data', name, location: 'westeurope', clusterSize: 3 });
  // Opted in to the sample alerts' rule, so every delivery may scale its cluster.
  return {
    name,
    kind: 'postgres-elastic-cluster',
    resourceId: pgResourceId(name),
    mode: 'manual',
    limits: { min: 2, max: 10 },
    alerts: { allowRules: ['test-metricAlertRule'] },
  };
}

export function describeAlertLatency(result: Record<string, number | string>): string {
  return `alert latency: ${result['alerts']} alerts, webhook received -> ARM PATCH sent: p50 ${result['p50Ms']} ms, p99 ${result['p99Ms']} ms, max ${result['maxMs']} ms (target p99 < 150 ms; Azurite and the ARM emulator, no injected latency)`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await alertLatencyBenchmark();
  printResult(result, describeAlertLatency(result));
}
