import type { Operator } from '../config/schema/schema.js';

export function compare(value: number, operator: Operator, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThan':
      return value > threshold;
    case 'GreaterThanOrEqual':
      return value >= threshold;
    case 'LessThan':
      return value < threshold;
    case 'LessThanOrEqual':
      return value <= threshold;
    case 'Equals':
      return value === threshold;
    case 'NotEquals':
      return value !== threshold;
  }
}

export const OPERATOR_SYMBOL: Record<Operator, string> = {
  GreaterThan: '>',
  GreaterThanOrEqual: '>=',
  LessThan: '<',
  LessThanOrEqual: '<=',
  Equals: '=',
  NotEquals: '!=',
};
