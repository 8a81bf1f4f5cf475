/*
 * A real small file system for full-disk tests: a tmpfs mounted on a fresh directory. Mounting
 * needs root, which CI has; elsewhere the suite is skipped with the reason, never in CI.
 */
import { execFileSync } from 'node:child_process';
import { openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './backends.js';

export const canMount = process.getuid?.() === 0;

/** Why a full-disk suite does not run here; undefined when it does (always in CI, where it must). */
export const tmpfsSkipReason: string | undefined = canMount || process.env.CI ? undefined : 'full-disk tests mount a tmpfs and need root (they always run in CI)';

export interface Tmpfs {
  dir: string;
  /** Writes a file until the disk refuses (ENOSPC); returns its path. */
  fill(): string;
  unmount(): void;
}

export function mountTmpfs(sizeMiB: number): Tmpfs {
  const dir = tempDir('skybatch-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  return {
    dir,
    fill() {
      const path = join(dir, 'filler');
      const fd = openSync(path, 'a');
      const block = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(fd, block);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
      // The last partial block: tmpfs accepts writes down to the final page.
      const small = openSync(path, 'a');
      try {
        for (;;) writeSync(small, block.subarray(0, 512));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(small);
      }
      return path;
    },
    unmount() {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
