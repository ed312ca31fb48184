/** Timer trigger: evaluate every configured target once. The use case is Scaler.evaluateAll in shared/. */
import type { InvocationContext, Timer } from '@azure/functions';
import type { Services } from './composition-root.js';
import { invocationLogger } from './logging.js';
import { ScalerError } from '../shared/vocabulary/errors.js';

export function evaluateTargetsHandler(services: () => Promise<Services>) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const { executor } = await services();
    const log = invocationLogger(context);
    const report = await executor.evaluateAll({ invocationId: context.invocationId, log });
    const failed = report.outcomes.filter((outcome) => outcome.error);
    const acted = report.outcomes.filter((outcome) => outcome.acted);
    log.log(
      failed.length > 0 ? 'warn' : 'info',
      `evaluated ${report.outcomes.length} target(s): ${acted.length} scaled, ${failed.length} failed`,
      {
        targets: report.outcomes.length,
        acted: acted.length,
        failed: failed.length,
      },
    );
    const [first] = failed;
    if (first?.error && failed.length === report.outcomes.length) {
      // Nothing could be evaluated (e.g. Table Storage is down): fail the invocation so it shows up as failed.
      throw new ScalerError(first.error.category, `no target could be evaluated; first error: ${first.error.message}`);
    }
  };
}
