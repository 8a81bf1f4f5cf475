/*
 * /api/v1/executions: start (idempotent by name), list, describe, history, stop, redrive.
 * `:id` is the short id or the execution ARN (URL-encoded).
 */
import type { FastifyInstance } from 'fastify';
import type { Json } from '../../asl/types.js';
import type { ExecutionStatus, Platform } from '../../engine/types.js';
import { errorResponse, executionInfo, executionStatus, executionSummary, historyEvent, objectSchema, page, pageQuery, unicodeName } from '../schemas.js';

const BASE = '/api/v1/executions';
const tag = 'executions';

/** Step Functions' limit on an execution's input, as UTF-8 JSON text; documented here, enforced by the platform. */
const MAX_INPUT_BYTES = 256 * 1024;

const idParams = objectSchema({ id: { type: 'string', minLength: 1, maxLength: 2048, description: 'the execution id or ARN' } }, ['id']);
const notFound = errorResponse('No execution with this id or ARN');

interface IdParams {
  id: string;
}

export function executionRoutes(app: FastifyInstance, platform: Platform): void {
  const executions = platform.executions;

  app.post<{ Body: { stateMachine: string; name?: string; input?: Json } }>(
    BASE,
    {
      config: {
        doc: {
          operationId: 'startExecution',
          summary: 'Start an execution',
          description: 'Idempotent by name: starting a name that exists returns that execution with 200 instead of 201.',
          tag,
        },
      },
      schema: {
        body: objectSchema(
          {
            stateMachine: { type: 'string', minLength: 1, maxLength: 2048, description: 'the state machine name or ARN' },
            name: unicodeName('execution name, unique per state machine; generated when absent'),
            input: { description: `the execution input, any JSON value up to ${MAX_INPUT_BYTES} bytes serialized` },
          },
          ['stateMachine'],
        ),
        response: {
          200: { ...executionInfo, description: 'An execution with this name already existed' },
          201: { ...executionInfo, description: 'Started' },
          404: errorResponse('No such state machine'),
          413: errorResponse(`The input is larger than ${MAX_INPUT_BYTES} bytes`),
        },
      },
    },
    async (request, reply) => {
      // The platform enforces the input limit (413), whoever calls it.
      const { stateMachine, name, input } = request.body;
      const { execution, created } = await executions.start({
        stateMachine,
        ...(name !== undefined ? { name } : {}),
        ...(input !== undefined ? { input } : {}),
      });
      void reply.code(created ? 201 : 200);
      return execution;
    },
  );

  app.get<{ Querystring: { stateMachine?: string; status?: ExecutionStatus; limit?: number; nextToken?: string } }>(
    BASE,
    {
      config: { doc: { operationId: 'listExecutions', summary: 'List executions, newest first', tag } },
      schema: {
        querystring: objectSchema({
          stateMachine: { type: 'string', minLength: 1, maxLength: 2048, description: 'only this state machine (name or ARN)' },
          status: { ...executionStatus, description: 'only executions in this status' },
          ...pageQuery,
        }),
        response: { 200: page(executionSummary, 'a page of executions') },
      },
    },
    async (request) => executions.list(request.query),
  );

  app.get<{ Params: IdParams }>(
    `${BASE}/:id`,
    {
      config: { doc: { operationId: 'describeExecution', summary: 'Describe an execution', tag } },
      schema: { params: idParams, response: { 200: executionInfo, 404: notFound } },
    },
    async (request) => executions.describe(request.params.id),
  );

  app.get<{ Params: IdParams; Querystring: { limit?: number; nextToken?: string; reverse?: boolean } }>(
    `${BASE}/:id/history`,
    {
      config: { doc: { operationId: 'getExecutionHistory', summary: 'The history events of an execution', tag } },
      schema: {
        params: idParams,
        querystring: objectSchema({ ...pageQuery, reverse: { type: 'boolean', description: 'newest event first' } }),
        response: { 200: page(historyEvent, 'a page of history events'), 404: notFound },
      },
    },
    async (request) => executions.history(request.params.id, request.query),
  );

  app.post<{ Params: IdParams; Body: { error?: string; cause?: string } | null | undefined }>(
    `${BASE}/:id/stop`,
    {
      config: { doc: { operationId: 'stopExecution', summary: 'Stop a running execution', tag } },
      schema: {
        params: idParams,
        body: objectSchema(
          { error: { type: 'string', maxLength: 256, description: 'error name recorded' }, cause: { type: 'string', maxLength: 32768, description: 'cause recorded' } },
          [],
          { type: ['object', 'null'] },
        ),
        response: { 200: executionInfo, 404: notFound, 409: errorResponse('The execution is not RUNNING') },
      },
    },
    async (request) => {
      const { error, cause } = request.body ?? {};
      return executions.stop(request.params.id, { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
    },
  );

  app.post<{ Params: IdParams }>(
    `${BASE}/:id/redrive`,
    {
      config: { doc: { operationId: 'redriveExecution', summary: 'Restart a failed, timed out or aborted execution from the state that failed', tag } },
      schema: { params: idParams, response: { 200: executionInfo, 404: notFound, 409: errorResponse('The execution is not FAILED, TIMED_OUT or ABORTED') } },
    },
    async (request) => executions.redrive(request.params.id),
  );
}
