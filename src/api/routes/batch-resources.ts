/*
 * /api/v1/compute-environments, /api/v1/job-queues and /api/v1/job-definitions.
 * `:name` is a name or an ARN (URL-encoded); a job definition's `:name` may be NAME:REVISION.
 * Registering a job definition always makes a new revision, as AWS Batch does.
 */
import type { FastifyInstance } from 'fastify';
import type { RegisterJobDefinition } from '../../batch/resources.js';
import type { Platform } from '../../engine/types.js';
import { errorResponse, objectSchema, type Schema } from '../schemas.js';
import {
  attempts,
  batchName,
  batchOf,
  command,
  computeEnvironment,
  deleted,
  environmentList,
  evaluateOnExit,
  jobDefinition,
  jobQueue,
  memory,
  refParams,
  requireBatch,
  stringMap,
  timeoutSeconds,
  unavailable,
  vcpus,
} from './batch-schemas.js';

const tag = 'batch';
const list = (item: Schema, description: string): Schema => ({ type: 'object', properties: { items: { type: 'array', items: item } }, required: ['items'], additionalProperties: true, description });
const state: Schema = { type: 'string', enum: ['ENABLED', 'DISABLED'] };

const ceFields: Record<string, Schema> = {
  executor: { type: 'string', enum: ['local', 'slurm'], description: 'which executor runs its jobs (default local)' },
  capacityType: { type: 'string', enum: ['ON_DEMAND', 'SPOT'] },
  state,
  maxVcpus: { type: 'integer', minimum: 1, description: 'default: the cores of this machine' },
  maxMemoryMiB: { type: 'integer', minimum: 1, description: 'default: 80% of the memory of this machine' },
};

const queueFields: Record<string, Schema> = {
  priority: { type: 'integer', minimum: 0, maximum: 1000, description: 'higher runs first (default 1)' },
  state,
  computeEnvironments: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 2048 }, description: 'in order of preference (default ["local"])' },
  schedulingPolicy: { type: 'string', enum: ['FIFO', 'FAIR_SHARE'] },
};

const definitionBody = objectSchema(
  {
    name: batchName('job definition name'),
    command,
    image: { type: 'string', minLength: 1, maxLength: 1024, description: 'container image (run with podman or docker)' },
    environment: { type: ['object', 'array'], additionalProperties: { type: 'string' }, maxItems: environmentList.maxItems, items: environmentList.items, description: '{NAME: value} or [{name, value}]' },
    vcpus,
    memory,
    parameters: { ...stringMap, description: 'defaults for Ref::NAME placeholders in the command' },
    retryStrategy: objectSchema({ attempts, evaluateOnExit }),
    timeoutSeconds,
  },
  ['name'],
);

const route = (operationId: string, summary: string) => ({ access: 'admin' as const, doc: { operationId, summary, tag } });

