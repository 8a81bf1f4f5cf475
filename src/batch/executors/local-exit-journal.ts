/*
 * Exit journals: where the native launcher records how each job it started ended, one file per
 * launcher process (`<host>-<server pid>-<started ms>.exits`, lines "<key> <code>[ not-found]").
 * The server learns exits from the launcher's pipe; it reads journals only when that pipe is
 * gone: attempts of a previous server (recover) and attempts whose launcher died.
 *
 * Reading keeps only the records of attempts asked about, so a server that never recovers
 * anything holds nothing of them in memory.
 * A journal is deleted once no process has it open (its launcher has exited) and it was last
 * written more than a week ago: the attempts it records were long since settled.
 */
import { closeSync, fstatSync, openSync, readSync, readdirSync, readlinkSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitRecord } from './local-wrapper.js';

const JOURNAL_SUFFIX = '.exits';
const STALE_MS = 7 * 24 * 3600 * 1000;

export function journalFileName(host: string, now = Date.now()): string {
  return `${host.replace(/[^A-Za-z0-9._-]/g, '_')}-${process.pid}-${now}${JOURNAL_SUFFIX}`;
}

export class ExitJournals {
  /** Bytes of each file already parsed. */
  private readonly offsets = new Map<string, number>();
  /** A partial last line per file, completed by the next read. */
  private readonly tails = new Map<string, string>();
  /** Attempts asked about whose record was not found yet, and the records found. */
  private readonly wanted = new Set<string>();
  private readonly found = new Map<string, ExitRecord>();
  private rescan: Promise<void> | undefined;

  constructor(readonly dir: string) {}

  /**
   * How attempt `key` ended, if a launcher recorded it. A key asked about for the first time
   * may have been read past already, so it costs a scan of the journals from their start; keys
   * asked about in the same turn of the event loop (a restart recovering many attempts, a
   * launcher dying under many) share that scan. Later asks read only what was appended since.
   */
  async lookup(key: string): Promise<ExitRecord | undefined> {
    if (this.wanted.has(key)) {
      this.scan();
    } else {
      this.wanted.add(key);
      await (this.rescan ??= new Promise<void>((done) => setImmediate(done)).then(() => {
        this.rescan = undefined;
        this.offsets.clear();
        this.tails.clear();
        this.scan();
      }));
    }
    const record = this.found.get(key);
    if (record !== undefined) this.forget(key);
    return record;
  }

  /** Stops looking for `key` (its attempt was settled some other way). */
  forget(key: string): void {
    this.wanted.delete(key);
    this.found.delete(key);
  }

  /** Parses what was appended since the last scan, keeping the records of wanted attempts. */
  private scan(): void {
    for (const name of this.journalNames()) {
      const path = join(this.dir, name);
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch {
        continue;
      }
      try {
        const size = fstatSync(fd).size;
        let offset = this.offsets.get(path) ?? 0;
        if (size <= offset) continue;
        const buffer = Buffer.alloc(size - offset);
        const read = readSync(fd, buffer, 0, buffer.length, offset);
        offset += read;
        this.offsets.set(path, offset);
        const lines = ((this.tails.get(path) ?? '') + buffer.toString('latin1', 0, read)).split('\n');
        this.tails.set(path, lines.pop() ?? '');
        for (const line of lines) {
          const space = line.indexOf(' ');
          const key = line.slice(0, space);
          if (space < 0 || !this.wanted.has(key)) continue;
          const match = /^(\d+)( not-found)?$/.exec(line.slice(space + 1));
          if (match) this.found.set(key, { exitCode: Number(match[1]), notFound: match[2] !== undefined });
        }
      } finally {
        closeSync(fd);
      }
    }
  }

  /** Deletes journals of launchers that are gone, last written over a week ago. */
  removeStale(now = Date.now()): void {
    const old = this.journalNames()
      .map((name) => join(this.dir, name))
      .filter((path) => {
        try {
          return now - statSync(path).mtimeMs >= STALE_MS;
        } catch {
          return false;
        }
      });
    // Which files processes hold open is a walk over every process's fds: only when it matters.
    if (old.length === 0) return;
    const open = openJournalPaths(this.dir);
    for (const path of old) {
      if (open.has(path)) continue;
      try {
        unlinkSync(path);
      } catch {
        // Gone already, or not ours to delete: either way nothing to do.
      }
      this.offsets.delete(path);
      this.tails.delete(path);
    }
  }

  private journalNames(): string[] {
    try {
      return readdirSync(this.dir).filter((name) => name.endsWith(JOURNAL_SUFFIX));
    } catch {
      return [];
    }
  }
}

/** Journals some process of this machine holds open: the launchers still running. */
function openJournalPaths(dir: string): Set<string> {
  const open = new Set<string>();
  for (const pid of safeReaddir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    for (const fd of safeReaddir(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith(dir) && target.endsWith(JOURNAL_SUFFIX)) open.add(target);
      } catch {
        // The process or fd went away while we looked.
      }
    }
  }
  return open;
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
