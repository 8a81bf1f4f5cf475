/*
 * arn:aws:states:::sns:publish from a running state machine: the message reaches the topic's
 * subscription, the output carries the MessageId, JSON messages are sent as JSON text, and an
 * unknown topic fails the task with SNS.NotFoundException (caught by the state machine).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenPlatform } from '../../src/engine/platform.js';
import { snsIntegration } from '../../src/integrations/sns.js';
import { backends, until, type BackendHandle } from '../support/backends.js';
import { openTestPlatform } from './helpers.js';

describe.each(backends)('sns:publish on $name', (backend) => {
  let handle: BackendHandle;
  let platform: OpenPlatform;

  beforeAll(async () => {
    handle = await backend.create();
    platform = await openTestPlatform(handle);
  });
  afterAll(async () => {
    await platform.close();
    await handle.cleanup();
  });

  const finished = async (stateMachine: string, input: unknown) => {
    const { execution } = await platform.executions.start({ stateMachine, input: input as never });
    return until(async () => {
      const e = await platform.executions.describe(execution.id);
      return e.status === 'RUNNING' ? undefined : e;
    });
  };

  it('publishes from a Task state and returns the MessageId', async () => {
    const file = join(handle.dataDir, 'pipeline.jsonl');
    const notify = platform.notifications!;
    const { topic } = await notify.createTopic('pipeline');
    await notify.subscribe({ topic: 'pipeline', protocol: 'file', endpoint: file });
    await platform.stateMachines.create({
      name: 'notifier',
      definition: {
        StartAt: 'Notification',
        States: {
          Notification: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sns:publish',
            Parameters: {
              TopicArn: topic.topicArn,
              'Subject.$': '$.JobStatus.SNS_Subject',
              'Message.$': '$.JobStatus.Job_Comment',
              MessageAttributes: { project: { DataType: 'String', 'StringValue.$': '$.project' } },
            },
            ResultPath: '$.published',
            Next: 'AsJson',
          },
          AsJson: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: 'pipeline', 'Message.$': '$.JobStatus' }, ResultSelector: { 'MessageId.$': '$.MessageId' }, ResultPath: '$.json', End: true },
        },
      },
    });
    const execution = await finished('notifier', { project: 'P1', JobStatus: { OutputStatus: 'SUCCEEDED', Job_Comment: 'all good', SNS_Subject: 'P1 finished' } });
    expect(execution.status).toBe('SUCCEEDED');
    const output = execution.output as { published: { MessageId: string; SdkHttpMetadata: { HttpStatusCode: number } }; json: { MessageId: string } };
    expect(output.published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(output.published.SdkHttpMetadata.HttpStatusCode).toBe(200);
    await until(async () => (await notify.listDeliveries({ topic: 'pipeline', status: 'delivered' })).items.length === 2);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const first = lines.find((l) => l.MessageId === output.published.MessageId);
    expect(first).toMatchObject({ Subject: 'P1 finished', Message: 'all good', MessageAttributes: { project: { Type: 'String', Value: 'P1' } } });
    const second = lines.find((l) => l.MessageId === output.json.MessageId);
    expect(JSON.parse(second!.Message as string)).toEqual({ OutputStatus: 'SUCCEEDED', Job_Comment: 'all good', SNS_Subject: 'P1 finished' });
  });

  it('fails with SNS.NotFoundException for an unknown topic, which Catch can match', async () => {
    await platform.stateMachines.create({
      name: 'lost',
      definition: {
        StartAt: 'Publish',
        States: {
          Publish: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: 'arn:aws:sns:local:000000000000:missing', Message: 'hi' }, Catch: [{ ErrorEquals: ['SNS.NotFoundException'], ResultPath: '$.error', Next: 'Caught' }], End: true },
          Caught: { Type: 'Succeed' },
        },
      },
    });
    const execution = await finished('lost', {});
    expect(execution.status).toBe('SUCCEEDED');
    expect((execution.output as { error: { Error: string; Cause: string } }).error).toMatchObject({ Error: 'SNS.NotFoundException', Cause: expect.stringMatching(/missing/) as unknown });
  });

  it('fails with SNS.InvalidParameterException for bad parameters', async () => {
    await platform.stateMachines.create({
      name: 'badparams',
      definition: { StartAt: 'Publish', States: { Publish: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { Message: 'no topic' }, End: true } } },
    });
    const execution = await finished('badparams', {});
    expect(execution).toMatchObject({ status: 'FAILED', error: 'SNS.InvalidParameterException' });
  });

  it('returns the first MessageId when the same task is dispatched again', async () => {
    const handler = snsIntegration(platform.notifications!)('arn:aws:states:::sns:publish')!;
    const invocation = { resource: 'arn:aws:states:::sns:publish', stateName: 'S', taskToken: 't', taskId: 'exec-1/task-1', signal: new AbortController().signal, heartbeat: () => {} };
    const first = (await handler({ TopicArn: 'pipeline', Message: 'once' }, invocation)) as { MessageId: string };
    const again = (await handler({ TopicArn: 'pipeline', Message: 'once' }, invocation)) as { MessageId: string };
    expect(again.MessageId).toBe(first.MessageId);
    expect(snsIntegration(platform.notifications!)('arn:aws:states:::sns:other')).toBeUndefined();
  });
});
