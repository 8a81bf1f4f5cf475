/*
 * The console end to end, in headless Chromium against a real `skybatch up`: log in with the
 * token, submit the string pipeline's form, watch the graph turn green, open a Map iteration,
 * follow a job's log live, upload and download an object, see the notification delivery. Also:
 * user strings with <script> render as text, a cookie request without the CSRF token is
 * refused, every control is labelled and the form works from the keyboard, and the first load
 * stays under its transfer budget. Screenshots of each page land in test-artifacts/web/.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../support/backends.js';
import { startServer, type RunningServer } from '../../support/server.js';
import { haveChromium, launchChromium, screenshot, unlabelledControls } from './browser.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const example = join(root, 'examples', 'string-pipeline');
const XSS = '<script>window.__xss = 1</script>';
const PIPELINE_MS = 240_000;

let server: RunningServer;
let work: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let executionId: string;

async function cli(...args: string[]) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SKYBATCH_')) delete env[key];
  // Not runCollected: its module also loads the CLI in-process, whose types clash with the DOM's.
  const { stdout } = await run(process.execPath, [join(root, 'bin', 'skybatch.js'), ...args, '--data', join(work, 'data')], { env, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** GETs `path` raw (no decompression), as a browser asking for gzip would. */
function rawGet(url: string): Promise<{ status: number; body: Buffer; encoding: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), encoding: res.headers['content-encoding'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!haveChromium())('console in Chromium', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'skybatch-web-'));
    server = await startServer({ dataDir: join(work, 'data') });
    // A copy, so the stack's file subscription writes into the test's folder.
    cpSync(example, join(work, 'string-pipeline'), { recursive: true });
    rmSync(join(work, 'string-pipeline', 'notifications.jsonl'), { force: true });
    await cli('apply', '-f', join(work, 'string-pipeline', 'stack.yaml'));
    writeFileSync(join(work, 'random.string'), execFileSync(process.execPath, [join(example, 'generate.mjs'), '--lines', '20000', '--seed', '3']));
    await cli('objects', 'put', 'data', 'random.string', join(work, 'random.string'));
    browser = await launchChromium();
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    // Below the test timeout, so that a step that never happens is named in the failure.
    page.setDefaultTimeout(20_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('logs in with the token from the URL, which then leaves the address bar', async () => {
    await page.goto(`${server.url}/?token=${server.token}`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(page.url()).toBe(`${server.url}/`);
    const cookies = await context.cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'skybatch_session', httpOnly: true, sameSite: 'Strict' })]);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await screenshot(page, 'overview');
  });

  it('checks the string pipeline form in the browser, from the keyboard, and starts it', async () => {
    await page.getByRole('link', { name: 'Forms', exact: true }).click();
    await page.getByRole('heading', { name: 'String pipeline' }).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    // The string pipeline's form is first, and its fields come in the order of the issue.
    const labels = await page.locator('form.form label code').allTextContents();
    expect(labels).toEqual(['ProjectNo', 'INPUT_BUCKET', 'INPUT_KEY', 'OUTPUT_BUCKET', 'SPLIT_NUM']);

    await page.getByLabel(/Project number/).focus();
    await page.keyboard.type('bad project!');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-SPLIT_NUM');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('5');
    await page.keyboard.press('Enter');
    await page.getByText('must match ^[A-Za-z0-9_-]{1,64}$').waitFor();
    await page.getByText('must be at least 10000').waitFor();
    expect(page.url()).toMatch(/\/forms/);
    await screenshot(page, 'form-invalid');

    await page.getByLabel(/Project number/).fill('WEB1');
    await page.getByLabel(/Lines per chunk/).fill('10000');
    await page.getByLabel(/Lines per chunk/).press('Enter');
    await page.waitForURL(/\/executions\/[^/]+$/);
    executionId = decodeURIComponent(page.url().split('/').pop() as string);
    await page.getByRole('heading', { name: /^Execution / }).waitFor();
  });

  it('refuses the form on the server too, naming the field', async () => {
    const res = await page.evaluate(async () => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const r = await fetch('/api/v1/forms/StringPipeline/submit', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken }, body: JSON.stringify({ values: { ProjectNo: 'P', SPLIT_NUM: 5 } }) });
      return { status: r.status, body: (await r.json()) as { error: { details: { fields: Record<string, string> } } } };
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.details.fields)).toEqual(['SPLIT_NUM']);
  });

  it('shows the execution graph turning green', async () => {
    const state = (name: string) => page.locator(`.react-flow__node[data-state="${name}"]`);
    await state('String_Split').waitFor();
    await until(async () => (await state('Finish').getAttribute('data-status')) === 'succeeded', PIPELINE_MS, 500);
    for (const name of ['String_Split', 'Job_Map', 'Parallel_Process', 'String_Repeat_Map', 'String_Reverse_Merge', 'Check_Output', 'Notification']) {
      expect(await state(name).getAttribute('data-status'), name).toBe('succeeded');
    }
    expect(await state('Failed').getAttribute('data-status')).toBe('not-started');
    await page.locator('h1 .status-succeeded').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'execution');
  }, PIPELINE_MS + 10_000);

  it('opens a Map iteration: its progress, its own events', async () => {
    const mapNode = page.locator('.react-flow__node[data-state="String_Repeat_Map"]');
    // The node itself counts its iterations.
    expect(await mapNode.getAttribute('aria-label')).toBe('String_Repeat_Map: succeeded, 2 of 2 iterations done, 0 failed, 0 running');
    expect(await mapNode.textContent()).toContain('2 done · 0 failed · 0 running');
    // A plain click: Playwright waits for the node to be visible and to hold still. Nodes used to
    // be handed to React Flow anew on every live reload, so it hid and measured them again, and
    // under CPU load the node never held still for 20 s (about 1 run in 6).
    await mapNode.click();
    const panel = page.getByTestId('map-iterations');
    await panel.waitFor();
    expect(await panel.getByTestId('map-done').textContent()).toBe('2');
    expect(await panel.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await panel.getByRole('button', { name: 'Iteration 1' }).click();
    await page.getByRole('heading', { name: 'Event history of iteration String_Repeat_Map#1' }).waitFor();
    const states = await page.getByRole('table', { name: 'Event history' }).locator('[role="row"] [role="cell"]:nth-child(3)').allTextContents();
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set(['String_Repeat']));
    // The iteration's own item: chunk 1.
    expect(await page.getByLabel('Input of iteration String_Repeat_Map#1').textContent()).toContain('"INDEX": 1');
    await screenshot(page, 'map-iteration');
  });

  it('keeps the graph nodes shown across live reloads (React Flow keeps their measured size)', async () => {
    // Watch every node for being hidden, which React Flow does to a node it has to measure again.
    await page.evaluate(() => {
      const w = window as unknown as { __hidden: string[]; __reloads: number };
      w.__hidden = [];
      w.__reloads = 0;
      const observer = new MutationObserver((records) => {
        for (const r of records) {
          const el = r.target as HTMLElement;
          if (el.classList.contains('react-flow__node') && el.style.visibility === 'hidden') w.__hidden.push(el.dataset.state ?? '?');
        }
      });
      observer.observe(document.querySelector('.react-flow') as Element, { attributes: true, attributeFilter: ['style'], subtree: true });
      const fetch0 = window.fetch.bind(window);
      window.fetch = (input, init) => {
        if (String(input).includes('/history')) w.__reloads++;
        return fetch0(input, init);
      };
    });
    // Another execution changes the `executions` topic: this page reloads its execution.
    // (They wait, and are stopped below: the overview test further on counts one success.)
    const definition = { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 3600, End: true } } };
    expect((await server.api('POST', '/api/v1/state-machines', { name: 'reload-probe', definition })).status).toBe(201);
    const probes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const started = await server.api<{ id: string }>('POST', '/api/v1/executions', { stateMachine: 'reload-probe' });
      expect(started.status).toBe(201);
      probes.push(started.body.id);
      await until(async () => (await page.evaluate(() => (window as unknown as { __reloads: number }).__reloads)) > i, 10_000, 50);
    }
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __hidden: string[] }).__hidden)).toEqual([]);
    for (const id of probes) await server.api('POST', `/api/v1/executions/${id}/stop`, {});
  });

  it('follows a job log live, and renders a <script> log line as text', async () => {
    // The job holds on until the test lets it go, so the page must have shown its first lines while it ran.
    const go = join(work, 'go');
    const script = `echo first line; echo '${XSS}'; while [ ! -e "$GO_FILE" ]; do sleep 0.1; done; echo last line`;
    const submitted = await server.api<{ jobId: string }>('POST', '/api/v1/jobs', { jobName: 'live-log', command: ['/bin/sh', '-c', script], environment: [{ name: 'GO_FILE', value: go }] });
    expect(submitted.status).toBe(201);
    const jobId = submitted.body.jobId;
    await page.goto(`${server.url}/jobs/${encodeURIComponent(jobId)}`);
    const log = page.getByTestId('job-log');
    try {
      await until(async () => (await log.textContent())?.includes(XSS), 30_000, 100);
    } finally {
      await screenshot(page, 'job-live');
    }
    expect(await page.getByRole('heading', { name: /^Log/ }).textContent()).toBe('Log (live)');
    expect((await server.api<{ status: string }>('GET', `/api/v1/jobs/${jobId}`)).body.status).toBe('RUNNING');
    writeFileSync(go, '');
    await until(async () => (await log.textContent())?.includes('last line'), 30_000, 100);
    // The status changes on the page by itself (server-sent events), no reload.
    await page.locator('h1 .status-succeeded').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('script:not([src])').count()).toBe(0);
    await screenshot(page, 'job-done');
  }, 90_000);

  it('renders a <script> status reason as text', async () => {
    const submitted = await server.api<{ jobId: string }>('POST', '/api/v1/jobs', { jobName: 'held', command: ['sleep', '30'] });
    const jobId = submitted.body.jobId;
    expect((await server.api('POST', `/api/v1/jobs/${jobId}/terminate`, { reason: XSS })).status).toBe(200);
    await page.goto(`${server.url}/jobs/${encodeURIComponent(jobId)}`);
    await page.getByText(`Status reason: ${XSS}`).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('refuses a job name with <script> at the server, and renders one stored anyway as text', async () => {
    const res = await server.api('POST', '/api/v1/jobs', { jobName: XSS, command: ['true'] });
    expect(res.status).toBe(400);
    // As an older version, or another tool sharing the database, could have stored it.
    const submitted = await server.api<{ jobId: string }>('POST', '/api/v1/jobs', { jobName: 'renamed-later', command: ['true'] });
    const jobId = submitted.body.jobId;
    await until(async () => (await server.api<{ status: string }>('GET', `/api/v1/jobs/${jobId}`)).body.status === 'SUCCEEDED', 30_000, 100);
    const db = new Database(join(work, 'data', 'skybatch.db'));
    try {
      db.pragma('busy_timeout = 5000');
      const { body } = db.prepare('SELECT body FROM jobs WHERE job_id = ?').get(jobId) as { body: string };
      db.prepare('UPDATE jobs SET body = ? WHERE job_id = ?').run(JSON.stringify({ ...(JSON.parse(body) as object), jobName: XSS }), jobId);
    } finally {
      db.close();
    }
    await page.goto(`${server.url}/jobs`);
    await page.getByRole('link', { name: XSS, exact: true }).first().waitFor();
    await page.goto(`${server.url}/jobs/${encodeURIComponent(jobId)}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: XSS }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('script:not([src])').count()).toBe(0);
  });

  it('uploads by drag and drop, and downloads what it uploaded', async () => {
    await page.goto(`${server.url}/objects/data`);
    await page.getByTestId('dropzone').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    // A drop carries the file in a DataTransfer, as dragging one from the desktop does.
    const dataTransfer = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['dropped from the desktop\n'], 'dropped.txt', { type: 'text/plain' }));
      return transfer;
    });
    await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
    const link = page.getByRole('link', { name: 'Download dropped.txt' });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const path = await download.path();
    expect(readFileSync(path, 'utf8')).toBe('dropped from the desktop\n');
    expect((await server.api<{ items: { key: string }[] }>('GET', '/api/v1/buckets/data/objects?prefix=dropped')).body.items.map((o) => o.key)).toEqual(['dropped.txt']);
    await screenshot(page, 'objects');
  });

  it('renders an object key with <script> as text', async () => {
    const key = `xss-${XSS.replace(/\//g, '')}.txt`;
    const res = await fetch(`${server.url}/api/v1/buckets/data/objects/${encodeURIComponent(key)}`, { method: 'PUT', headers: { authorization: `Bearer ${server.token}` }, body: 'x' });
    expect(res.status).toBe(200);
    await page.goto(`${server.url}/objects/data`);
    await page.getByText(key, { exact: true }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('shows the notification delivery of the pipeline', async () => {
    await page.getByRole('link', { name: 'Notifications', exact: true }).click();
    const deliveries = page.getByTestId('deliveries');
    await deliveries.locator('.status-delivered').first().waitFor();
    expect(await deliveries.textContent()).toContain('notifications.jsonl');
    await screenshot(page, 'notifications');
  });

  it('shows the state machine as a graph, JSON and YAML, and lists executions and jobs', async () => {
    await page.goto(`${server.url}/state-machines/StringPipeline`);
    await page.locator('.react-flow__node[data-state="Check_Output"]').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'state-machine');
    await page.getByLabel('YAML').check();
    expect(await page.getByLabel('Definition as yaml').textContent()).toContain('StartAt: String_Split');
    await page.getByRole('link', { name: 'Executions', exact: true }).click();
    await page.locator(`a[href="/executions/${encodeURIComponent(executionId)}"]`).waitFor();
    await screenshot(page, 'executions');
    await page.goto(`${server.url}/jobs?execution=${encodeURIComponent(executionId)}`);
    await page.getByRole('link', { name: 'String_Split' }).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await screenshot(page, 'jobs');
    await page.goto(`${server.url}/overview`);
    await page.getByTestId('executions-SUCCEEDED').filter({ hasText: '1' }).waitFor();
    await screenshot(page, 'overview-after');
  });

  it('stops a running execution and redrives it, from its page', async () => {
    const nap = { StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 3600, End: true } } };
    expect((await server.api('POST', '/api/v1/state-machines', { name: 'nap', definition: nap })).status).toBe(201);
    const started = await server.api<{ id: string }>('POST', '/api/v1/executions', { stateMachine: 'nap' });
    await page.goto(`${server.url}/executions/${encodeURIComponent(started.body.id)}`);
    await page.locator('.react-flow__node[data-state="Nap"][data-status="running"]').waitFor();
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('h1 .status-aborted').waitFor();
    await page.getByRole('button', { name: 'Redrive' }).click();
    await page.locator('h1 .status-running').waitFor();
    expect((await server.api<{ redriveCount: number }>('GET', `/api/v1/executions/${started.body.id}`)).body.redriveCount).toBe(1);
    await server.api('POST', `/api/v1/executions/${started.body.id}/stop`, {});
  });

  it('shows an array job with its children counted by status in the list', async () => {
    const submitted = await server.api<{ jobId: string }>('POST', '/api/v1/jobs', { jobName: 'array-of-three', command: ['true'], arraySize: 3 });
    expect(submitted.status).toBe(201);
    await page.goto(`${server.url}/jobs`);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'array-of-three', exact: true }) });
    await row.getByText('3 succeeded').waitFor();
  });

  it('sends no cookie with a form posted from another site (SameSite=Strict)', async () => {
    // localhost and 127.0.0.1 are different sites to the browser.
    const evil = createHttpServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form method="POST" action="${server.url}/api/v1/executions" enctype="text/plain"><input name='{"stateMachine":"nap","x":"' value='"}'></form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const port = (evil.address() as { port: number }).port;
    const before = (await server.api<{ items: unknown[] }>('GET', '/api/v1/executions?stateMachine=nap')).body.items.length;
    const [response] = await Promise.all([page.waitForResponse(`${server.url}/api/v1/executions`), page.goto(`http://localhost:${port}/`)]);
    expect(response.status()).toBe(401);
    expect((await server.api<{ items: unknown[] }>('GET', '/api/v1/executions?stateMachine=nap')).body.items.length).toBe(before);
    evil.close();
  });

  it('refuses a POST authenticated by the cookie but without the CSRF token', async () => {
    const status = await page.evaluate(async () => {
      const r = await fetch('/api/v1/executions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stateMachine: 'StringPipeline' }) });
      return r.status;
    });
    expect(status).toBe(403);
  });

  it('goes to the login page when the session is gone, and a pasted token logs in again', async () => {
    await page.goto(`${server.url}/overview`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await context.clearCookies();
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.waitForURL(/\/login\?error=/);
    await page.getByRole('alert').filter({ hasText: 'Your console session has ended' }).waitFor();
    await screenshot(page, 'login');
    await page.getByLabel('Access token').fill(server.token);
    await page.getByLabel('Access token').press('Enter');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect((await context.cookies()).map((c) => c.name)).toEqual(['skybatch_session']);
  });

  it('transfers under 500 KB compressed on the first load', async () => {
    const index = await rawGet(`${server.url}/`);
    const html = (index.encoding === 'gzip' ? (await import('node:zlib')).gunzipSync(index.body) : index.body).toString();
    const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    let total = index.body.length;
    for (const asset of assets) {
      const res = await rawGet(`${server.url}${asset}`);
      expect(res.status, asset).toBe(200);
      total += res.body.length;
    }
    console.log(`console first load: ${total} bytes compressed (${assets.length + 1} files)`);
    expect(total).toBeLessThan(500 * 1024);
  });
});
