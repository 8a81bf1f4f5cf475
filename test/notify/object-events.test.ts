/*
 * The object-event dispatcher on both backends, fed by rows inserted straight into
 * object_event_outbox (the object store that writes them is another module's): each target
 * service acts once per row, a redelivery after a crash finds what the first delivery made,
 * and an unknown target records its error, is retried, then given up.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenPlatform } from '../../src/engine/platform.js';
import { deliverToTarget, parseTarget } from '../../src/events/object-event-targets.js';
import type { OutboxRow } from '../../src/store/object-event-outbox.js';
import { backends, until, type BackendHandle } from '../support/backends.js';
import { openTestPlatform } from './helpers.js';

const SM_ARN = 'arn:aws:states:local:000000000000:stateMachine:on-upload';

function s3Event(key: string): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        eventTime: '2026-11-25T12:00:00.000Z',
        s3: { bucket: { name: 'data', arn: 'arn:aws:s3:::data' }, object: { key, size: 5, eTag: '5d41402abc4b2a76b9719d911017c592' } },
      },
    ],
  });
}

describe.each(backends)('object events on $name', (backend) => {
  let handle: BackendHandle;
  let platform: OpenPlatform;

  beforeAll(async () => {
    handle = await backend.create();
    platform = await openTestPlatform(handle);
    await platform.stateMachines.create({ name: 'on-upload', definition: { StartAt: 'Key', States: { Key: { Type: 'Pass', InputPath: '$.Records[0].s3.object', End: true } } } });
  });
  afterAll(async () => {
    await platform.close();
    await handle.cleanup();
  });

  async function insert(targetArn: string, message: string, extra: Partial<OutboxRow> = {}): Promise<number> {
    const row = await platform.store.db
      .insertInto('object_event_outbox')
      .values({ bucket: 'data', rule_id: 'rule-1', target_arn: targetArn, message, created_at: new Date().toISOString(), available_at: Date.now(), lease_owner: null, lease_expires: null, last_error: null, delivered_at: null, result: null, ...extra })
      .returning('id')
      .executeTakeFirstOrThrow();
    platform.objectEvents.wake();
    return Number(row.id);
  }

  const row = (id: number) => platform.store.db.selectFrom('object_event_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const delivered = (id: number) => until(async () => ((await row(id)).delivered_at !== null ? row(id) : undefined));

  it('starts an execution named after the row, with the S3 event as input', async () => {
    const id = await insert(SM_ARN, s3Event('in/a.txt'));
    const done = await delivered(id);
    expect(done.result).toBe(`arn:aws:states:local:000000000000:execution:on-upload:s3-event-${id}`);
    expect(done.attempts).toBe(1);
    const execution = await until(async () => {
      const e = await platform.executions.describe(done.result!);
      return e.status === 'RUNNING' ? undefined : e;
    });
    expect(execution).toMatchObject({ name: `s3-event-${id}`, status: 'SUCCEEDED', output: { key: 'in/a.txt', size: 5 } });
  });

  it('does not start a second execution when a row whose delivery crashed is delivered again', async () => {
    // The first delivery started the execution, then its server died before marking the row:
    // the row is still leased by the dead server, with one attempt counted.
    const message = s3Event('in/crash.txt');
    const id = await insert(SM_ARN, message, { attempts: 1, lease_owner: 'dead-server', lease_expires: Date.now() + 300, available_at: Date.now() });
    const first = await platform.executions.start({ stateMachine: 'on-upload', name: `s3-event-${id}`, input: JSON.parse(message) as never });
    const done = await delivered(id);
    expect(done.attempts).toBe(2);
    expect(done.result).toBe(first.execution.executionArn);
    const all = await platform.executions.list({ stateMachine: 'on-upload', limit: 1000 });
    expect(all.items.filter((e) => e.name === `s3-event-${id}`)).toHaveLength(1);
  });

  it('records the error of an unknown target, retries, then gives up', async () => {
    const id = await insert('arn:aws:sqs:local:000000000000:queue', s3Event('in/b.txt'));
    const failed = await until(async () => {
      const r = await row(id);
      return r.attempts >= 3 && r.lease_owner === null ? r : undefined;
    });
    expect(failed.delivered_at).toBeNull();
    expect(failed.result).toBeNull();
    expect(failed.last_error).toMatch(/^gave up after 3 attempts: no service here handles target "arn:aws:sqs/);
    // It stays given up: no further attempts.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await row(id)).attempts).toBe(3);
  });

  it('gives up on a row whose event cannot be read, with the reason, and delivers the rows around it', async () => {
    const before = await insert(SM_ARN, s3Event('in/before.txt'));
    const poisoned = await insert(SM_ARN, '{"Records": [truncated');
    const after = await insert(SM_ARN, s3Event('in/after.txt'));
    expect((await delivered(before)).result).toMatch(/:execution:on-upload:s3-event-/);
    expect((await delivered(after)).result).toMatch(/:execution:on-upload:s3-event-/);
    const failed = await until(async () => {
      const r = await row(poisoned);
      return r.attempts >= 3 && r.lease_owner === null ? r : undefined;
    });
    expect(failed.delivered_at).toBeNull();
    expect(failed.last_error).toMatch(/^gave up after 3 attempts: .*JSON/);
  });

  it('retries a target that does not exist yet and delivers once it does', async () => {
    const id = await insert('arn:aws:states:local:000000000000:stateMachine:later', s3Event('in/c.txt'));
    await until(async () => ((await row(id)).last_error ?? '').includes('does not exist'));
    await platform.stateMachines.create({ name: 'later', definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } });
    // The row may already have used its attempts; give it more if so (as an operator would).
    await platform.store.db.updateTable('object_event_outbox').set({ attempts: 0 }).where('id', '=', id).where('delivered_at', 'is', null).execute();
    const done = await delivered(id);
    expect(done.result).toMatch(/:execution:later:s3-event-/);
  });

  it('publishes to a topic, once per row', async () => {
    const file = join(handle.dataDir, 'uploads.jsonl');
    await platform.notifications!.createTopic('uploads');
    await platform.notifications!.subscribe({ topic: 'uploads', protocol: 'file', endpoint: file });
    const message = s3Event('in/d.txt');
    const id = await insert('arn:aws:sns:local:000000000000:uploads', message);
    const done = await delivered(id);
    await until(async () => (await platform.notifications!.listDeliveries({ messageId: done.result! })).items[0]?.status === 'delivered');
    const line = JSON.parse(readFileSync(file, 'utf8').trim()) as { MessageId: string; Subject: string; Message: string };
    expect(line).toEqual(expect.objectContaining({ MessageId: done.result, Subject: 'Amazon S3 Notification', Message: message }));
    // A redelivery of the same row publishes nothing new.
    expect(await deliverToTarget({ executions: platform.executions, notifications: platform.notifications! }, { id, target_arn: done.target_arn, message })).toBe(done.result);
  });

  it('submits a job with the event in SKYBATCH_S3_EVENT, idempotent by the row id', async () => {
    await platform.batch!.resources.definitions.register({ name: 'ingest', command: ['sh', '-c', 'test -n "$SKYBATCH_S3_EVENT"'], memory: 64 });
    const message = s3Event('in/e.txt');
    const id = await insert('arn:aws:batch:local:000000000000:job-definition/ingest:1?queue=default', message);
    const done = await delivered(id);
    const job = await until(async () => {
      const j = await platform.batch!.jobs.describe(done.result!);
      return j.status === 'SUCCEEDED' || j.status === 'FAILED' ? j : undefined;
    });
    expect(job).toMatchObject({ jobName: `s3-event-${id}`, status: 'SUCCEEDED' });
    const again = await deliverToTarget({ executions: platform.executions, batch: platform.batch! }, { id, target_arn: done.target_arn, message });
    expect(again).toBe(done.result);
  });

  it('invokes a function with the event', async () => {
    await platform.functions!.publish({ name: 'keyOf', code: 'export const handler = async (e) => e.Records[0].s3.object.key;' });
    const id = await insert('arn:aws:lambda:local:000000000000:function:keyOf', s3Event('in/f.txt'));
    const done = await delivered(id);
    expect(done.result).toMatch(/^[0-9a-f-]{36}$/);
    const failing = await insert('arn:aws:lambda:local:000000000000:function:missing', s3Event('in/g.txt'));
    await until(async () => ((await row(failing)).last_error ?? '').includes('missing'));
  });
});

describe('object event target ARNs', () => {
  it.each([
    ['arn:aws:states:us-east-1:123456789012:stateMachine:etl', { kind: 'stateMachine', name: 'etl' }],
    ['arn:aws:batch:local:000000000000:job-definition/split', { kind: 'jobDefinition', definition: 'split', queue: 'default' }],
    ['arn:aws:batch:local:000000000000:job-definition/split:3?queue=fast', { kind: 'jobDefinition', definition: 'split:3', queue: 'fast' }],
    ['arn:aws:lambda:local:000000000000:function:fn:live', { kind: 'function', arn: 'arn:aws:lambda:local:000000000000:function:fn:live' }],
    ['arn:aws:sns:local:000000000000:topic', { kind: 'topic', name: 'topic' }],
    ['arn:aws:sqs:local:000000000000:queue', undefined],
    ['arn:aws:states:local:000000000000:stateMachine:ステートマシン-1', { kind: 'stateMachine', name: 'ステートマシン-1' }],
    ['arn:aws:states:local:000000000000:stateMachine:../x', undefined],
    ['arn:aws:states:local:000000000000:stateMachine:<script>', undefined],
    ['not an arn', undefined],
  ])('%s', (arn, expected) => {
    expect(parseTarget(arn)).toEqual(expected);
  });
});
