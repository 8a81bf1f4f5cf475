/*
 * `skybatch topics | subscriptions | publish | deliveries` run in-process (main() returns the
 * exit code) against a real server listening on a port, found through SKYBATCH_ENDPOINT.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/api/server.js';
import type { OpenPlatform } from '../../src/engine/platform.js';
import { backends, until, type BackendHandle } from '../support/backends.js';
import { openTestPlatform } from './helpers.js';
import { runMain } from '../support/run-collected.js';

let handle: BackendHandle;
let platform: OpenPlatform;
let app: FastifyInstance;
const saved = { endpoint: process.env.SKYBATCH_ENDPOINT, token: process.env.SKYBATCH_TOKEN };

beforeAll(async () => {
  handle = await backends[0]!.create();
  platform = await openTestPlatform(handle);
  app = await createServer(platform);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.env.SKYBATCH_ENDPOINT = url;
  process.env.SKYBATCH_TOKEN = await platform.tokens.issue({ kind: 'admin' });
});
afterAll(async () => {
  for (const [key, value] of [['SKYBATCH_ENDPOINT', saved.endpoint], ['SKYBATCH_TOKEN', saved.token]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await app.close();
  await platform.close();
  await handle.cleanup();
});

const skybatch = runMain;

describe('notification commands', () => {
  it('creates a topic, subscribes a file, publishes and lists the deliveries', async () => {
    const created = await skybatch('topics', 'create', 'done');
    expect(created).toMatchObject({ code: 0, stdout: 'created: arn:aws:sns:local:000000000000:done\n' });
    expect((await skybatch('topics', 'create', 'done')).stdout).toMatch(/^exists: /);
    expect((await skybatch('topics', 'list')).stdout).toMatch(/^NAME\s+ARN\s+CREATED\ndone\s+arn:aws:sns:local:000000000000:done\s/);

    const file = join(handle.dataDir, 'cli.jsonl');
    const sub = await skybatch('subscriptions', 'create', 'done', '--protocol', 'file', '--endpoint', file);
    expect(sub.code, sub.stderr).toBe(0);
    const subscriptionId = sub.stdout.trim();
    const listed = await skybatch('subscriptions', 'list', '--topic', 'done', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ subscriptionId, protocol: 'file', endpoint: file })]);

    const hook = await skybatch('subscriptions', 'create', 'done', '--protocol', 'webhook', '--endpoint', 'http://127.0.0.1:9/x', '--json');
    expect(JSON.parse(hook.stdout)).toMatchObject({ protocol: 'webhook', secret: expect.any(String) as unknown });
    expect((await skybatch('subscriptions', 'delete', (JSON.parse(hook.stdout) as { subscriptionId: string }).subscriptionId)).code).toBe(0);

    const published = await skybatch('publish', 'done', '--message', 'finished', '--subject', 'Run 7', '--attribute', 'project=P1');
    expect(published.code, published.stderr).toBe(0);
    const messageId = published.stdout.trim();
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
    await until(async () => JSON.parse((await skybatch('deliveries', 'list', '--message-id', messageId, '--json')).stdout)[0]?.status === 'delivered');
    const table = await skybatch('deliveries', 'list', '--topic', 'done');
    expect(table.stdout).toMatch(new RegExp(`^DELIVERY\\s+MESSAGE\\s+TOPIC\\s+STATUS\\s+ATTEMPTS\\s+LAST ERROR\\n\\S+\\s+${messageId}\\s+done\\s+delivered\\s+1\\s+-\\n$`));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ MessageId: messageId, Subject: 'Run 7', Message: 'finished', MessageAttributes: { project: { Value: 'P1' } } });

    expect((await skybatch('topics', 'delete', 'done')).stdout).toBe('deleted topic done\n');
  });

  it('exits 2 with the server\'s reason for bad requests', async () => {
    const missing = await skybatch('publish', 'nope', '--message', 'x');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^skybatch: NotFound: topic "nope" does not exist/);
    await skybatch('topics', 'create', 'checks');
    const badProtocol = await skybatch('subscriptions', 'create', 'checks', '--protocol', 'pigeon', '--endpoint', 'x');
    expect(badProtocol.code).toBe(2);
    expect(badProtocol.stderr).toMatch(/protocol must be one of email, webhook, file/);
    const badAttribute = await skybatch('publish', 'checks', '--message', 'x', '--attribute', 'novalue');
    expect(badAttribute).toMatchObject({ code: 2, stderr: expect.stringMatching(/NAME=VALUE/) as unknown });
    const badFile = await skybatch('publish', 'checks', '--message', '@/no/such/file');
    expect(badFile).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot read --message file/) as unknown });
    expect((await skybatch('deliveries', 'list', '--status', 'lost')).code).toBe(2);
  });
});
