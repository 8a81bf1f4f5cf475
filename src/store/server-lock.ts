/*
 * One server per SQLite data directory: SQLite has a single writer, and a server frees the
 * task leases it finds at start, which is only right when no other server holds them.
 *
 * The lock is a lock the kernel holds for us and drops when the process dies, however it dies:
 * DIR/server.lock is opened as a SQLite database in exclusive locking mode with a write
 * transaction open, which SQLite backs with a POSIX fcntl lock on the file. A second process
 * gets SQLITE_BUSY at once. A pid written in a file could not do this: after a reboot, or
 * once the pid was reused, a stale file named a live, unrelated process.
 *
 * fcntl locks belong to a process, not to a file descriptor, so a second server started in the
 * same process (tests, embedders) would be let through by the kernel: `held` refuses it.
 */
import { mkdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';

export class DataDirLockedError extends Error {}

/** The lock files this process holds. */
const held = new Set<string>();

/** Takes the lock or throws DataDirLockedError; returns the release function. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'server.lock');
  if (held.has(path)) throw lockedError(dataDir, process.pid);
  const db = openLocked(path, dataDir);
  held.add(path);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    db.close();
    held.delete(path);
  };
}

function openLocked(path: string, dataDir: string): SQLite.Database {
  for (let attempt = 0; ; attempt++) {
    const db = new SQLite(path, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      return db;
    } catch (err) {
      db.close();
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_BUSY') throw lockedError(dataDir, holderPid(path));
      // Earlier versions wrote the holder's pid into this file as text. Emptied in place, not
      // deleted: another starting server may have opened this very file meanwhile, and must
      // contend for the same inode's lock rather than get one of its own.
      if (code === 'SQLITE_NOTADB' && attempt === 0) {
        truncateSync(path, 0);
        continue;
      }
      throw err;
    }
  }
}

function lockedError(dataDir: string, pid: number | undefined): DataDirLockedError {
  return new DataDirLockedError(`another Skybatch server${pid === undefined ? '' : ` (pid ${pid})`} is using ${dataDir}`);
}

/** Who holds the lock, for the message: Linux lists each lock's pid and inode in /proc/locks. */
function holderPid(path: string): number | undefined {
  try {
    const inode = statSync(path).ino;
    for (const line of readFileSync('/proc/locks', 'utf8').split('\n')) {
      const fields = line.trim().split(/\s+/);
      // "1: POSIX  ADVISORY  WRITE 12107 fe:00:2147744 1073741824 1073742335"
      if (fields[1] === 'POSIX' && fields[5]?.endsWith(`:${inode}`)) return Number(fields[4]);
    }
  } catch {
    // Not Linux, or the file went: the message goes without a pid.
  }
  return undefined;
}
