/*
 * The console with 10,000 jobs: the jobs page fetches them a server page at a time as the
 * list scrolls and renders only the rows in view; the overview counts them all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../../src/api/server.js';
import { openPlatform, type OpenPlatform } from '../../../src/engine/platform.js';
import { until } from '../../support/backends.js';
import { haveChromium, launchChromium, screenshot } from './browser.js';

const JOBS = 10_000;
let dir: string;
let platform: OpenPlatform;
let app: FastifyInstance;
let url: string;
let browser: Browser;
let page: Page;

describe.skipIf(!haveChromium())('console with 10,000 jobs', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skybatch-many-'));
    // No scheduler (run: false): the jobs stay queued, as behind a busy cluster.
    platform = await openPlatform({ dataDir: dir, run: false });
    const batch = platform.batch;
    if (!batch) throw new Error('the platform has no batch service');
    await batch.resources.ensureDefaults();
    for (let i = 0; i < JOBS; i++) await batch.jobs.submit({ jobName: `job-${i}`, command: ['true'] });
    app = await createServer(platform);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const token = await platform.tokens.issue({ kind: 'admin' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${url}/?token=${token}`);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await platform?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts every job on the overview', async () => {
    await page.goto(`${url}/overview`);
    await page.getByRole('cell', { name: 'default' }).waitFor();
    const depth = await page.locator('tbody tr', { hasText: 'default' }).first().locator('td').allTextContents();
    expect(depth.slice(1).map(Number).reduce((a, b) => a + b, 0)).toBe(JOBS);
  });

  it('renders only the rows in view, and fetches the next server page when scrolled to the end', async () => {
    await page.goto(`${url}/jobs`);
    const table = page.getByRole('table', { name: 'Jobs' });
    await table.getByRole('link', { name: `job-${JOBS - 1}`, exact: true }).waitFor();
    expect(await table.getAttribute('aria-rowcount')).toBe('500');
    expect(await table.locator('[role="row"]').count()).toBeLessThan(80);
    await screenshot(page, 'jobs-10000');
    const body = table.getByRole('rowgroup', { name: 'Jobs rows' });
    for (let pageNo = 2; pageNo <= 3; pageNo++) {
      await body.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await until(async () => (await table.getAttribute('aria-rowcount')) === String(pageNo * 500), 20_000, 100).catch(async (err: Error) => {
        throw new Error(`${err.message}: page ${pageNo}, ${await table.getAttribute('aria-rowcount')} rows`);
      });
    }
    expect(await table.locator('[role="row"]').count()).toBeLessThan(80);
    // Scrolled to the end of page two (newest first): its last job is in view, the first page's are not.
    await table.getByRole('link', { name: `job-${JOBS - 1000}`, exact: true }).waitFor();
    expect(await table.getByRole('link', { name: `job-${JOBS - 1}`, exact: true }).count()).toBe(0);
    await body.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await table.getByRole('link', { name: `job-${JOBS - 1500}`, exact: true }).waitFor();
  });
});
