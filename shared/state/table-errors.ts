import { ProviderError, ScalerError, TransientError } from '../vocabulary/errors.js';
import type { RowKeys } from './entity-table.port.js';

/**
 * Turns whatever `@azure/data-tables` threw into one of the scaler's errors, with a message an operator can
 * act on. Messages name the endpoint (never a key, SAS token or connection string) and the table.
 */
export interface TableCallContext {
  /** Account URL without query string. */
  endpoint: string;
  table: string;
  operation: string;
  requestTimeoutMs: number;
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'REQUEST_SEND_ERROR',
]);

const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function translateTableError(error: unknown, context: TableCallContext): ScalerError {
  if (error instanceof ScalerError) return error;
  const facts = factsOf(error);
  const cause = new Error(facts.message);
  const details = {
    endpoint: context.endpoint,
    table: context.table,
    operation: context.operation,
    statusCode: facts.statusCode,
    code: facts.code,
  };
  const unreachableBecause = unreachableCause(facts, context);
  if (unreachableBecause !== undefined) {
    return new TransientError(
      `Table Storage unreachable at ${context.endpoint}: ${unreachableBecause}; nothing will scale until it answers, ` +
        'because leases and cooldowns cannot be enforced (check the endpoint, DNS and network rules of the storage account)',
      { cause, details },
    );
  }
  return answeredError(facts, context, { cause, details });
}

function answeredError(
  facts: ErrorFacts,
  context: TableCallContext,
  options: { cause: Error; details: Record<string, unknown> },
): ScalerError {
  const what = `Table Storage at ${context.endpoint} refused ${context.operation} on table ${context.table}`;
  const status = `${facts.statusCode ?? 'no status'}${facts.code === undefined ? '' : ` ${facts.code}`}`;
  if (facts.statusCode === 401) {
    return new ScalerError(
      'unauthorized',
      `${what}: ${status}; check the account key or the managed identity's token audience`,
      options,
    );
  }
  if (facts.statusCode === 403) {
    return new ScalerError(
      'forbidden',
      `${what}: ${status}; grant the Function App's identity the 'Storage Table Data Contributor' role on the storage account, or check its firewall`,
      options,
    );
  }
  if (facts.statusCode !== undefined && TRANSIENT_STATUSES.has(facts.statusCode)) {
    return new TransientError(
      `${what}: ${status} (${facts.message}); the service is busy or failing, retry later`,
      options,
    );
  }
  if (facts.statusCode === 400 || facts.statusCode === 413) {
    return new ScalerError(
      'internal',
      `${what}: ${status} (${facts.message}); the scaler wrote a row Table Storage cannot hold, report this as a bug`,
      options,
    );
  }
  if (facts.statusCode === undefined) {
    return new ScalerError(
      'internal',
      `Calling Table Storage at ${context.endpoint} for ${context.operation} failed: ${facts.message}`,
      options,
    );
  }
  return new ProviderError(`${what}: ${status} (${facts.message})`, options);
}

/** A write the service would refuse (too large, bad key): the same error whichever table implementation saw it. */
export function rejectedWriteError(table: string, keys: RowKeys, why: string): ScalerError {
  return new ScalerError(
    'internal',
    `Writing to table ${table} (PartitionKey '${keys.partitionKey}', RowKey '${keys.rowKey}') failed: ${why}; the scaler wrote a row Table Storage cannot hold, report this as a bug`,
    { details: { table, ...keys } },
  );
}

interface ErrorFacts {
  name: string;
  message: string;
  statusCode: number | undefined;
  code: string | undefined;
}

function factsOf(error: unknown): ErrorFacts {
  if (!(error instanceof Error))
    return { name: 'unknown', message: redact(String(error)), statusCode: undefined, code: undefined };
  const statusCode: unknown = Reflect.get(error, 'statusCode');
  const code: unknown = Reflect.get(error, 'code');
  return {
    name: error.name,
    message: redact(error.message),
    statusCode: typeof statusCode === 'number' ? statusCode : undefined,
    code: typeof code === 'string' ? code : undefined,
  };
}

function unreachableCause(facts: ErrorFacts, context: TableCallContext): string | undefined {
  if (facts.name === 'AbortError' || facts.name === 'TimeoutError')
    return `no answer within ${context.requestTimeoutMs} ms`;
  if (facts.code !== undefined && NETWORK_ERROR_CODES.has(facts.code)) return facts.message;
  if (facts.name === 'RestError' && facts.statusCode === undefined) return facts.message;
  return undefined;
}

const MAX_CAUSE_CHARS = 300;

/** Removes anything that could be a credential: keys in connection strings, SAS signatures, URL query strings. */
export function redact(text: string): string {
  return text
    .replace(/(AccountKey|SharedAccessSignature|SharedAccessKey)=[^;\s]*/gi, '$1=<redacted>')
    .replace(/(https?:\/\/[^\s'"?]*)\?[^\s'"]*/gi, '$1')
    .replace(/\bsig=[^&\s'"]*/gi, 'sig=<redacted>')
    .slice(0, MAX_CAUSE_CHARS);
}

/** The account URL without query string or credentials, for messages. */
export function displayEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/$/, '')}`;
  } catch {
    return '<invalid table endpoint>';
  }
}
