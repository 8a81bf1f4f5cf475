/*
 * JSON schemas shared by the routes. Fastify validates requests and serializes responses
 * with them, and openapi.ts publishes them, so the contract is written down once.
 */

import { NAME_PATTERN } from '../util/names.js';

export type Schema = { [key: string]: unknown };

const NAME_CHARS = '^[A-Za-z0-9_-]+$';

/** Words for the patterns used here: ajv would only print the regular expression. */
export const PATTERN_HINTS: Record<string, string> = {
  [NAME_CHARS]: "may contain only letters, digits, '-' and '_'",
  [NAME_PATTERN]: "may contain only letters or digits of any script, '-' and '_'",
};

/** Names of the ASCII kind: stacks, functions, aliases. */
export function resourceName(description: string): Schema {
  return { type: 'string', minLength: 1, maxLength: 80, pattern: NAME_CHARS, description };
}

/** State machine, execution and job names follow AWS: letters and digits of any script, '-' or '_' (src/util/names.ts). */
export function unicodeName(description: string, maxLength = 80): Schema {
  return { type: 'string', minLength: 1, maxLength, pattern: NAME_PATTERN, description };
}

/** Step Functions' own bound on page sizes. */
export const MAX_PAGE_SIZE = 1000;

export const pageQuery: Record<string, Schema> = {
  limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, description: `page size, 1-${MAX_PAGE_SIZE}` },
  nextToken: { type: 'string', minLength: 1, maxLength: 4096, description: 'the nextToken of the previous page' },
};

export function objectSchema(properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema {
  return { type: 'object', properties, required, additionalProperties: false, ...extra };
}

/** A response object that may grow fields without the serializer dropping them. */
function openObject(properties: Record<string, Schema>, required: string[], description: string): Schema {
  return { type: 'object', properties, required, additionalProperties: true, description };
}

export function page(item: Schema, description: string): Schema {
  return openObject({ items: { type: 'array', items: item }, nextToken: { type: 'string' } }, ['items'], description);
}

const timestamp: Schema = { type: 'string', format: 'date-time' };
const text: Schema = { type: 'string' };
const integer: Schema = { type: 'integer' };
const anyJson: Schema = { description: 'any JSON value' };

export const executionStatus: Schema = {
  type: 'string',
  enum: ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'],
};

const machineSummaryProps = { name: text, stateMachineArn: text, revision: integer, createdAt: timestamp, updatedAt: timestamp };

export const stateMachineSummary = openObject(machineSummaryProps, Object.keys(machineSummaryProps), 'a state machine');

export const stateMachineInfo = openObject(
  { ...machineSummaryProps, definition: { type: 'object', additionalProperties: true, description: 'the ASL definition' }, roleArn: text },
  [...Object.keys(machineSummaryProps), 'definition', 'roleArn'],
  'a state machine with its definition',
);

export const revisionList = openObject(
  { items: { type: 'array', items: openObject({ revision: integer, createdAt: timestamp }, ['revision', 'createdAt'], 'a revision') } },
  ['items'],
  'every revision of the state machine, oldest first',
);

const executionSummaryProps = {
  id: text,
  executionArn: text,
  name: text,
  stateMachine: text,
  status: executionStatus,
  startDate: timestamp,
  stopDate: timestamp,
};

export const executionSummary = openObject(
  executionSummaryProps,
  ['id', 'executionArn', 'name', 'stateMachine', 'status', 'startDate'],
  'an execution',
);

export const executionInfo = openObject(
  { ...executionSummaryProps, stateMachineArn: text, revision: integer, input: anyJson, output: anyJson, error: text, cause: text, redriveCount: integer },
  ['id', 'executionArn', 'name', 'stateMachine', 'stateMachineArn', 'revision', 'status', 'input', 'startDate', 'redriveCount'],
  'an execution with its input and, once it ended, its output or error',
);

export const historyEvent = openObject(
  { id: integer, previousEventId: integer, timestamp, type: text },
  ['id', 'previousEventId', 'timestamp', 'type'],
  'a Step Functions history event: its type and one *EventDetails field',
);

export const health = openObject(
  { status: { type: 'string', enum: ['ok'] }, store: { type: 'string', enum: ['sqlite', 'postgres'] }, version: text },
  ['status', 'store', 'version'],
  'the server is up',
);

export const errorBody = openObject(
  {
    error: openObject(
      { code: text, message: text, details: { description: 'more about the error, e.g. `problems` of an invalid definition' } },
      ['code', 'message'],
      'what went wrong',
    ),
  },
  ['error'],
  'an error',
);

/** A response documented as an error, described by `why`. */
export function errorResponse(why: string): Schema {
  return { ...errorBody, description: why };
}
