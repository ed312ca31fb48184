import type { IncomingHttpHeaders } from 'node:http';

/** One parsed HTTP request as the route handlers see it. */
export interface EmulatorRequest {
  method: string;
  /** Absolute URL of the request, on the emulator's own origin. */
  url: URL;
  /** Decoded path, without the query. */
  path: string;
  /** Query parameters with decoded keys: the metrics SDK sends `api%2Dversion`, which is `api-version`. */
  query: URLSearchParams;
  apiVersion: string | undefined;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when the request had none. */
  body: unknown;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON; omitted entirely when undefined. */
  body?: unknown;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, body, headers };
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a nested object property, `undefined` when any step is missing or not an object. */
export function recordAt(value: unknown, ...path: string[]): Record<string, unknown> | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return isRecord(current) ? current : undefined;
}
