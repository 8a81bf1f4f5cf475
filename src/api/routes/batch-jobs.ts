/*
 * /api/v1/jobs: submit, list, describe, cancel, terminate, progress (logs: batch-logs.ts).
 * `:id` is a job id or ARN; array children's ids hold a ':' (`PARENT:INDEX`), which may come
 * URL-encoded. Progress is the one route a job's own token may call, and only for that job.
 */
import type { FastifyInstance } from 'fastify';
import { nameFromArn } from '../../batch/resources.js';
import type { JobStatus, SubmitJobRequest } from '../../batch/types.js';
import type { Platform } from '../../engine/types.js';
import { ForbiddenError } from '../../errors.js';
import { errorResponse, objectSchema, page, pageQuery, unicodeName } from '../schemas.js';
import { attempts, batchOf, command, environmentList, evaluateOnExit, jobDetail, jobStatus, jobSummary, memory, requireBatch, stringMap, timeoutSeconds, unavailable, vcpus } from './batch-schemas.js';

const BASE = '/api/v1/jobs';
const tag = 'jobs';

const idParams = objectSchema({ id: { type: 'string', minLength: 1, maxLength: 2048, description: 'the job id or ARN; an array child is PARENT:INDEX' } }, ['id']);
const notFound = errorResponse('No such job');
const ref = { type: 'string', minLength: 1, maxLength: 2048 };

const submitBody = objectSchema(
  {
    jobName: unicodeName('job name: 1-128 letters or digits of any script, - or _, starting with a letter or digit', 128),
    jobQueue: { ...ref, description: 'queue name or ARN (default "default")' },
    jobDefinition: { ...ref, description: 'NAME, NAME:REVISION or an ARN; absent for an ad-hoc job with a command' },
    command,
    parameters: { ...stringMap, description: 'values for Ref::NAME placeholders in the command' },
    environment: environmentList,
    vcpus,
    memory,
    timeoutSeconds,
    attempts,
    evaluateOnExit,
    arraySize: { type: 'integer', minimum: 2, maximum: 10_000, description: 'run an array job of this many children' },
    dependsOn: {
      type: 'array',
      maxItems: 20,
      items: objectSchema({ jobId: { ...ref, description: 'a job id' }, type: { type: 'string', enum: ['N_TO_N', 'SEQUENTIAL'] } }, ['jobId']),
    },
    shareIdentifier: { type: 'string', minLength: 1, maxLength: 255, description: 'fair-share identifier' },
    schedulingPriority: { type: 'integer', minimum: 0, maximum: 9999 },
    image: { type: 'string', minLength: 1, maxLength: 1024 },
    clientToken: { type: 'string', minLength: 1, maxLength: 64, description: 'a second submit with this token returns the first job' },
  },
  ['jobName'],
);

const reasonBody = objectSchema({ reason: { type: 'string', minLength: 1, maxLength: 1024 } }, [], { type: ['object', 'null'] });

interface IdParams {
  id: string;
}

export function jobRoutes(app: FastifyInstance, platform: Platform): void {
  const onRequest = requireBatch(platform);
  const jobs = () => batchOf(platform).jobs;

  app.post<{ Body: SubmitJobRequest }>(
    BASE,
    {
      onRequest,
      config: { doc: { operationId: 'submitJob', summary: 'Submit a job', description: 'With `command` and no `jobDefinition`, an ad-hoc job: a single string runs with /bin/sh -c.', tag } },
      schema: { body: submitBody, response: { 201: { ...jobDetail, description: 'Submitted' }, 404: errorResponse('No such job queue or job definition'), 503: unavailable } },
    },
    async (request, reply) => {
      void reply.code(201);
      return jobs().submit(request.body);
    },
  );

  app.get<{ Querystring: { queue?: string; status?: JobStatus; arrayJobId?: string; limit?: number; nextToken?: string } }>(
    BASE,
    {
      onRequest,
      config: { doc: { operationId: 'listJobs', summary: 'List jobs, newest first; array children only with arrayJobId', tag } },
      schema: {
        querystring: objectSchema({ queue: { ...ref, description: 'only this queue' }, status: { ...jobStatus, description: 'only this status' }, arrayJobId: { ...ref, description: 'the children of this array job' }, ...pageQuery }),
        response: { 200: page(jobSummary, 'a page of jobs'), 503: unavailable },
      },
    },
    async (request) => {
      const { queue, status, arrayJobId, limit, nextToken } = request.query;
      return jobs().list({
        ...(queue === undefined ? {} : { queue }),
        ...(status === undefined ? {} : { status }),
        ...(arrayJobId === undefined ? {} : { arrayJobId: nameFromArn(arrayJobId) }),
        ...(limit === undefined ? {} : { limit }),
        ...(nextToken === undefined ? {} : { nextToken }),
      });
    },
  );

  app.get<{ Params: IdParams }>(
    `${BASE}/:id`,
    { onRequest, config: { doc: { operationId: 'describeJob', summary: 'Describe a job', tag } }, schema: { params: idParams, response: { 200: jobDetail, 404: notFound, 503: unavailable } } },
    async (request) => jobs().describe(request.params.id),
  );

  app.post<{ Params: IdParams; Body: { reason?: string } | null | undefined }>(
    `${BASE}/:id/cancel`,
    {
      onRequest,
      config: { doc: { operationId: 'cancelJob', summary: 'Cancel a job that has not started (with its dependents); of an array job, its waiting children', tag } },
      schema: { params: idParams, body: reasonBody, response: { 200: jobDetail, 404: notFound, 409: errorResponse('The job is running: terminate it instead'), 503: unavailable } },
    },
    async (request) => jobs().cancel(request.params.id, request.body?.reason ?? 'Cancelled by user'),
  );

  app.post<{ Params: IdParams; Body: { reason?: string } | null | undefined }>(
    `${BASE}/:id/terminate`,
    {
      onRequest,
      config: { doc: { operationId: 'terminateJob', summary: 'Terminate a job: kill it if running, cancel it if not yet started', tag } },
      schema: { params: idParams, body: reasonBody, response: { 200: jobDetail, 404: notFound, 503: unavailable } },
    },
    async (request) => jobs().terminate(request.params.id, request.body?.reason ?? 'Terminated by user'),
  );

  app.post<{ Params: IdParams; Body: { percent: number; message?: string } }>(
    `${BASE}/:id/progress`,
    {
      onRequest,
      config: { access: 'job', doc: { operationId: 'reportJobProgress', summary: "Report a running job's progress; a job token may report only for its own job", tag } },
      schema: {
        params: idParams,
        body: objectSchema({ percent: { type: 'number', minimum: 0, maximum: 100 }, message: { type: 'string', maxLength: 1024 } }, ['percent']),
        response: { 200: jobDetail, 404: notFound, 409: errorResponse('The job is not running'), 503: unavailable },
      },
    },
    async (request) => {
      const jobId = nameFromArn(request.params.id);
      const scope = request.tokenScope;
      // A job's token proves which job is calling; it must not move another job's progress.
      if (scope?.kind === 'job' && scope.jobId !== jobId) throw new ForbiddenError(`this job token belongs to job ${scope.jobId}, not ${jobId}`);
      const { percent, message } = request.body;
      return jobs().progress(jobId, percent, message);
    },
  );
}
