import type { InvocationContext } from '@azure/functions';
import { createLogger, type Logger } from '../shared/logging.js';

/** A Logger writing to the invocation's log, so Application Insights ties each line to its invocation. */
export function invocationLogger(context: InvocationContext): Logger {
  return createLogger(
    (level, message, fields) => {
      const write =
        level === 'error'
          ? context.error
          : level === 'warn'
            ? context.warn
            : level === 'debug'
              ? context.debug
              : context.info;
      write.call(context, message, fields);
    },
    { invocationId: context.invocationId },
  );
}
