/*
 * The data directory lock within one process: the kernel's fcntl lock does not tell two servers
 * of the same process apart, so the lock module must. (Across processes: test/cli/up-start.test.ts.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../src/store/server-lock.js';
import { tempDir } from '../support/backends.js';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = tempDir('skybatch-lock-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lockDataDir', () => {
  it('refuses a second lock in the same process until the first is released', () => {
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir)).toThrow(`another Skybatch server (pid ${process.pid}) is using ${dir}`);
    release();
    // Releasing twice is harmless and does not free someone else's lock.
    const again = lockDataDir(dir);
    release();
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    again();
  });

  it('takes over a lock file an earlier version left (a pid as text)', () => {
    const other = join(dir, 'old');
    const release0 = lockDataDir(other);
    release0();
    writeFileSync(join(other, 'server.lock'), '12345');
    const release = lockDataDir(other);
    expect(() => lockDataDir(other)).toThrow(DataDirLockedError);
    release();
  });
});
