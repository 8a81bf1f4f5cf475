/*
 * /api/v1/state-machines: create, list, describe, update (a new revision), delete.
 * A definition given as text is passed on as it is: the platform parses it (JSON or YAML)
 * and validates it, so the CLI and the API report the same problems.
 */
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../engine/types.js';
import {
  errorResponse,
  objectSchema,
  page,
  pageQuery,
  unicodeName,
  revisionList,
  stateMachineInfo,
  stateMachineSummary,
  type Schema,
} from '../schemas.js';

const BASE = '/api/v1/state-machines';
const tag = 'state-machines';

const definition: Schema = {
  type: ['object', 'string'],
  description: 'the ASL definition: a JSON object, or a string holding JSON or YAML',
};
const nameParams = objectSchema({ name: unicodeName('the state machine name') }, ['name']);
const notFound = errorResponse('No state machine with this name (or revision)');

interface NameParams {
  name: string;
}

export function stateMachineRoutes(app: FastifyInstance, platform: Platform): void {
  const machines = platform.stateMachines;

  app.post<{ Body: { name: string; definition: object | string; roleArn?: string } }>(
    BASE,
    {
      config: { doc: { operationId: 'createStateMachine', summary: 'Create a state machine', tag } },
      schema: {
        body: objectSchema(
          {
            name: unicodeName('1-80 letters or digits of any script, - or _, unique on this server'),
            definition,
            roleArn: { type: 'string', minLength: 1, maxLength: 256, description: 'kept for AWS compatibility' },
          },
          ['name', 'definition'],
        ),
        response: { 201: stateMachineInfo, 409: errorResponse('A state machine with this name exists') },
      },
    },
    async (request, reply) => {
      const { name, roleArn } = request.body;
      const info = await machines.create({ name, definition: request.body.definition, ...(roleArn !== undefined ? { roleArn } : {}) });
      void reply.code(201);
      return info;
    },
  );

  app.get<{ Querystring: { limit?: number; nextToken?: string } }>(
    BASE,
    {
      config: { doc: { operationId: 'listStateMachines', summary: 'List state machines', tag } },
      schema: { querystring: objectSchema(pageQuery), response: { 200: page(stateMachineSummary, 'a page of state machines') } },
    },
    async (request) => machines.list(request.query),
  );

  app.get<{ Params: NameParams; Querystring: { revision?: number } }>(
    `${BASE}/:name`,
    {
      config: { doc: { operationId: 'describeStateMachine', summary: 'Describe a state machine, by default its latest revision', tag } },
      schema: {
        params: nameParams,
        querystring: objectSchema({ revision: { type: 'integer', minimum: 1, description: 'a past revision' } }),
        response: { 200: stateMachineInfo, 404: notFound },
      },
    },
    async (request) => machines.describe(request.params.name, request.query.revision),
  );

  app.put<{ Params: NameParams; Body: { definition: object | string } }>(
    `${BASE}/:name`,
    {
      config: { doc: { operationId: 'updateStateMachine', summary: 'Update the definition (adds a revision; running executions keep theirs)', tag } },
      schema: { params: nameParams, body: objectSchema({ definition }, ['definition']), response: { 200: stateMachineInfo, 404: notFound } },
    },
    async (request) => machines.update(request.params.name, { definition: request.body.definition }),
  );

  app.delete<{ Params: NameParams }>(
    `${BASE}/:name`,
    {
      config: { doc: { operationId: 'deleteStateMachine', summary: 'Delete a state machine', tag } },
      schema: { params: nameParams, response: { 204: { type: 'null', description: 'Deleted' }, 404: notFound } },
    },
    async (request, reply) => {
      await machines.delete(request.params.name);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: NameParams }>(
    `${BASE}/:name/revisions`,
    {
      config: { doc: { operationId: 'listStateMachineRevisions', summary: 'List the revisions of a state machine', tag } },
      schema: { params: nameParams, response: { 200: revisionList, 404: notFound } },
    },
    async (request) => ({ items: await machines.revisions(request.params.name) }),
  );
}
