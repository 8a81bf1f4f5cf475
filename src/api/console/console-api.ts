/*
 * Routes the console needs beyond the REST API's resources: the overview's numbers and the
 * jobs an execution submitted.
 */
import type { FastifyInstance } from 'fastify';
import { FINAL_STATUSES, type JobDetail } from '../../batch/types.js';
import type { Platform } from '../../engine/types.js';
import { objectSchema } from '../schemas.js';

const tag = 'console';
const MAX_JOBS_OF_EXECUTION = 500;

export function consoleApiRoutes(app: FastifyInstance, platform: Platform): void {
  const queries = platform.console;
  if (!queries) return;

  app.get('/api/v1/overview', {
    config: { doc: { operationId: 'getOverview', summary: 'Counts for the console overview: executions and jobs by status, queue depth, busy vCPUs, recent failures, throughput', tag } },
  }, async () => {
    const counts = await queries.overview(new Date());
    const batch = platform.batch;
    const [queues, environments, failedExecutions, failedJobs] = await Promise.all([
      batch ? batch.resources.queues.list() : [],
      batch ? batch.resources.computeEnvironments.list() : [],
      platform.executions.list({ status: 'FAILED', limit: 5 }),
      batch ? batch.jobs.list({ status: 'FAILED', limit: 5 }) : { items: [] },
    ]);
    // Which environment runs a queue's job is the scheduler's choice at that moment; the queue's
    // first environment is where it goes unless that one is full (the scheduler's own estimate).
    const busy = new Map<string, number>(environments.map((ce) => [ce.computeEnvironmentName, 0]));
    for (const { queue, vcpus } of counts.busyVcpus) {
      const ce = queues.find((q) => q.jobQueueName === queue)?.computeEnvironmentOrder[0]?.computeEnvironment ?? queue;
      busy.set(ce, (busy.get(ce) ?? 0) + vcpus);
    }
    return {
      executions: counts.executions,
      jobs: counts.jobs,
      queues: queues.map((q) => ({ name: q.jobQueueName, state: q.state, depth: Object.fromEntries(counts.queues.filter((r) => r.queue === q.jobQueueName).map((r) => [r.status, r.count])) })),
      computeEnvironments: environments.map((ce) => ({ name: ce.computeEnvironmentName, maxVcpus: ce.maxVcpus, busyVcpus: busy.get(ce.computeEnvironmentName) ?? 0, state: ce.state })),
      recentFailures: { executions: failedExecutions.items, jobs: failedJobs.items },
      throughput: counts.throughput,
    };
  });

  app.get<{ Params: { id: string }; Querystring: { limit?: number } }>('/api/v1/executions/:id/jobs', {
    config: { doc: { operationId: 'listExecutionJobs', summary: 'The batch jobs an execution submitted, newest first', tag } },
    schema: {
      params: objectSchema({ id: { type: 'string', minLength: 1, maxLength: 2048 } }, ['id']),
      querystring: objectSchema({ limit: { type: 'integer', minimum: 1, maximum: MAX_JOBS_OF_EXECUTION, description: `at most this many (default and most: ${MAX_JOBS_OF_EXECUTION})` } }),
    },
  }, async (request) => {
    const execution = await platform.executions.describe(request.params.id);
    const batch = platform.batch;
    if (!batch) return { items: [] };
    const ids = await queries.jobsOfExecution(execution.id, request.query.limit ?? MAX_JOBS_OF_EXECUTION);
    const items = await Promise.all(ids.map((id) => batch.jobs.describe(id)));
    return { items: items.map(summary) };
  });
}

function summary(job: JobDetail) {
  return {
    jobId: job.jobId,
    jobName: job.jobName,
    jobQueue: job.jobQueue,
    status: job.status,
    ended: FINAL_STATUSES.includes(job.status),
    createdAt: job.createdAt,
    ...(job.arrayProperties ? { arrayProperties: job.arrayProperties } : {}),
    ...(job.progress ? { progress: job.progress } : {}),
  };
}
