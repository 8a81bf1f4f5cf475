import type { ChoiceRule } from '../../../src/asl/types.js';

export interface Row {
  rule: ChoiceRule;
  input: unknown;
  isMatch: boolean;
  context?: unknown;
}

export function rowName(row: Row): string {
  const ctx = row.context === undefined ? '' : ` ctx ${JSON.stringify(row.context)}`;
  return `${JSON.stringify(row.rule)} on ${JSON.stringify(row.input)}${ctx} -> ${row.isMatch}`;
}
