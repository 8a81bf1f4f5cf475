/*
 * Issue 5's event acceptance: 1,000 uploads through the S3 API (the AWS SDK against a real
 * `skybatch up`) start 1,000 executions, none twice, with the server killed by SIGKILL in the
 * middle. Uploads the crash cut off are sent again after the restart, as a client would;
 * every upload the server acknowledged has its event and exactly one execution, and every
 * execution comes from one stored event.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.js';
import { tempDir, until } from '../support/backends.js';
import { startServer, type RunningServer } from '../support/server.js';

const UPLOADS = 1000;
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
});

function s3Client(dataDir: string): S3Client {
  const endpoint = JSON.parse(readFileSync(join(dataDir, 'endpoint.json'), 'utf8')) as { s3Endpoint: string; accessKeyId: string; secretAccessKey: string };
  return new S3Client({ endpoint: endpoint.s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey }, maxAttempts: 1 });
}

describe('object events across a crash', () => {
  it('1,000 uploads start 1,000 executions, none twice, with the server killed in the middle', { timeout: 240_000 }, async () => {
    const dataDir = tempDir();
    let server = await startServer({ dataDir });
    servers.push(server);
    expect((await server.api('POST', '/api/v1/state-machines', { name: 'on-upload', definition: { StartAt: 'Key', States: { Key: { Type: 'Pass', InputPath: '$.Records[0].s3.object', End: true } } } })).status).toBe(201);
    let client = s3Client(dataDir);
    await client.send(new CreateBucketCommand({ Bucket: 'incoming' }));
    await client.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'incoming',
        NotificationConfiguration: { QueueConfigurations: [{ Id: 'start', QueueArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:on-upload', Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'in/' }] } } }] },
      }),
    );

    const acknowledged = new Set<string>();
    const upload = async (i: number) => {
      const key = `in/${String(i).padStart(4, '0')}.txt`;
      await client.send(new PutObjectCommand({ Bucket: 'incoming', Key: key, Body: `line ${i}\n` }));
      acknowledged.add(key);
    };
    // Eight at a time until the crash; what fails is sent again after the restart.
    const pending = Array.from({ length: UPLOADS }, (_, i) => i);
    let crashed = false;
    const failed: number[] = [];
    const worker = async () => {
      for (let i = pending.shift(); i !== undefined; i = pending.shift()) {
        if (acknowledged.size >= UPLOADS / 2 && !crashed) {
          crashed = true;
          await server.crash();
        }
        await upload(i).catch(() => failed.push(i));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(crashed).toBe(true);

    server = await startServer({ dataDir });
    servers.push(server);
    client = s3Client(dataDir);
    for (const i of failed) await upload(i);
    expect(acknowledged.size).toBe(UPLOADS);

    const store = await openStore({ dataDir });
    try {
      // Every stored event delivered...
      const rows = await until(async () => {
        const all = await store.db.selectFrom('object_event_outbox').select(['id', 'delivered_at', 'message']).execute();
        return all.length >= UPLOADS && all.every((r) => r.delivered_at !== null) ? all : undefined;
      }, 180_000, 250);
      // ...to exactly one execution each, named after it, and finished.
      const executions = await until(async () => {
        const all = await store.db.selectFrom('executions').select(['name', 'status', 'output']).where('state_machine', '=', 'on-upload').execute();
        return all.length === rows.length && all.every((e) => e.status === 'SUCCEEDED') ? all : undefined;
      }, 120_000, 250);
      expect(new Set(executions.map((e) => e.name))).toEqual(new Set(rows.map((r) => `s3-event-${r.id}`)));
      // Each acknowledged upload has its execution. A PUT stored just before the kill but not
      // answered was sent again: two uploads, two events, as S3 would send.
      const keys = new Set(executions.map((e) => decodeURIComponent((JSON.parse(e.output ?? '{}') as { key: string }).key)));
      expect(keys).toEqual(acknowledged);
      expect(rows.length).toBeGreaterThanOrEqual(UPLOADS);
      expect(rows.length - UPLOADS).toBeLessThanOrEqual(failed.length);
    } finally {
      await store.close();
    }
  });
});
