/** What an HTTP endpoint answers, independent of the Functions runtime; functions/http turns it into a response. */
export interface ApiResponse {
  status: number;
  /** Serialized as JSON. */
  body: unknown;
  headers?: Record<string, string>;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, body, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } };
}
