/*
 * What an object event does, decided by its target ARN's service (see NotificationRule in
 * src/storage/types.ts). Every target is made idempotent by the outbox row id, so a row
 * delivered twice (its server died after the target acted but before the row was marked)
 * acts once:
 *   arn:aws:states:R:A:stateMachine:NAME          starts an execution named `s3-event-<id>` with the
 *                                                 S3 event message as input (a second start finds it)
 *   arn:aws:batch:R:A:job-definition/NAME[:REV]   submits a job `s3-event-<id>` to `?queue=QUEUE`
 *     [?queue=QUEUE]                              (default "default") with clientToken `s3-event-<id>`;
 *                                                 the message is in the job's environment variable
 *                                                 SKYBATCH_S3_EVENT and its parameter `s3Event`
 *   arn:aws:lambda:R:A:function:NAME[:QUALIFIER]  invokes the function with the message as the event
 *                                                 (at least once: functions are not deduplicated)
 *   arn:aws:sns:R:A:NAME                          publishes the message (subject "Amazon S3 Notification")
 *                                                 with dedup key `s3-event-<id>`
 * The result is what the target made: an execution ARN, a job id, a request id, a MessageId.
 */
import type { Json } from '../asl/types.js';
import type { BatchService } from '../batch/service.js';
import type { Executions } from '../engine/types.js';
import type { FunctionsService } from '../functions/types.js';
import type { NotificationsService } from '../notify/types.js';

export interface TargetDeps {
  executions: Executions;
  batch?: Pick<BatchService, 'jobs'>;
  functions?: Pick<FunctionsService, 'invoke'>;
  notifications?: Pick<NotificationsService, 'publish'>;
}

export type Target =
  | { kind: 'stateMachine'; name: string }
  | { kind: 'jobDefinition'; definition: string; queue: string }
  | { kind: 'function'; arn: string }
  | { kind: 'topic'; name: string };

// State machine names take letters and digits of any script (src/util/names.ts).
const STATE_MACHINE = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:stateMachine:([\p{L}\p{N}_-]+)$/u;
const JOB_DEFINITION = /^arn:aws[a-z-]*:batch:[^:]*:[^:]*:job-definition\/([A-Za-z0-9_-]+(?::\d+)?)(?:\?queue=([A-Za-z0-9_-]+))?$/;
const FUNCTION = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?$/;
const TOPIC = /^arn:aws[a-z-]*:sns:[^:]*:[^:]*:([A-Za-z0-9_-]+)$/;

/** The target of an ARN, or undefined when no service here handles it. */
export function parseTarget(arn: string): Target | undefined {
  let m = STATE_MACHINE.exec(arn);
  if (m) return { kind: 'stateMachine', name: m[1]! };
  m = JOB_DEFINITION.exec(arn);
  if (m) return { kind: 'jobDefinition', definition: m[1]!, queue: m[2] ?? 'default' };
  if (FUNCTION.test(arn)) return { kind: 'function', arn };
  m = TOPIC.exec(arn);
  if (m) return { kind: 'topic', name: m[1]! };
  return undefined;
}

export class TargetError extends Error {}

/** Acts on one outbox row's event; returns the result to record, throws to retry. */
export async function deliverToTarget(deps: TargetDeps, row: { id: number; target_arn: string; message: string }, signal?: AbortSignal): Promise<string> {
  const target = parseTarget(row.target_arn);
  if (!target) throw new TargetError(`no service here handles target "${row.target_arn}": expected a state machine, job definition, function or topic ARN`);
  const key = `s3-event-${row.id}`;
  const event = JSON.parse(row.message) as Json;
  switch (target.kind) {
    case 'stateMachine': {
      const { execution } = await deps.executions.start({ stateMachine: target.name, name: key, input: event });
      return execution.executionArn;
    }
    case 'jobDefinition': {
      if (!deps.batch) throw new TargetError('this server runs no batch scheduler');
      const job = await deps.batch.jobs.submit({
        jobName: key,
        jobDefinition: target.definition,
        jobQueue: target.queue,
        clientToken: key,
        environment: [{ name: 'SKYBATCH_S3_EVENT', value: row.message }],
        parameters: { s3Event: row.message },
      });
      return job.jobId;
    }
    case 'function': {
      if (!deps.functions) throw new TargetError('this server runs no functions');
      const result = await deps.functions.invoke(target.arn, event, signal === undefined ? {} : { signal });
      if ('error' in result) throw new TargetError(`the function failed: ${result.error.errorType}: ${result.error.errorMessage}`);
      return result.requestId;
    }
    case 'topic': {
      if (!deps.notifications) throw new TargetError('this server runs no notifications');
      const { messageId } = await deps.notifications.publish({ topic: target.name, message: row.message, subject: 'Amazon S3 Notification', dedupKey: key });
      return messageId;
    }
  }
}
