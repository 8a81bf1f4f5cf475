/*
 * `skybatch task-token success|failure|heartbeat` through the real binary against a real
 * server, found the way a job finds it (SKYBATCH_ENDPOINT + SKYBATCH_TOKEN). Needs
 * `npm run build` (bin/skybatch.js runs dist/).
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionInfo, Page, ExecutionSummary } from '../../src/engine/types.js';
import { tempDir, until } from '../support/backends.js';
import { startServer, type RunningServer } from '../support/server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dataDir = '';
let server: RunningServer;

const parent = {
  StartAt: 'Ask',
  States: {
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.waitForTaskToken',
      Parameters: { StateMachineArn: 'child', Input: { 'token.$': '$$.Task.Token' } },
      End: true,
    },
  },
};

beforeAll(async () => {
  dataDir = tempDir('skybatch-task-token-cli-');
  server = await startServer({ dataDir });
  await server.api('POST', '/api/v1/state-machines', { name: 'child', definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } });
  await server.api('POST', '/api/v1/state-machines', { name: 'parent', definition: parent });
}, 60_000);

afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function skybatch(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, SKYBATCH_ENDPOINT: server.url, SKYBATCH_TOKEN: server.token };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/skybatch.js'), ...args], { cwd: dataDir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function waiting(): Promise<{ id: string; token: string }> {
  const started = await server.api<ExecutionInfo>('POST', '/api/v1/executions', { stateMachine: 'parent' });
  const token = await until(async () => {
    const list = await server.api<Page<ExecutionSummary>>('GET', '/api/v1/executions?stateMachine=child');
    for (const item of list.body.items) {
      const input = (await server.api<ExecutionInfo>('GET', `/api/v1/executions/${item.id}`)).body.input as { token: string };
      if (Buffer.from(input.token, 'base64url').toString().startsWith(`${started.body.executionArn}\n`)) return input.token;
    }
    return undefined;
  });
  return { id: started.body.id, token };
}

async function ended(id: string): Promise<ExecutionInfo> {
  return until(async () => {
    const e = (await server.api<ExecutionInfo>('GET', `/api/v1/executions/${id}`)).body;
    return e.status === 'RUNNING' ? undefined : e;
  });
}

describe('skybatch task-token', () => {
  it('heartbeat and success answer the task, silently; a second success exits 2', async () => {
    const { id, token } = await waiting();
    const beat = await skybatch('task-token', 'heartbeat', token);
    expect(beat, beat.stderr).toMatchObject({ code: 0, stdout: '' });
    const ok = await skybatch('task-token', 'success', token, '--output', '{"rows":3}');
    expect(ok, ok.stderr).toMatchObject({ code: 0, stdout: '' });
    expect(await ended(id)).toMatchObject({ status: 'SUCCEEDED', output: { rows: 3 } });

    const again = await skybatch('task-token', 'success', token);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^skybatch: NotFound: Task Timed Out/);
  });

  it('success reads --output from @file', async () => {
    const { id, token } = await waiting();
    writeFileSync(join(dataDir, 'out.json'), '["from", "file"]');
    const ok = await skybatch('task-token', 'success', token, '--output', '@out.json');
    expect(ok.code, ok.stderr).toBe(0);
    expect((await ended(id)).output).toEqual(['from', 'file']);
  });

  it('failure passes error and cause on', async () => {
    const { id, token } = await waiting();
    const res = await skybatch('task-token', 'failure', token, '--error', 'Human.Rejected', '--cause', 'looked wrong');
    expect(res.code, res.stderr).toBe(0);
    expect(await ended(id)).toMatchObject({ status: 'FAILED', error: 'Human.Rejected', cause: 'looked wrong' });
  });

  it('reports bad output JSON and unknown tokens as usage errors', async () => {
    const bad = await skybatch('task-token', 'success', 'whatever', '--output', '{oops');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--output is not valid JSON/);
    const unknown = await skybatch('task-token', 'heartbeat', 'whatever');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Invalid Token/);
    const missing = await skybatch('task-token', 'failure');
    expect(missing.code).toBe(2);
  });
});
