/*
 * `skybatch up` reads SKYBATCH_SMTP_URL and SKYBATCH_SMTP_FROM: a mail published through the
 * REST API of a real server process reaches a real SMTP server. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, until } from '../support/backends.js';
import { startServer, type RunningServer } from '../support/server.js';
import { startSmtpServer } from './helpers.js';

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let server: RunningServer;
const saved = { url: process.env.SKYBATCH_SMTP_URL, from: process.env.SKYBATCH_SMTP_FROM };

beforeAll(async () => {
  smtp = await startSmtpServer();
  process.env.SKYBATCH_SMTP_URL = smtp.url;
  process.env.SKYBATCH_SMTP_FROM = 'pipelines@skybatch.test';
  server = await startServer({ dataDir: tempDir() });
});
afterAll(async () => {
  await server?.stop();
  await smtp.close();
  for (const [key, value] of [['SKYBATCH_SMTP_URL', saved.url], ['SKYBATCH_SMTP_FROM', saved.from]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('email from skybatch up', () => {
  it('sends through the SMTP server of SKYBATCH_SMTP_URL', async () => {
    expect((await server.api('POST', '/api/v1/topics', { name: 'ops' })).status).toBe(201);
    expect((await server.api('POST', '/api/v1/topics/ops/subscriptions', { protocol: 'email', endpoint: 'oncall@skybatch.test' })).status).toBe(201);
    const published = await server.api<{ messageId: string }>('POST', '/api/v1/topics/ops/publish', { message: 'mission M accomplished', subject: 'Mission M' });
    expect(published.status).toBe(200);
    const mail = await until(async () => smtp.mails.find((m) => m.raw.includes(published.body.messageId)));
    expect(mail).toMatchObject({ from: 'pipelines@skybatch.test', to: ['oncall@skybatch.test'] });
    expect(mail.raw).toMatch(/^Subject: Mission M\r?$/m);
    expect(mail.raw).toContain('mission M accomplished');
  });
});
