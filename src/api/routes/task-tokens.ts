/*
 * /api/v1/task-tokens: SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat for tasks that
 * wait for a task token (`.waitForTaskToken`). Job tokens may call them: the job a task
 * started is usually what reports back. An unknown or finished token is a 404 whose message
 * starts as Step Functions' errors do ("Task Timed Out", "Invalid Token").
 */
import type { FastifyInstance } from 'fastify';
import type { Json } from '../../asl/types.js';
import type { Platform } from '../../engine/types.js';
import { MAX_CAUSE_LENGTH, MAX_ERROR_LENGTH, MAX_OUTPUT_BYTES, MAX_TOKEN_LENGTH } from '../../integrations/task-tokens.js';
import { errorResponse, objectSchema } from '../schemas.js';

const BASE = '/api/v1/task-tokens';
const tag = 'task-tokens';

const taskToken = { type: 'string', minLength: 1, maxLength: MAX_TOKEN_LENGTH, description: 'the token the task received as $$.Task.Token' };
const answered = { type: 'null', description: 'Delivered to the execution' };
const notFound = errorResponse('The token is unknown ("Invalid Token") or its task is over ("Task Timed Out")');

export function taskTokenRoutes(app: FastifyInstance, platform: Platform): void {
  const tokens = platform.taskTokens;

  app.post<{ Body: { taskToken: string; output: Json } }>(
    `${BASE}/success`,
    {
      config: { access: 'job', doc: { operationId: 'sendTaskSuccess', summary: 'Complete a waiting task with its output', tag } },
      schema: {
        body: objectSchema({ taskToken, output: { description: `the task's output, any JSON value up to ${MAX_OUTPUT_BYTES} bytes serialized` } }, ['taskToken', 'output']),
        response: { 204: answered, 404: notFound, 413: errorResponse(`The output is larger than ${MAX_OUTPUT_BYTES} bytes`) },
      },
    },
    async (request, reply) => {
      await tokens.success(request.body.taskToken, request.body.output);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: { taskToken: string; error?: string; cause?: string } }>(
    `${BASE}/failure`,
    {
      config: { access: 'job', doc: { operationId: 'sendTaskFailure', summary: 'Fail a waiting task with an error and cause', tag } },
      schema: {
        body: objectSchema(
          {
            taskToken,
            error: { type: 'string', maxLength: MAX_ERROR_LENGTH, description: 'the error name Retry and Catch match' },
            cause: { type: 'string', maxLength: MAX_CAUSE_LENGTH, description: 'a readable explanation' },
          },
          ['taskToken'],
        ),
        response: { 204: answered, 404: notFound },
      },
    },
    async (request, reply) => {
      const { taskToken: token, error, cause } = request.body;
      await tokens.failure(token, { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
      return reply.code(204).send();
    },
  );

  app.post<{ Body: { taskToken: string } }>(
    `${BASE}/heartbeat`,
    {
      config: { access: 'job', doc: { operationId: 'sendTaskHeartbeat', summary: 'Report that a waiting task is alive (restarts its HeartbeatSeconds)', tag } },
      schema: { body: objectSchema({ taskToken }, ['taskToken']), response: { 204: answered, 404: notFound } },
    },
    async (request, reply) => {
      await tokens.heartbeat(request.body.taskToken);
      return reply.code(204).send();
    },
  );
}
