/*
 * Publishing and delivering on both backends: mail to a real SMTP server, webhooks to a real
 * HTTP server that checks the HMAC, JSON lines in a file, retries with every attempt recorded,
 * and the service's refusals.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenPlatform } from '../../src/engine/platform.js';
import type { DeliveryInfo, NotificationsService } from '../../src/notify/types.js';
import { backends, until, type BackendHandle } from '../support/backends.js';
import { openTestPlatform, startSmtpServer, startWebhookReceiver, type WebhookReceiver } from './helpers.js';

describe.each(backends)('notifications on $name', (backend) => {
  let handle: BackendHandle;
  let platform: OpenPlatform;
  let notify: NotificationsService;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    handle = await backend.create();
    smtp = await startSmtpServer();
    hook = await startWebhookReceiver();
    platform = await openTestPlatform(handle, { notify: { email: { smtpUrl: smtp.url, from: 'skybatch@example.test' } } });
    notify = platform.notifications!;
  });
  afterAll(async () => {
    await platform.close();
    await smtp.close();
    await hook.close();
    await handle.cleanup();
  });

  const settled = (messageId: string, count = 1) =>
    until(async () => {
      const { items } = await notify.listDeliveries({ messageId });
      return items.length === count && items.every((d) => d.status !== 'pending') ? items : undefined;
    });

  it('creates, lists and deletes topics; creating twice returns the first', async () => {
    const first = await notify.createTopic('alpha');
    expect(first).toMatchObject({ created: true, topic: { name: 'alpha', topicArn: 'arn:aws:sns:local:000000000000:alpha' } });
    expect((await notify.createTopic('alpha')).created).toBe(false);
    await notify.createTopic('beta');
    expect((await notify.listTopics()).items.map((t) => t.name)).toEqual(['alpha', 'beta']);
    const firstPage = await notify.listTopics({ limit: 1 });
    expect(firstPage.items.map((t) => t.name)).toEqual(['alpha']);
    expect((await notify.listTopics({ limit: 1, nextToken: firstPage.nextToken! })).items.map((t) => t.name)).toEqual(['beta']);
    await notify.deleteTopic('arn:aws:sns:local:000000000000:beta');
    await expect(notify.describeTopic('beta')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(notify.deleteTopic('beta')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('mails the message to an email subscription through SMTP', async () => {
    await notify.createTopic('mail');
    await notify.subscribe({ topic: 'mail', protocol: 'email', endpoint: 'ops@example.test' });
    const { messageId } = await notify.publish({ topic: 'mail', subject: 'Pipeline P1 done', message: 'All 100000 lines processed.' });
    const [delivery] = await settled(messageId);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: [{ attempt: 1, outcome: 'delivered' }] });
    const mail = smtp.mails.find((m) => m.raw.includes(messageId));
    expect(mail).toBeDefined();
    expect(mail!.to).toEqual(['ops@example.test']);
    expect(mail!.from).toBe('skybatch@example.test');
    expect(mail!.raw).toMatch(/^Subject: Pipeline P1 done\r?$/m);
    expect(mail!.raw).toContain('All 100000 lines processed.');
  });

  it('posts to a webhook with an HMAC-SHA256 signature of the raw body', async () => {
    await notify.createTopic('hooks');
    const sub = await notify.subscribe({ topic: 'hooks', protocol: 'webhook', endpoint: hook.url, secret: 'a-secret-of-some-length' });
    expect(sub.secret).toBe('a-secret-of-some-length');
    const { messageId } = await notify.publish({ topic: 'hooks', message: '{"done":true}', subject: 'done', attributes: { project: { DataType: 'String', StringValue: 'P1' } } });
    const [delivery] = await settled(messageId);
    expect(delivery!.status).toBe('delivered');
    const post = hook.posts.find((p) => p.body.includes(messageId))!;
    const expected = `sha256=${createHmac('sha256', 'a-secret-of-some-length').update(post.body).digest('hex')}`;
    expect(post.headers['x-skybatch-signature']).toBe(expected);
    expect(post.headers['x-skybatch-timestamp']).toMatch(/^\d+$/);
    const body = JSON.parse(post.body) as Record<string, unknown>;
    expect(body).toMatchObject({ Type: 'Notification', MessageId: messageId, TopicArn: 'arn:aws:sns:local:000000000000:hooks', Subject: 'done', Message: '{"done":true}', MessageAttributes: { project: { Type: 'String', Value: 'P1' } } });
    // A receiver with another secret would reject it.
    expect(createHmac('sha256', 'another-secret-entirely').update(post.body).digest('hex')).not.toBe(expected.slice(7));
  });

  it('generates a webhook secret when none is given', async () => {
    const sub = await notify.subscribe({ topic: 'hooks', protocol: 'webhook', endpoint: `${hook.url}?generated` });
    expect(sub.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // Listing never shows it again.
    const listed = (await notify.listSubscriptions({ topic: 'hooks' })).items.find((s) => s.subscriptionId === sub.subscriptionId);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('secret');
    await notify.unsubscribe(sub.subscriptionArn);
    await expect(notify.unsubscribe(sub.subscriptionId)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('appends one JSON object per line to a file subscription', async () => {
    const file = join(handle.dataDir, 'notices', 'topic.jsonl');
    await notify.createTopic('files');
    await notify.subscribe({ topic: 'files', protocol: 'file', endpoint: file });
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await notify.publish({ topic: 'files', message: `line ${n}` })).messageId);
    for (const id of ids) await settled(id);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { MessageId: string; Message: string });
    expect(lines.map((l) => l.MessageId).sort()).toEqual([...ids].sort());
    expect(lines.map((l) => l.Message).sort()).toEqual(['line 1', 'line 2', 'line 3']);
  });

  it('retries a webhook that answers 500 twice, then 200: three attempts, delivered', async () => {
    await notify.createTopic('flaky');
    await notify.subscribe({ topic: 'flaky', protocol: 'webhook', endpoint: `${hook.url}/flaky` });
    hook.script.push(500, 500);
    const { messageId } = await notify.publish({ topic: 'flaky', message: 'eventually' });
    const [delivery] = await settled(messageId);
    expect(delivery!.status).toBe('delivered');
    expect(delivery!.attempts.map((a) => a.outcome)).toEqual(['error', 'error', 'delivered']);
    expect(delivery!.attempts[0]!.error).toMatch(/HTTP 500/);
    expect(hook.posts.filter((p) => p.body.includes(messageId))).toHaveLength(3);
  });

  it('fails a delivery that never succeeds after maxAttempts, recording every attempt', async () => {
    await notify.createTopic('doomed');
    // Nothing listens on port 9 of this machine.
    await notify.subscribe({ topic: 'doomed', protocol: 'webhook', endpoint: 'http://127.0.0.1:9/never' });
    const { messageId } = await notify.publish({ topic: 'doomed', message: 'lost cause' });
    const [delivery] = await settled(messageId);
    expect(delivery).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/cannot reach/) as unknown });
    expect(delivery!.attempts).toHaveLength(3);
    expect(delivery!.attempts.every((a) => a.outcome === 'error' && a.finishedAt !== undefined)).toBe(true);
    expect((await notify.listDeliveries({ topic: 'doomed', status: 'failed' })).items.map((d: DeliveryInfo) => d.messageId)).toEqual([messageId]);
  });

  it('sends one delivery per subscription and lists messages newest first', async () => {
    await notify.createTopic('fanout');
    const file = join(handle.dataDir, 'fanout.jsonl');
    await notify.subscribe({ topic: 'fanout', protocol: 'file', endpoint: file });
    await notify.subscribe({ topic: 'fanout', protocol: 'webhook', endpoint: `${hook.url}/fanout` });
    const first = await notify.publish({ topic: 'fanout', message: 'one' });
    const second = await notify.publish({ topic: 'fanout', message: 'two' });
    await settled(first.messageId, 2);
    expect((await settled(second.messageId, 2)).every((d) => d.status === 'delivered')).toBe(true);
    const messages = (await notify.listMessages({ topic: 'fanout' })).items;
    expect(messages.map((m) => m.message)).toEqual(['two', 'one']);
    const paged = await notify.listMessages({ topic: 'fanout', limit: 1 });
    expect((await notify.listMessages({ topic: 'fanout', limit: 1, nextToken: paged.nextToken! })).items.map((m) => m.message)).toEqual(['one']);
  });

  it('publishes once per dedup key', async () => {
    const a = await notify.publish({ topic: 'fanout', message: 'once', dedupKey: 'k-1' });
    const b = await notify.publish({ topic: 'fanout', message: 'once', dedupKey: 'k-1' });
    expect(b).toEqual({ messageId: a.messageId, created: false });
  });

  it('refuses unknown topics, bad protocols, endpoints, subjects and attributes', async () => {
    await expect(notify.publish({ topic: 'nope', message: 'x' })).rejects.toMatchObject({ code: 'NotFound' });
    await expect(notify.subscribe({ topic: 'nope', protocol: 'email', endpoint: 'a@b.c' })).rejects.toMatchObject({ code: 'NotFound' });
    await expect(notify.subscribe({ topic: 'alpha', protocol: 'sms', endpoint: '+100' })).rejects.toMatchObject({ code: 'BadRequest', message: expect.stringMatching(/protocol "sms"/) as unknown });
    await expect(notify.subscribe({ topic: 'alpha', protocol: 'email', endpoint: 'not an address' })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(notify.subscribe({ topic: 'alpha', protocol: 'webhook', endpoint: 'ftp://x/y' })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(notify.subscribe({ topic: 'alpha', protocol: 'file', endpoint: 'relative/path.jsonl' })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(notify.subscribe({ topic: 'alpha', protocol: 'file', endpoint: '/tmp/x', secret: 'sixteen-chars-long' })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(notify.createTopic('bad name')).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(notify.publish({ topic: 'alpha', message: '' })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(notify.publish({ topic: 'alpha', message: 'x', subject: 'two\nlines' })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(notify.publish({ topic: 'alpha', message: 'x'.repeat(256 * 1024 + 1) })).rejects.toMatchObject({ code: 'PayloadTooLarge' });
    await expect(notify.publish({ topic: 'alpha', message: 'x', attributes: { n: { DataType: 'Number', StringValue: 'abc' } } })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(notify.listMessages({ nextToken: 'garbage' })).rejects.toMatchObject({ code: 'BadRequest' });
  });

  it('fails email deliveries with a clear error when no SMTP server is configured', async () => {
    // A second platform on the same store would compete for deliveries; use the transport directly.
    const { emailTransport } = await import('../../src/notify/transports/email.js');
    const transport = emailTransport({ smtpUrl: undefined, from: 'x@y.z' });
    await expect(
      transport.send({
        deliveryId: 'd',
        message: { messageId: 'm', topic: 't', topicArn: 'arn:aws:sns:local:000000000000:t', message: 'hi', attributes: {}, publishedAt: new Date().toISOString() },
        subscription: { subscriptionId: 's', subscriptionArn: 'a', topic: 't', topicArn: 'a', protocol: 'email', endpoint: 'a@b.c', createdAt: '' },
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow(/SKYBATCH_SMTP_URL/);
  });
});
