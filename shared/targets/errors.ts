import { ScalerError, type ScalerErrorOptions } from '../vocabulary/errors.js';

/** ARM refused because another update of the same resource runs (HTTP 409). Not a failure: try later. */
export class OperationInProgressError extends ScalerError {
  constructor(message: string, options?: ScalerErrorOptions) {
    super('conflict', message, options);
  }
}
