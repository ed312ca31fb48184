/**
 * Structured logging with the same keys everywhere (docs/contributing.md): target, resourceId, decisionId, operationId,
 * invocationId. Adapters map it onto their host (InvocationContext in functions/, the console in cli/).
 * Never pass secrets (tokens, keys, connection strings) in messages or fields.
 */
export interface LogFields {
  target?: string | undefined;
  resourceId?: string | undefined;
  decisionId?: string | undefined;
  operationId?: string | undefined;
  invocationId?: string | undefined;
  [key: string]: unknown;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (level: LogLevel, message: string, fields: LogFields) => void;

export function createLogger(sink: LogSink, base: LogFields = {}): Logger {
  return {
    log: (level, message, fields = {}) => sink(level, message, { ...base, ...fields }),
    child: (fields) => createLogger(sink, { ...base, ...fields }),
  };
}

export const silentLogger: Logger = createLogger(() => undefined);