export function batchResourceRoutes(app: FastifyInstance, platform: Platform): void {
  const onRequest = requireBatch(platform);
  const batch = () => batchOf(platform).resources;

  crud(app, platform, {
    base: '/api/v1/compute-environments',
    noun: 'ComputeEnvironment',
    what: 'compute environment',
    fields: ceFields,
    item: computeEnvironment,
    service: () => batch().computeEnvironments,
  });

  crud(app, platform, {
    base: '/api/v1/job-queues',
    noun: 'JobQueue',
    what: 'job queue',
    fields: queueFields,
    item: jobQueue,
    service: () => batch().queues,
  });

  const DEFS = '/api/v1/job-definitions';
  const defNotFound = errorResponse('No such job definition or revision');
  app.post<{ Body: RegisterJobDefinition }>(
    DEFS,
    { onRequest, config: route('registerJobDefinition', 'Register a job definition: a new revision each time'), schema: { body: definitionBody, response: { 201: { ...jobDefinition, description: 'Registered' }, 503: unavailable } } },
    async (request, reply) => {
      void reply.code(201);
      return batch().definitions.register(request.body);
    },
  );
  app.get<{ Querystring: { name?: string; status?: 'ACTIVE' | 'INACTIVE' } }>(
    DEFS,
    {
      onRequest,
      config: route('listJobDefinitions', 'List job definition revisions, by name and revision'),
      schema: {
        querystring: objectSchema({ name: batchName('only revisions of this definition'), status: { type: 'string', enum: ['ACTIVE', 'INACTIVE'] } }),
        response: { 200: list(jobDefinition, 'every matching revision'), 503: unavailable },
      },
    },
    async (request) => ({ items: await batch().definitions.list(request.query) }),
  );
  const refs = refParams('NAME (the latest active revision), NAME:REVISION or an ARN');
  app.get<{ Params: { name: string } }>(
    `${DEFS}/:name`,
    { onRequest, config: route('describeJobDefinition', 'Describe a job definition revision'), schema: { params: refs, response: { 200: jobDefinition, 404: defNotFound, 503: unavailable } } },
    async (request) => batch().definitions.describe(request.params.name),
  );
  app.delete<{ Params: { name: string } }>(
    `${DEFS}/:name`,
    {
      onRequest,
      config: route('deregisterJobDefinition', 'Deregister a revision (NAME:REVISION) or every active revision (NAME): they become INACTIVE'),
      schema: { params: refs, response: { 204: { ...deleted, description: 'Deregistered' }, 404: defNotFound, 503: unavailable } },
    },
    async (request, reply) => {
      await batch().definitions.deregister(request.params.name);
      return reply.code(204).send();
    },
  );
}

interface Crud<T, C extends { name: string }> {
  create(request: C): Promise<T>;
  update(name: string, request: Omit<C, 'name'>): Promise<T>;
  describe(name: string): Promise<T>;
  list(): Promise<T[]>;
  delete(name: string): Promise<void>;
}

/** Compute environments and job queues have the same five routes. */
function crud<T, C extends { name: string }>(app: FastifyInstance, platform: Platform, spec: { base: string; noun: string; what: string; fields: Record<string, Schema>; item: Schema; service: () => Crud<T, C> }): void {
  const onRequest = requireBatch(platform);
  const { base, noun, what, item } = spec;
  const notFound = errorResponse(`No such ${what}`);
  const params = refParams(`the ${what} name or ARN`);
  app.post<{ Body: C }>(
    base,
    {
      onRequest,
      config: route(`create${noun}`, `Create a ${what}`),
      schema: { body: objectSchema({ name: batchName(`${what} name`), ...spec.fields }, ['name']), response: { 201: { ...item, description: 'Created' }, 409: errorResponse('The name is taken'), 503: unavailable } },
    },
    async (request, reply) => {
      void reply.code(201);
      return spec.service().create(request.body as C);
    },
  );
  app.get(
    base,
    { onRequest, config: route(`list${noun}s`, `List ${what}s`), schema: { response: { 200: list(item, `every ${what}`), 503: unavailable } } },
    async () => ({ items: await spec.service().list() }),
  );
  app.get<{ Params: { name: string } }>(
    `${base}/:name`,
    { onRequest, config: route(`describe${noun}`, `Describe a ${what}`), schema: { params, response: { 200: item, 404: notFound, 503: unavailable } } },
    async (request) => spec.service().describe(request.params.name),
  );
  app.put<{ Params: { name: string }; Body: Omit<C, 'name'> }>(
    `${base}/:name`,
    {
      onRequest,
      config: route(`update${noun}`, `Update a ${what}: the fields given change, the others stay`),
      schema: { params, body: objectSchema(spec.fields), response: { 200: item, 404: notFound, 503: unavailable } },
    },
    async (request) => spec.service().update(request.params.name, request.body as Omit<C, 'name'>),
  );
  app.delete<{ Params: { name: string } }>(
    `${base}/:name`,
    { onRequest, config: route(`delete${noun}`, `Delete a ${what}`), schema: { params, response: { 204: deleted, 404: notFound, 409: errorResponse('Still in use'), 503: unavailable } } },
    async (request, reply) => {
      await spec.service().delete(request.params.name);
      return reply.code(204).send();
    },
  );
}
