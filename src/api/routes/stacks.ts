/*
 * /api/v1/stacks: plan, apply and destroy stacks, and /api/v1/forms: the submission forms they
 * declare. A stack arrives as the parsed file with every file it names inlined by the client
 * (src/stack/types.ts), so apply works against a remote server. An invalid stack is a 400
 * whose details.problems lists every problem; nothing is changed then.
 */
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../engine/types.js';
import { errorResponse, objectSchema, resourceName, type Schema } from '../schemas.js';

const tag = 'stacks';
const openObject: Schema = { type: 'object', additionalProperties: true };
const stackParams = objectSchema({ name: resourceName('the stack name: 1-128 letters, digits, - or _') }, ['name']);
const formParams = objectSchema({ name: { type: 'string', minLength: 1, maxLength: 128 } }, ['name']);
const stackBody = objectSchema({ stack: { type: 'object', description: 'the stack file, parsed, with the files it names inlined' } }, ['stack']);
const invalid = errorResponse('The stack is invalid: details.problems lists every problem');

export function stackRoutes(app: FastifyInstance, platform: Platform): void {
  const stacks = platform.stacks;
  const forms = platform.forms;
  if (!stacks || !forms) return;

  app.get('/api/v1/stacks', {
    config: { doc: { operationId: 'listStacks', summary: 'List stacks with how many resources each manages', tag } },
    schema: { response: { 200: objectSchema({ items: { type: 'array', items: openObject } }, ['items']) } },
  }, async () => ({ items: await stacks.list() }));

  app.get<{ Params: { name: string } }>('/api/v1/stacks/:name', {
    config: { doc: { operationId: 'describeStack', summary: 'The resources a stack manages', tag } },
    schema: { params: stackParams, response: { 200: openObject } },
  }, async (request) => stacks.describe(request.params.name));

  app.post<{ Params: { name: string }; Body: { stack: unknown } }>('/api/v1/stacks/:name/plan', {
    config: { doc: { operationId: 'planStack', summary: 'Validate a stack and say what applying it would create, update and delete', tag } },
    schema: { params: stackParams, body: stackBody, response: { 200: openObject, 400: invalid } },
  }, async (request) => stacks.plan(request.body.stack, request.params.name));

  app.post<{ Params: { name: string }; Body: { stack: unknown } }>('/api/v1/stacks/:name/apply', {
    config: { doc: { operationId: 'applyStack', summary: 'Apply a stack: the plan, then each change; `failed` lists changes that could not be made', tag } },
    schema: { params: stackParams, body: stackBody, response: { 200: openObject, 400: invalid } },
  }, async (request) => stacks.apply(request.body.stack, request.params.name));

  app.delete<{ Params: { name: string }; Querystring: { force?: boolean; dryRun?: boolean } }>('/api/v1/stacks/:name', {
    config: { doc: { operationId: 'destroyStack', summary: 'Delete everything a stack manages (buckets only when empty, unless force)', tag } },
    schema: { params: stackParams, querystring: objectSchema({ force: { type: 'boolean' }, dryRun: { type: 'boolean' } }), response: { 200: openObject } },
  }, async (request) => stacks.destroy(request.params.name, { force: request.query.force ?? false, dryRun: request.query.dryRun ?? false }));

  app.get('/api/v1/forms', {
    config: { doc: { operationId: 'listForms', summary: 'List submission forms', tag } },
    schema: { response: { 200: objectSchema({ items: { type: 'array', items: openObject } }, ['items']) } },
  }, async () => ({ items: await forms.list() }));

  app.get<{ Params: { name: string } }>('/api/v1/forms/:name', {
    config: { doc: { operationId: 'describeForm', summary: 'A form: its fields and the state machine it starts', tag } },
    schema: { params: formParams, response: { 200: openObject, 404: errorResponse('No such form') } },
  }, async (request) => forms.describe(request.params.name));

  app.post<{ Params: { name: string }; Body: { values: Record<string, unknown>; name?: string } }>('/api/v1/forms/:name/submit', {
    config: { doc: { operationId: 'submitForm', summary: "Check a form's values and start its state machine with the input they make", tag } },
    schema: {
      params: formParams,
      body: objectSchema({ values: { type: 'object', additionalProperties: true }, name: { type: 'string', minLength: 1, maxLength: 80, description: 'execution name (idempotent)' } }, ['values']),
      response: { 200: openObject, 201: openObject, 400: errorResponse('Invalid fields: details.fields maps each to its error'), 404: errorResponse('No such form') },
    },
  }, async (request, reply) => {
    const { execution, created, input } = await forms.submit(request.params.name, request.body.values, request.body.name);
    void reply.code(created ? 201 : 200);
    return { id: execution.id, executionArn: execution.executionArn, status: execution.status, stateMachine: execution.stateMachine, input };
  });
}
