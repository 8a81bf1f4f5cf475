export { evaluateChoiceRule, selectChoice } from './evaluate.js';
export { COMPARISON_OPERATORS, getOperator, operandKind } from './operators.js';
export type { ComparisonOperator, OperandKind, ValueKind } from './operators.js';
export { isTimestamp, parseTimestamp, parseTimestampNanos } from './timestamp.js';
export { isValidWildcardPattern, wildcardMatch, WildcardPatternError } from './wildcard.js';
