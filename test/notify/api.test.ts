/*
 * The notification routes through fastify's inject on both backends: the happy path from
 * topic to delivery records, and the 4xx answers in the API's one error shape.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, HTTPMethods, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/api/server.js';
import type { OpenPlatform } from '../../src/engine/platform.js';
import { expectError } from '../api/helpers.js';
import { backends, until, type BackendHandle } from '../support/backends.js';
import { openTestPlatform, startWebhookReceiver, type WebhookReceiver } from './helpers.js';
import { heldJobToken } from '../support/job-token.js';

describe.each(backends)('notification API on $name', (backend) => {
  let handle: BackendHandle;
  let platform: OpenPlatform;
  let app: FastifyInstance;
  let admin: string;
  let jobToken: string;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    handle = await backend.create();
    platform = await openTestPlatform(handle);
    app = await createServer(platform);
    admin = await platform.tokens.issue({ kind: 'admin' });
    jobToken = (await heldJobToken(platform)).token;
    hook = await startWebhookReceiver();
  });
  afterAll(async () => {
    await app.close();
    await platform.close();
    await hook.close();
    await handle.cleanup();
  });

  const call = (method: HTTPMethods, url: string, body?: unknown, token = admin): Promise<LightMyRequestResponse> =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

  it('creates a topic, subscribes, publishes and shows the deliveries with their attempts', async () => {
    const created = await call('POST', '/api/v1/topics', { name: 'results' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'results', topicArn: 'arn:aws:sns:local:000000000000:results' });
    expect((await call('POST', '/api/v1/topics', { name: 'results' })).statusCode).toBe(200);
    expect((await call('GET', `/api/v1/topics/${encodeURIComponent('arn:aws:sns:local:000000000000:results')}`)).json()).toMatchObject({ name: 'results' });
    expect((await call('GET', '/api/v1/topics')).json<{ items: { name: string }[] }>().items.map((t) => t.name)).toContain('results');

    const file = join(handle.dataDir, 'results.jsonl');
    const fileSub = await call('POST', '/api/v1/topics/results/subscriptions', { protocol: 'file', endpoint: file });
    expect(fileSub.statusCode).toBe(201);
    const hookSub = await call('POST', '/api/v1/topics/results/subscriptions', { protocol: 'webhook', endpoint: hook.url });
    expect(hookSub.json<{ secret: string }>().secret).toMatch(/.{16,}/);
    hook.script.push(503);

    const published = await call('POST', '/api/v1/topics/results/publish', { message: 'done', subject: 'P1', attributes: { run: { DataType: 'Number', StringValue: '7' } } });
    expect(published.statusCode).toBe(200);
    const { messageId } = published.json<{ messageId: string }>();
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);

    const deliveries = await until(async () => {
      const items = (await call('GET', `/api/v1/deliveries?messageId=${messageId}`)).json<{ items: { status: string; subscriptionId: string; attempts: { outcome: string }[] }[] }>().items;
      return items.length === 2 && items.every((d) => d.status === 'delivered') ? items : undefined;
    });
    const viaHook = deliveries.find((d) => d.subscriptionId === hookSub.json<{ subscriptionId: string }>().subscriptionId)!;
    expect(viaHook.attempts.map((a) => a.outcome)).toEqual(['error', 'delivered']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ MessageId: messageId, Subject: 'P1', Message: 'done' });

    const messages = (await call('GET', '/api/v1/messages?topic=results')).json<{ items: { messageId: string; attributes: unknown }[] }>().items;
    expect(messages[0]).toMatchObject({ messageId, attributes: { run: { DataType: 'Number', StringValue: '7' } } });
    const subs = (await call('GET', '/api/v1/subscriptions?topic=results')).json<{ items: unknown[] }>().items;
    expect(subs).toHaveLength(2);
    expect(subs[0]).not.toHaveProperty('secret');

    expect((await call('DELETE', `/api/v1/subscriptions/${fileSub.json<{ subscriptionId: string }>().subscriptionId}`)).statusCode).toBe(204);
    expect((await call('DELETE', '/api/v1/topics/results')).statusCode).toBe(204);
    expectError(await call('GET', '/api/v1/topics/results'), 404, 'NotFound', /results/);
  });

  it('answers 404 for unknown topics and subscriptions', async () => {
    expectError(await call('POST', '/api/v1/topics/nope/publish', { message: 'x' }), 404, 'NotFound', /topic "nope"/);
    expectError(await call('POST', '/api/v1/topics/nope/subscriptions', { protocol: 'file', endpoint: '/tmp/x.jsonl' }), 404, 'NotFound');
    expectError(await call('DELETE', '/api/v1/topics/nope'), 404, 'NotFound');
    expectError(await call('DELETE', '/api/v1/subscriptions/0b7f7d8e-0000-0000-0000-000000000000'), 404, 'NotFound');
    expectError(await call('GET', '/api/v1/deliveries?topic=nope'), 404, 'NotFound');
  });

  it('answers 400 for bad protocols, endpoints and bodies', async () => {
    await call('POST', '/api/v1/topics', { name: 'checks' });
    expectError(await call('POST', '/api/v1/topics/checks/subscriptions', { protocol: 'sms', endpoint: '+1555' }), 400, 'ValidationError', /protocol must be one of email, webhook, file/);
    expectError(await call('POST', '/api/v1/topics/checks/subscriptions', { protocol: 'webhook', endpoint: 'not a url' }), 400, 'BadRequest', /http/);
    expectError(await call('POST', '/api/v1/topics/checks/subscriptions', { protocol: 'email', endpoint: 'nobody' }), 400, 'BadRequest', /email address/);
    expectError(await call('POST', '/api/v1/topics/checks/subscriptions', { protocol: 'file', endpoint: 'relative.jsonl' }), 400, 'BadRequest', /absolute/);
    expectError(await call('POST', '/api/v1/topics/checks/subscriptions', { protocol: 'webhook', endpoint: hook.url, secret: 'short' }), 400, 'ValidationError', /secret/);
    expectError(await call('POST', '/api/v1/topics', { name: 'has spaces' }), 400, 'ValidationError', /body\.name/);
    expectError(await call('POST', '/api/v1/topics/checks/publish', {}), 400, 'ValidationError', /body\.message is required/);
    expectError(await call('POST', '/api/v1/topics/checks/publish', { message: 'x', subject: 'a\nb' }), 400, 'BadRequest', /subject/);
    expectError(await call('POST', '/api/v1/topics/checks/publish', { message: 'x'.repeat(256 * 1024 + 1) }), 413, 'PayloadTooLarge');
    expectError(await call('GET', '/api/v1/deliveries?status=lost'), 400, 'ValidationError', /status/);
    expectError(await call('GET', '/api/v1/messages?nextToken=bogus'), 400, 'BadRequest', /nextToken/);
  });

  it('keeps the routes for admin tokens', async () => {
    expectError(await call('GET', '/api/v1/topics', undefined, jobToken), 403, 'Forbidden');
    expectError(await app.inject({ method: 'GET', url: '/api/v1/deliveries' }), 401, 'Unauthorized');
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await call('GET', '/api/v1/openapi.json')).json<{ paths: Record<string, Record<string, { operationId: string }>> }>();
    const ids = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(ids).toEqual(expect.arrayContaining(['createTopic', 'listTopics', 'deleteTopic', 'subscribe', 'listSubscriptions', 'unsubscribe', 'publish', 'listMessages', 'listDeliveries']));
  });
});
