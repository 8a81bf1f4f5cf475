/*
 * Waiting executions live in the database, not in memory: 10,000 of them on their timers
 * keep the server under 300 MB of RSS.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/backends.js';

const run = promisify(execFile);

describe('memory', () => {
  it('stays under 300 MB RSS while 10,000 executions wait on timers', async () => {
    const dir = tempDir();
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/engine/fixtures/many-timers.ts', dir, '10000'], { maxBuffer: 1 << 20, timeout: 170_000 });
      const result = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { peakRss: number; waiting: number };
      expect(result.waiting).toBe(10_000);
      expect(result.peakRss).toBeLessThan(300 * 1024 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
