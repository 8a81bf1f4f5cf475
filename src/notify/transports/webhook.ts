/*
 * Webhook subscriptions: an HTTP POST of the notification as JSON, signed so the receiver can
 * tell it came from this server:
 *   X-Skybatch-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed by the subscription's secret>
 *   X-Skybatch-Timestamp: <seconds since the epoch, also the body's Timestamp>
 * The body carries the timestamp and the MessageId, so a receiver that checks the signature
 * can also refuse old or repeated deliveries. Any 2xx is delivered; anything else, a timeout
 * or a connection error is a failed attempt.
 */
import { createHmac } from 'node:crypto';
import { notificationDocument, type Delivery, type Transport } from './transport.js';

export const SIGNATURE_HEADER = 'x-skybatch-signature';
export const TIMESTAMP_HEADER = 'x-skybatch-timestamp';

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function webhookTransport(options: { timeoutMs: number }): Transport {
  return {
    async send(delivery: Delivery) {
      const now = new Date();
      const body = JSON.stringify({ ...notificationDocument(delivery), DeliveryId: delivery.deliveryId, SentAt: now.toISOString() });
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'skybatch-notifications',
        [TIMESTAMP_HEADER]: String(Math.floor(now.getTime() / 1000)),
        'x-skybatch-message-id': delivery.message.messageId,
        'x-skybatch-delivery-id': delivery.deliveryId,
      };
      if (delivery.secret !== undefined) headers[SIGNATURE_HEADER] = sign(delivery.secret, body);
      const signal = AbortSignal.any([delivery.signal, AbortSignal.timeout(options.timeoutMs)]);
      let response: Response;
      try {
        response = await fetch(delivery.subscription.endpoint, { method: 'POST', headers, body, signal, redirect: 'manual' });
      } catch (err) {
        const cause = (err as Error).cause as NodeJS.ErrnoException | undefined;
        if ((err as Error).name === 'TimeoutError') throw new Error(`no answer within ${options.timeoutMs} ms`);
        throw new Error(`cannot reach ${delivery.subscription.endpoint}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      }
      // Only the status matters; drain the body so the connection can be reused.
      const text = await response.text().catch(() => '');
      if (!response.ok) throw new Error(`HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
    },
  };
}
