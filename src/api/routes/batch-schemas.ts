/*
 * What the batch routes share: response and request schemas shaped as src/batch/types.ts,
 * and the guard that answers 503 when this server runs no batch service. The routes are
 * registered either way, so the OpenAPI document does not depend on how the server started.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BatchService } from '../../batch/service.js';
import type { Platform } from '../../engine/types.js';
import { errorResponse, type Schema } from '../schemas.js';

const text: Schema = { type: 'string' };
const integer: Schema = { type: 'integer' };
const number: Schema = { type: 'number' };
/** Epoch milliseconds, as AWS Batch reports times. */
const millis: Schema = { type: 'integer', description: 'epoch milliseconds' };
const anyObject: Schema = { type: 'object', additionalProperties: true };

export function open(properties: Record<string, Schema>, description: string, required = Object.keys(properties)): Schema {
  return { type: 'object', properties, required, additionalProperties: true, description };
}

export const jobStatus: Schema = { type: 'string', enum: ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'] };
const enabled: Schema = { type: 'string', enum: ['ENABLED', 'DISABLED'] };

/** Names as the batch service accepts them: 1-128 letters, digits, '-' or '_'. */
export function batchName(description: string): Schema {
  return { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$', description };
}

/** A name, NAME:REVISION or an ARN in a path; ARNs arrive URL-encoded. */
export function refParams(description: string): Schema {
  return { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 2048, description } }, required: ['name'], additionalProperties: false };
}

const nameValue: Schema = { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 1024 }, value: { type: 'string', maxLength: 32768 } }, required: ['name', 'value'], additionalProperties: false };
export const environmentList: Schema = { type: 'array', maxItems: 1000, items: nameValue, description: 'environment variables as [{name, value}]' };
export const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
export const command: Schema = { type: ['string', 'array'], minLength: 1, minItems: 1, items: { type: 'string' }, description: 'argv, or one string run by /bin/sh -c' };
export const evaluateOnExit: Schema = {
  type: 'array',
  maxItems: 5,
  items: {
    type: 'object',
    properties: { onExitCode: { type: 'string', maxLength: 512 }, onReason: { type: 'string', maxLength: 512 }, onStatusReason: { type: 'string', maxLength: 512 }, action: { type: 'string', enum: ['RETRY', 'EXIT'] } },
    required: ['action'],
    additionalProperties: false,
  },
};
export const attempts: Schema = { type: 'integer', minimum: 1, maximum: 10, description: 'attempts in all, 1-10' };
// Checked by the service (src/batch/resource-requirements.ts), which names the field and the rule.
export const vcpus: Schema = { type: 'number', description: 'vCPUs the job reserves: 0.25, 0.5 or a whole number of at least 1' };
export const memory: Schema = { type: 'number', description: 'MiB the job reserves: a whole number of at least 4' };
export const timeoutSeconds: Schema = { type: 'integer', minimum: 1, description: 'attempt timeout in seconds' };

export const computeEnvironment = open(
  { computeEnvironmentName: text, computeEnvironmentArn: text, executor: text, capacityType: text, state: enabled, maxVcpus: number, maxMemoryMiB: integer, createdAt: millis },
  'a compute environment',
);

export const jobQueue = open(
  {
    jobQueueName: text,
    jobQueueArn: text,
    priority: integer,
    state: enabled,
    computeEnvironmentOrder: { type: 'array', items: open({ order: integer, computeEnvironment: text }, 'a compute environment of the queue') },
    schedulingPolicy: { type: 'string', enum: ['FIFO', 'FAIR_SHARE'] },
    createdAt: millis,
  },
  'a job queue',
);

export const jobDefinition = open(
  { jobDefinitionName: text, jobDefinitionArn: text, revision: integer, status: { type: 'string', enum: ['ACTIVE', 'INACTIVE'] }, type: text, containerProperties: anyObject, parameters: anyObject, retryStrategy: anyObject, timeout: anyObject, createdAt: millis },
  'a job definition revision',
  ['jobDefinitionName', 'jobDefinitionArn', 'revision', 'status', 'containerProperties', 'createdAt'],
);

const summaryProps = { jobId: text, jobArn: text, jobName: text, jobQueue: text, status: jobStatus, statusReason: text, createdAt: millis, startedAt: millis, stoppedAt: millis, arrayProperties: anyObject, progress: anyObject };

export const jobSummary = open(summaryProps, 'a job', ['jobId', 'jobArn', 'jobName', 'jobQueue', 'status', 'createdAt']);

export const jobDetail = open(
  { ...summaryProps, jobDefinition: text, attempts: { type: 'array', items: anyObject }, dependsOn: { type: 'array', items: anyObject }, container: anyObject, retryStrategy: anyObject, statusHistory: { type: 'array', items: anyObject } },
  'a job, as AWS Batch DescribeJobs shows it, with its progress and status history',
  ['jobId', 'jobArn', 'jobName', 'jobQueue', 'jobDefinition', 'status', 'createdAt', 'attempts', 'container'],
);

export const deleted: Schema = { type: 'null', description: 'Deleted' };
export const unavailable = errorResponse('This server runs no batch scheduler');

/**
 * Route-level onRequest hook: runs after authentication and before validation, so a caller
 * learns that batch is off rather than what was wrong with the request.
 */
export function requireBatch(platform: Platform) {
  return async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (platform.batch) return undefined;
    return reply.code(503).type('application/json; charset=utf-8').send({ error: { code: 'Unavailable', message: 'this server runs no batch scheduler' } });
  };
}

/** The service behind a route guarded by requireBatch. */
export function batchOf(platform: Platform): BatchService {
  const batch = platform.batch;
  if (!batch) throw new Error('the batch service is missing behind requireBatch');
  return batch;
}
