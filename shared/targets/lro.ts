/**
 * Helpers for ARM long-running operations (core-lro v2 pollers): capture what ARM said when it accepted an
 * update, and poll a serialized operation once from any invocation.
 */
import type { PipelineResponse } from '@azure/core-rest-pipeline';
import { createHttpPoller, type LroResponse } from '@azure/core-lro';
import type { ArmOperationDetails } from '../state/state-store.port.js';
import type { ScaleProgress } from './scale-target.port.js';

interface FullResponse {
  headers: PipelineResponse['headers'];
}

/** An `onResponse` callback that keeps the LRO headers of the initial response. */
export function captureArmHeaders(): {
  onResponse: (response: FullResponse) => void;
  details: () => ArmOperationDetails;
} {
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

/** What the generated SDKs hand an `onResponse` callback: the pipeline response with its parsed body. */
interface RawOperationResponse extends FullResponse {
  status: number;
  parsedBody?: unknown;
}

export interface StartOptions {
  abortSignal: AbortSignal;
  onResponse: (raw: RawOperationResponse, flat: unknown) => void;
}

/**
 * The options of an update's `beginX` call under `startWithoutPolling`: the start's own abort signal and answer
 * callback, with ARM's headers captured from the same answer, and the SDK's poll interval.
 */
export function updateOptions(
  start: StartOptions,
  headers: { onResponse: (response: FullResponse) => void },
  updateIntervalInMs: number,
): StartOptions & { updateIntervalInMs: number } {
  return {
    abortSignal: start.abortSignal,
    onResponse: (raw, flat) => {
      headers.onResponse(raw);
      start.onResponse(raw, flat);
    },
    updateIntervalInMs,
  };
}

/** How the SDK describes the operation to core-lro; the resume token must match what the SDK itself would write. */
export interface LroSpec {
  /** The operation spec's path template, e.g. `/subscriptions/{subscriptionId}/.../clusters/{clusterName}`. */
  requestPath: string;
  resourceLocationConfig?: 'azure-async-operation' | 'location' | 'original-uri' | undefined;
}

/**
 * Sends a long-running update and returns its resume token as soon as ARM accepted it, without the status poll
 * the generated `beginX` methods send right after: that poll costs an ARM read per act and tells nothing yet
 * (the operation has just started). The update is sent by the SDK itself (`begin`); the poll it would send next is
 * cancelled before it leaves, and the token is built by core-lro from ARM's answer, the way `beginX` builds it.
 */
export async function startWithoutPolling(
  begin: (options: StartOptions) => Promise<{ toString(): string }>,
  spec: LroSpec,
): Promise<string> {
  const controller = new AbortController();
  let initial: LroResponse | undefined;
  const onResponse = (raw: RawOperationResponse, flat: unknown) => {
    if (initial) return;
    initial = {
      flatResponse: flat,
      rawResponse: { statusCode: raw.status, body: raw.parsedBody, headers: raw.headers.toJSON() },
    };
    controller.abort();
  };
  try {
    // ARM answered the update as already finished: the SDK did not poll, its own token stands.
    return (await begin({ abortSignal: controller.signal, onResponse })).toString();
  } catch (error) {
    if (!initial || !controller.signal.aborted || (error as Error | undefined)?.name !== 'AbortError') throw error;
  }
  const accepted = initial;
  const poller = await createHttpPoller(
    {
      requestMethod: 'PATCH',
      requestPath: spec.requestPath,
      sendInitialRequest: () => Promise.resolve(accepted),
      sendPollRequest: () => Promise.reject(new Error('startWithoutPolling never polls; resume the token to poll')),
    },
    spec.resourceLocationConfig ? { resourceLocationConfig: spec.resourceLocationConfig } : {},
  );
  return poller.toString();
}

interface PollerLike {
  poll(): Promise<void>;
  getOperationState(): { status: string; error?: Error | undefined };
}

/** What ARM said about an operation that ended `Failed`, as core-lro reports it. */
export interface LroFailure {
  code?: string | undefined;
  message: string;
}

/**
 * core-lro rejects with a plain `Error` whose message is `The long-running operation has failed. <code>. <message>`
 * (the error object of the operation status ARM answered), and `Operation was canceled` for a cancelled one.
 * These are answers from ARM about the operation, not failures to reach ARM.
 */
const LRO_FAILED = /^The long-running operation has failed(?:\.\s*([^.\s]+)\.\s*([\s\S]*))?$/;
const LRO_CANCELLED = /^Operation was canceled$/;

export function lroFailureOf(error: unknown): LroFailure | undefined {
  if (!(error instanceof Error) || isRestErrorLike(error)) return undefined;
  const match = LRO_FAILED.exec(error.message.trim());
  if (!match) return undefined;
  const [, code, message] = match;
  return { code, message: message?.trim() || 'no reason given' };
}

/**
 * Resumes a serialized operation and polls it once. The generated SDKs' `beginX({ resumeFrom })` polls before it
 * returns, so an operation that ended `Failed` makes the resume itself reject: that is ARM's answer, a progress.
 */
export async function resumeAndPollOnce(resume: () => Promise<PollerLike>): Promise<ScaleProgress> {
  let poller: PollerLike;
  try {
    poller = await resume();
  } catch (error) {
    const ended = endedProgressOf(error);
    if (ended) return ended;
    throw error;
  }
  return pollOnce(poller);
}

function endedProgressOf(error: unknown): ScaleProgress | undefined {
  const failure = lroFailureOf(error);
  if (failure) return { status: 'failed', message: failedMessage(failure) };
  if (error instanceof Error && !isRestErrorLike(error) && LRO_CANCELLED.test(error.message.trim()))
    return { status: 'cancelled', message: 'ARM reports the update was cancelled' };
  return undefined;
}

function failedMessage(failure: LroFailure): string {
  return `ARM reports the update failed: ${failure.code ? `${failure.code}: ` : ''}${failure.message}`;
}

function isRestErrorLike(error: Error): boolean {
  return error.name === 'RestError';
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
      return {
        status: 'failed',
        message: failedMessage(lroFailureOf(state.error) ?? { message: state.error?.message ?? 'no reason given' }),
      };
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
