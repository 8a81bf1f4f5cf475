/*
 * A webhook that answers an error whose body holds a NUL byte: PostgreSQL cannot store NUL in
 * text, so recording the attempt's error would fail, and the delivery would stay pending with
 * no reason, claimed again and again. It must fail with a readable reason, and deliveries to
 * the other subscriptions of the same message go out.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenPlatform } from '../../src/engine/platform.js';
import { storableText } from '../../src/store/text.js';
import { backends, until, type BackendHandle } from '../support/backends.js';
import { openTestPlatform, startWebhookReceiver, type WebhookReceiver } from './helpers.js';

it('storable text shows NUL as \\0 and bounds the length', () => {
  expect(storableText('a\u0000b')).toBe('a\\0b');
  expect(storableText('x'.repeat(5000))).toHaveLength(4000);
  expect(storableText(' keep  spaces ')).toBe(' keep  spaces ');
});

describe.each(backends)('a poisoned delivery on $name', (backend) => {
  let handle: BackendHandle;
  let platform: OpenPlatform;
  let hook: WebhookReceiver;
  let nul: Server;
  let nulUrl: string;

  beforeAll(async () => {
    handle = await backend.create();
    hook = await startWebhookReceiver();
    nul = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(500, { 'content-type': 'text/plain' }).end('broken\u0000body'));
    });
    await new Promise<void>((resolve) => nul.listen(0, '127.0.0.1', resolve));
    nulUrl = `http://127.0.0.1:${(nul.address() as AddressInfo).port}/`;
    platform = await openTestPlatform(handle);
  });
  afterAll(async () => {
    await platform.close();
    await hook.close();
    await new Promise((resolve) => nul.close(resolve));
    await handle.cleanup();
  });

  it('fails with the reason shown, and the other subscription is delivered', async () => {
    const notify = platform.notifications!;
    await notify.createTopic('mixed');
    const badSub = await notify.subscribe({ topic: 'mixed', protocol: 'webhook', endpoint: nulUrl });
    const goodSub = await notify.subscribe({ topic: 'mixed', protocol: 'webhook', endpoint: hook.url });
    const { messageId } = await notify.publish({ topic: 'mixed', message: 'hello' });
    const items = await until(async () => {
      const page = await notify.listDeliveries({ messageId });
      return page.items.length === 2 && page.items.every((d) => d.status !== 'pending') ? page.items : undefined;
    });
    const bad = items.find((d) => d.subscriptionId === badSub.subscriptionId)!;
    const good = items.find((d) => d.subscriptionId === goodSub.subscriptionId)!;
    expect(good.status).toBe('delivered');
    expect(bad.status).toBe('failed');
    expect(bad.lastError).toBe('HTTP 500: broken\\0body');
    expect(bad.attempts.map((a) => a.outcome)).toEqual(['error', 'error', 'error']);
  });
});
