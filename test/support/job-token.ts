/*
 * A job token for tests that need one: job tokens end with their job, so it belongs to a real
 * job that stays RUNNABLE for good, in a queue of its own that is disabled (nothing starts it).
 */
import type { Platform } from '../../src/engine/types.js';

export const HELD_QUEUE = 'held-for-tokens';

/** The token and the id of a job that never starts and never ends. */
export async function heldJobToken(platform: Platform): Promise<{ token: string; jobId: string }> {
  const batch = platform.batch;
  if (!batch) throw new Error('this platform runs no batch service');
  if ((await batch.resources.queues.list()).every((queue) => queue.jobQueueName !== HELD_QUEUE)) {
    await batch.resources.queues.create({ name: HELD_QUEUE, state: 'DISABLED', computeEnvironments: ['local'] });
  }
  const job = await batch.jobs.submit({ jobName: 'holds-a-token', jobQueue: HELD_QUEUE, command: 'true', memory: 16 });
  return { token: await platform.tokens.issue({ kind: 'job', jobId: job.jobId }), jobId: job.jobId };
}
