/*
 * Object events: every catalogue change writes its outbox rows (one per matching notification
 * rule, with the S3 event message) in the change's own transaction, and none when no rule
 * matches; onChange listeners hear each committed change.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeEventKey, ruleMatches } from '../../src/storage/events.js';
import type { NotificationRule, ObjectChange } from '../../src/storage/types.js';
import { body, FakeS3, openHarness, variants, type Harness } from './helpers.js';

const fakeS3 = new FakeS3();
afterAll(() => fakeS3.stop());

interface EventRecord {
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  eventTime: string;
  eventName: string;
  s3: { s3SchemaVersion: string; configurationId: string; bucket: { name: string; arn: string }; object: { key: string; size: number; eTag: string; sequencer: string } };
}

const START = 'arn:aws:states:us-east-1:123456789012:stateMachine:OnUpload';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:removed';

describe('event rule matching', () => {
  const change = (eventName: ObjectChange['eventName'], key: string): ObjectChange => ({ eventName, bucket: 'b', key, size: 1, etag: '"e"', eventTime: '2026-01-01T00:00:00.000Z' });
  const rule = (events: string[], filter: NotificationRule['filter'] = {}): NotificationRule => ({ id: 'r', events, filter, targetArn: START });
  it.each([
    { events: ['s3:ObjectCreated:*'], filter: {}, eventName: 'ObjectCreated:Put', key: 'a', match: true },
    { events: ['s3:ObjectCreated:*'], filter: {}, eventName: 'ObjectCreated:CompleteMultipartUpload', key: 'a', match: true },
    { events: ['s3:ObjectCreated:Put'], filter: {}, eventName: 'ObjectCreated:Copy', key: 'a', match: false },
    { events: ['s3:ObjectRemoved:*'], filter: {}, eventName: 'ObjectCreated:Put', key: 'a', match: false },
    { events: ['s3:ObjectCreated:*'], filter: { prefix: 'in/' }, eventName: 'ObjectCreated:Put', key: 'in/x.csv', match: true },
    { events: ['s3:ObjectCreated:*'], filter: { prefix: 'in/' }, eventName: 'ObjectCreated:Put', key: 'out/x.csv', match: false },
    { events: ['s3:ObjectCreated:*'], filter: { prefix: 'in/', suffix: '.csv' }, eventName: 'ObjectCreated:Put', key: 'in/x.txt', match: false },
    { events: ['s3:LifecycleExpiration:*'], filter: {}, eventName: 'LifecycleExpiration:Delete', key: 'a', match: true },
  ] as const)('$events $filter on $eventName $key: $match', ({ events, filter, eventName, key, match }) => {
    expect(ruleMatches(rule([...events], filter), change(eventName, key))).toBe(match);
  });

  it('URL-encodes keys in records as S3 does', () => {
    expect(encodeEventKey('red flower.jpg')).toBe('red+flower.jpg');
    expect(encodeEventKey('dir/a=b&c.txt')).toBe('dir/a%3Db%26c.txt');
    expect(encodeEventKey('ключ')).toBe('%D0%BA%D0%BB%D1%8E%D1%87');
  });
});

describe.each(variants.filter((v) => v.blobs === 'local'))('object events on $name', (variant) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(variant, fakeS3);
    await h.storage.createBucket('data');
  });
  afterEach(() => h.close());

  const outbox = () => h.store.db.selectFrom('object_event_outbox').selectAll().orderBy('id').execute();
  const records = async () => (await outbox()).map((row) => ({ rule: row.rule_id, target: row.target_arn, record: (JSON.parse(row.message) as { Records: EventRecord[] }).Records[0]! }));

  it('writes one outbox row per matching rule with the S3 event message, and none without a match', async () => {
    await h.storage.putObject({ bucket: 'data', key: 'in/before-rules.csv', body: body('x') });
    expect(await outbox()).toEqual([]);
    const rules: NotificationRule[] = [
      { id: 'csv-uploads', events: ['s3:ObjectCreated:*'], filter: { prefix: 'in/', suffix: '.csv' }, targetArn: START },
      { id: 'removals', events: ['s3:ObjectRemoved:*', 's3:LifecycleExpiration:*'], filter: {}, targetArn: TOPIC },
    ];
    await h.storage.putNotification('data', rules);
    expect(await h.storage.getNotification('data')).toEqual(rules);
    const heard: ObjectChange[] = [];
    const stop = h.storage.onChange((change) => heard.push(change));

    await h.storage.putObject({ bucket: 'data', key: 'in/not-csv.txt', body: body('x') });
    await h.storage.putObject({ bucket: 'data', key: 'out/y.csv', body: body('x') });
    expect(await outbox()).toEqual([]);
    expect(heard.map((c) => c.key)).toEqual(['in/not-csv.txt', 'out/y.csv']);

    const info = await h.storage.putObject({ bucket: 'data', key: 'in/my file.csv', body: body('a,b\n') });
    const rows = await records();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.rule).toBe('csv-uploads');
    expect(rows[0]!.target).toBe(START);
    expect(rows[0]!.record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: info.lastModified,
      eventName: 'ObjectCreated:Put',
      s3: { s3SchemaVersion: '1.0', configurationId: 'csv-uploads', bucket: { name: 'data', arn: 'arn:aws:s3:::data' }, object: { key: 'in/my+file.csv', size: 4, eTag: info.etag.replace(/"/g, '') } },
    });
    expect(rows[0]!.record.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);

    await h.storage.copyObject({ sourceBucket: 'data', sourceKey: 'in/my file.csv', bucket: 'data', key: 'in/copy.csv' });
    const upload = await h.storage.createMultipartUpload({ bucket: 'data', key: 'in/multi.csv' });
    const part = await h.storage.uploadPart({ bucket: 'data', key: 'in/multi.csv', uploadId: upload.uploadId, partNumber: 1, body: body('p') });
    await h.storage.completeMultipartUpload({ bucket: 'data', key: 'in/multi.csv', uploadId: upload.uploadId, parts: [{ partNumber: 1, etag: part.etag }] });
    await h.storage.deleteObject('data', 'in/copy.csv');
    await h.storage.deleteObject('data', 'never-existed');
    await h.storage.putLifecycle('data', [{ id: 'expire', status: 'Enabled', filter: { prefix: 'out/' }, transitions: [], expiration: { days: 1 } }]);
    await h.storage.runLifecycle(new Date(h.clock.ms + 2 * 24 * 3600 * 1000));
    expect((await records()).map((r) => [r.rule, r.record.eventName, decodeURIComponent(r.record.s3.object.key.replace(/\+/g, ' '))])).toEqual([
      ['csv-uploads', 'ObjectCreated:Put', 'in/my file.csv'],
      ['csv-uploads', 'ObjectCreated:Copy', 'in/copy.csv'],
      ['csv-uploads', 'ObjectCreated:CompleteMultipartUpload', 'in/multi.csv'],
      ['removals', 'ObjectRemoved:Delete', 'in/copy.csv'],
      ['removals', 'LifecycleExpiration:Delete', 'out/y.csv'],
    ]);
    expect(heard.map((c) => c.eventName)).toEqual(['ObjectCreated:Put', 'ObjectCreated:Put', 'ObjectCreated:Put', 'ObjectCreated:Copy', 'ObjectCreated:CompleteMultipartUpload', 'ObjectRemoved:Delete', 'LifecycleExpiration:Delete']);
    stop();
    const pending = await outbox();
    expect(pending.every((row) => row.delivered_at === null && row.attempts === 0 && row.bucket === 'data')).toBe(true);
  });

  it('writes no outbox row when the change fails', async () => {
    await h.storage.putNotification('data', [{ id: 'all', events: ['s3:ObjectCreated:*'], filter: {}, targetArn: START }]);
    await expect(h.storage.putObject({ bucket: 'data', key: 'k', body: body('x'), contentMd5: 'AAAAAAAAAAAAAAAAAAAAAA==' })).rejects.toMatchObject({ code: 'BadDigest' });
    expect(await outbox()).toEqual([]);
  });

  it('validates notification rules', async () => {
    const bad: NotificationRule[][] = [
      [{ id: 'a', events: ['s3:ObjectMade:*'], filter: {}, targetArn: START }],
      [{ id: 'a', events: [], filter: {}, targetArn: START }],
      [{ id: 'a', events: ['s3:ObjectCreated:*'], filter: {}, targetArn: 'arn:aws:sqs:us-east-1:1:q' }],
      [{ id: 'a', events: ['s3:ObjectCreated:*'], filter: {}, targetArn: 'not an arn' }],
      [
        { id: 'a', events: ['s3:ObjectCreated:*'], filter: {}, targetArn: START },
        { id: 'a', events: ['s3:ObjectRemoved:*'], filter: {}, targetArn: TOPIC },
      ],
    ];
    for (const rules of bad) await expect(h.storage.putNotification('data', rules)).rejects.toMatchObject({ code: 'InvalidArgument', status: 400 });
    expect(await h.storage.getNotification('data')).toEqual([]);
    const ok: NotificationRule[] = [
      { id: 'job', events: ['s3:ObjectCreated:Put'], filter: { suffix: '.fastq' }, targetArn: 'arn:aws:batch:us-east-1:123456789012:job-definition/align?queue=default' },
      { id: 'fn', events: ['s3:ObjectCreated:*'], filter: {}, targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:thumb' },
    ];
    await h.storage.putNotification('data', ok);
    expect(await h.storage.getNotification('data')).toEqual(ok);
    await h.storage.putNotification('data', []);
    expect(await h.storage.getNotification('data')).toEqual([]);
    await expect(h.storage.getNotification('nope')).rejects.toMatchObject({ code: 'NoSuchBucket' });
  });
});
