/*
 * File subscriptions: one JSON object per line, appended. A line is written with one
 * O_APPEND write, so lines from several deliveries (or servers on one file system) do not
 * interleave; the directory is created when missing.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { notificationDocument, type Delivery, type Transport } from './transport.js';

export const fileTransport: Transport = {
  async send(delivery: Delivery) {
    const path = delivery.subscription.endpoint;
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, `${JSON.stringify(notificationDocument(delivery))}\n`, { flag: 'a' });
  },
};
