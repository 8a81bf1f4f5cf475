/*
 * Email subscriptions through nodemailer, to the SMTP server of SKYBATCH_SMTP_URL
 * (smtp://user:pass@host:587, smtps://... for TLS from the start). Without one, email
 * deliveries fail with a message saying what to set, and are retried like any failure.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Delivery, Transport } from './transport.js';

export interface EmailOptions {
  smtpUrl?: string | undefined;
  from: string;
}

export function emailTransport(options: EmailOptions): Transport {
  let transporter: Transporter | undefined;
  return {
    async send(delivery: Delivery) {
      if (!options.smtpUrl) throw new Error('no SMTP server is configured: set SKYBATCH_SMTP_URL (e.g. smtp://user:password@mail.example.com:587)');
      // Bounded waits: a silent SMTP server must not hold a delivery (or a server's shutdown) for minutes.
      transporter ??= nodemailer.createTransport(options.smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
      const { message } = delivery;
      const sent = transporter.sendMail({
        from: options.from,
        to: delivery.subscription.endpoint,
        subject: message.subject ?? `Notification from ${message.topic}`,
        text: `${message.message}\n\n--\nSent by Skybatch for topic ${message.topicArn} (message ${message.messageId}).\nUnsubscribe: skybatch subscriptions delete ${delivery.subscription.subscriptionId}\n`,
        headers: { 'X-Skybatch-Message-Id': message.messageId },
      });
      // nodemailer cannot abort a send; stop waiting for it instead, so the dispatcher can stop.
      await new Promise<void>((resolve, reject) => {
        const aborted = () => reject(new Error('delivery aborted'));
        if (delivery.signal.aborted) aborted();
        delivery.signal.addEventListener('abort', aborted, { once: true });
        sent.then(
          () => resolve(),
          (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
        ).finally(() => delivery.signal.removeEventListener('abort', aborted));
      });
    },
    close() {
      transporter?.close();
    },
  };
}
