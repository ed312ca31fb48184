/** Daily timer trigger: removes ledger decisions and alert receipts older than their retention. */
import type { InvocationContext, Timer } from '@azure/functions';
import type { Services } from './composition-root.js';
import { invocationLogger } from './logging.js';

export function purgeHistoryHandler(services: () => Promise<Services>) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const { administration, settings } = await services();
    const removed = await administration.purgeHistory(
      settings.SCALER_LEDGER_RETENTION_DAYS,
      settings.SCALER_ALERT_RECEIPT_RETENTION_DAYS,
    );
    invocationLogger(context).log(
      'info',
      `removed ${removed.decisions} decision(s) older than ${settings.SCALER_LEDGER_RETENTION_DAYS} days and ${removed.receipts} alert receipt(s) older than ${settings.SCALER_ALERT_RECEIPT_RETENTION_DAYS} days`,
      removed,
    );
  };
}
