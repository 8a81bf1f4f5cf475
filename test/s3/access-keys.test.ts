/*
 * S3 access keys: the service on both stores, and the REST routes and `skybatch access-keys`
 * against a real `skybatch up` (needs `npm run build`), including the default pair it keeps.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/errors.js';
import { openPlatform } from '../../src/engine/platform.js';
import { backends, tempDir } from '../support/backends.js';
import { startServer, type RunningServer } from '../support/server.js';
import { runCollected } from '../support/run-collected.js';

describe.each(backends)('access keys on $name', (backend) => {
  it('creates keys shown once, lists them without secrets, deletes them, adopts a known pair', async () => {
    const handle = await backend.create();
    const platform = await openPlatform({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl, run: false });
    try {
      const keys = platform.accessKeys!;
      const key = await keys.create({ description: 'pipeline' });
      expect(key.accessKeyId).toMatch(/^SKY[A-Z0-9]{17}$/);
      expect(key.secretAccessKey).toMatch(/^[A-Za-z0-9]{40}$/);
      expect(await keys.secretFor(key.accessKeyId)).toBe(key.secretAccessKey);
      const listed = await keys.list();
      expect(listed).toEqual([{ accessKeyId: key.accessKeyId, description: 'pipeline', createdAt: key.createdAt }]);
      expect(JSON.stringify(listed)).not.toContain(key.secretAccessKey);

      await keys.delete(key.accessKeyId);
      expect(await keys.secretFor(key.accessKeyId)).toBeUndefined();
      await expect(keys.delete(key.accessKeyId)).rejects.toBeInstanceOf(NotFoundError);

      const pair = { accessKeyId: 'SKBADOPTED0000000001', secretAccessKey: 'a'.repeat(40) };
      expect(await keys.adopt(pair)).toBe(true);
      expect(await keys.adopt(pair)).toBe(true);
      expect(await keys.adopt({ ...pair, secretAccessKey: 'b'.repeat(40) })).toBe(false);
      expect(await keys.secretFor(pair.accessKeyId)).toBe(pair.secretAccessKey);
    } finally {
      await platform.close();
      await handle.cleanup();
    }
  });
});

const root = fileURLToPath(new URL('../..', import.meta.url));

function skybatch(dataDir: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SKYBATCH_')) delete env[key];
  return runCollected(process.execPath, [join(root, 'bin/skybatch.js'), ...args, '--data', dataDir], { env });
}

describe('access keys through the API and the CLI', () => {
  let dataDir = '';
  let server: RunningServer;

  beforeAll(async () => {
    dataDir = tempDir();
    server = await startServer({ dataDir });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('skybatch up keeps a default pair in endpoint.json and s3-credentials (0600), known to the store', async () => {
    const endpoint = JSON.parse(readFileSync(join(dataDir, 'endpoint.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string; s3Endpoint: string };
    expect(endpoint.s3Endpoint).toBe(`${server.url}/s3`);
    const credentials = readFileSync(join(dataDir, 's3-credentials'), 'utf8');
    expect(credentials).toContain(`aws_access_key_id = ${endpoint.accessKeyId}`);
    expect(credentials).toContain(`aws_secret_access_key = ${endpoint.secretAccessKey}`);
    expect(statSync(join(dataDir, 's3-credentials')).mode & 0o777).toBe(0o600);
    const listed = await server.api<{ items: { accessKeyId: string }[] }>('GET', '/api/v1/access-keys');
    expect(listed.body.items.map((k) => k.accessKeyId)).toContain(endpoint.accessKeyId);

    const shown = await skybatch(dataDir, 'access-keys', 'default');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`export AWS_ACCESS_KEY_ID=${endpoint.accessKeyId}`);
    expect(shown.stdout).toContain(`export AWS_SECRET_ACCESS_KEY=${endpoint.secretAccessKey}`);
  });

  it('creates, lists and deletes keys over REST with the API error conventions', async () => {
    const created = await server.api<{ accessKeyId: string; secretAccessKey: string }>('POST', '/api/v1/access-keys', { description: 'ci' });
    expect(created.status).toBe(201);
    expect(created.body.secretAccessKey).toHaveLength(40);
    const listed = await server.api<{ items: Record<string, unknown>[] }>('GET', '/api/v1/access-keys');
    const mine = listed.body.items.find((k) => k.accessKeyId === created.body.accessKeyId);
    expect(mine).toMatchObject({ description: 'ci' });
    expect(mine).not.toHaveProperty('secretAccessKey');

    expect((await server.api('DELETE', `/api/v1/access-keys/${created.body.accessKeyId}`)).status).toBe(204);
    const again = await server.api<{ error: { code: string } }>('DELETE', `/api/v1/access-keys/${created.body.accessKeyId}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('NotFound');

    const badId = await server.api<{ error: { code: string } }>('DELETE', '/api/v1/access-keys/not-a-key');
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe('ValidationError');
    const badBody = await server.api<{ error: { code: string } }>('POST', '/api/v1/access-keys', { description: 'x'.repeat(300) });
    expect(badBody.status).toBe(400);
    const unauthenticated = await fetch(`${server.url}/api/v1/access-keys`);
    expect(unauthenticated.status).toBe(401);
  });

  it('skybatch access-keys create | list | delete', async () => {
    const created = await skybatch(dataDir, 'access-keys', 'create', '--description', 'from the cli', '--json');
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout) as { accessKeyId: string; secretAccessKey: string };
    const listed = await skybatch(dataDir, 'access-keys', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(key.accessKeyId);
    expect(listed.stdout).toContain('from the cli');
    expect(listed.stdout).not.toContain(key.secretAccessKey);
    expect((await skybatch(dataDir, 'access-keys', 'delete', key.accessKeyId)).code).toBe(0);
    const missing = await skybatch(dataDir, 'access-keys', 'delete', key.accessKeyId);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('NotFound');
  });

  it('a restart keeps the default pair', async () => {
    const before = JSON.parse(readFileSync(join(dataDir, 'endpoint.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    await server.stop();
    server = await startServer({ dataDir });
    const after = JSON.parse(readFileSync(join(dataDir, 'endpoint.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    expect(after.accessKeyId).toBe(before.accessKeyId);
    expect(after.secretAccessKey).toBe(before.secretAccessKey);
  }, 60_000);
});
