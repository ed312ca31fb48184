/**
 * Helpers for ARM long-running operations (core-lro v2 pollers): capture what ARM said when it accepted an
 * update, and poll a serialized operation once from any invocation.
 */
import type { PipelineResponse } from '@azure/core-rest-pipeline';
import type { ArmOperationDetails } from '../state/state-store.port.js';
import type { ScaleProgress } from './scale-target.port.js';

interface FullResponse {
  headers: PipelineResponse['headers'];
}

/** An `onResponse` callback that keeps the LRO headers of the initial response. */
export function captureArmHeaders(): { onResponse: (response: FullResponse) => void; details: () => ArmOperationDetails } {
  let captured: ArmOperationDetails = {};
  return {
    onResponse: (response) => {
      if (captured.asyncOperationUrl || captured.locationUrl) return;
      const header = (name: string) => response.headers.get(name) ?? undefined;
      const asyncOperationUrl = header('azure-asyncoperation');
      captured = {
        asyncOperationUrl,
        locationUrl: header('location'),
        operationId: asyncOperationUrl ? lastPathSegment(asyncOperationUrl) : undefined,
        requestId: header('x-ms-request-id'),
        correlationId: header('x-ms-correlation-request-id'),
      };
    },
    details: () => captured,
  };
}

interface PollerLike {
  poll(): Promise<void>;
  getOperationState(): { status: string; error?: Error | undefined };
}

/** Polls once; a failed or cancelled operation is a progress, not an exception. */
export async function pollOnce(poller: PollerLike): Promise<ScaleProgress> {
  try {
    await poller.poll();
  } catch (error) {
    const state = poller.getOperationState();
    if (state.status !== 'failed' && state.status !== 'canceled') throw error;
  }
  const state = poller.getOperationState();
  switch (state.status) {
    case 'succeeded':
      return { status: 'succeeded' };
    case 'failed':
      return { status: 'failed', message: `ARM reports the update failed: ${state.error?.message ?? 'no reason given'}` };
    case 'canceled':
      return { status: 'cancelled', message: 'ARM reports the update was cancelled' };
    default:
      return { status: 'running' };
  }
}

function lastPathSegment(url: string): string | undefined {
  try {
    return new URL(url).pathname.split('/').filter(Boolean).at(-1);
  } catch {
    return undefined;
  }
}
