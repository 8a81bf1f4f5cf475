/*
 * Real receivers for notification tests: an HTTP server that records webhook posts and answers
 * with scripted statuses, and an in-process SMTP server (smtp-server) that keeps the mails.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { openPlatform, type OpenPlatform, type PlatformOptions } from '../../src/engine/platform.js';
import type { BackendHandle } from '../support/backends.js';

export interface WebhookReceiver {
  url: string;
  posts: { headers: IncomingHttpHeaders; body: string }[];
  /** Statuses to answer with, in order (push to it); 200 once they run out. */
  script: number[];
  /** How long to wait before answering (set it), e.g. to outlast a lease. */
  delay: { ms: number };
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const posts: WebhookReceiver['posts'] = [];
  const script: number[] = [];
  const delay = { ms: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      posts.push({ headers: req.headers, body });
      const status = script.shift() ?? 200;
      setTimeout(() => res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try again'), delay.ms);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, posts, script, delay, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

export async function startSmtpServer(): Promise<{ url: string; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A platform with fast polls and short retry delays, so retries happen within a test. */
export function openTestPlatform(handle: BackendHandle, extra: Partial<PlatformOptions> = {}): Promise<OpenPlatform> {
  const { notify, objectEvents, ...rest } = extra;
  return openPlatform({
    dataDir: handle.dataDir,
    databaseUrl: handle.databaseUrl,
    pollMs: 20,
    notify: { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 }, pollMs: 20, ...notify },
    objectEvents: { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 }, pollMs: 20, ...objectEvents },
    ...rest,
  });
}
