/*
 * What the local executor needs from /proc and from signals. Linux only, like the executor.
 */
import { close, open, read } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

export interface ProcStat {
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Clock ticks after boot. */
  startTicks: number;
  rssPages: number;
}

/** Parses /proc/PID/stat; the command name may hold spaces and parentheses, so fields are counted from its last ')'. */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") ": field 3 (state) is index 0, so field N is index N - 3.
  const f = text.slice(close + 2).split(' ');
  const num = (field: number): number => Number(f[field - 3]);
  const stat = { state: f[0] ?? '?', ppid: num(4), pgrp: num(5), session: num(6), startTicks: num(22), rssPages: num(24) };
  return Number.isFinite(stat.pgrp) && Number.isFinite(stat.rssPages) ? stat : undefined;
}

/**
 * Callbacks and one read into a small buffer, not fs.promises.readFile: the memory poller reads
 * this for every process of every running job, and readFile's extra fstat and promise steps
 * made that 4-5 times as expensive (measured: 107 ms against 23 ms of CPU for 700 processes).
 */
export function readStat(pid: number): Promise<ProcStat | undefined> {
  return new Promise((resolve) => {
    open(`/proc/${pid}/stat`, 'r', (openError, fd) => {
      if (openError) return resolve(undefined);
      const buffer = Buffer.allocUnsafe(1024);
      read(fd, buffer, 0, buffer.length, 0, (readError, bytes) => {
        close(fd, () => undefined);
        resolve(readError ? undefined : parseStat(buffer.toString('latin1', 0, bytes)));
      });
    });
  });
}

/** A zombie has ended: it only waits for a parent (or an init that never reaps) to collect it. */
export function isRunning(stat: ProcStat | undefined): stat is ProcStat {
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * True when PID is the wrapper of that job attempt and not some process that got the pid
 * after it: it leads its own process group and its initial environment names the attempt.
 */
export async function isAttemptProcess(pid: number, jobId: string, attempt: number): Promise<boolean> {
  const stat = await readStat(pid);
  if (!isRunning(stat) || stat.pgrp !== pid) return false;
  let environ: string;
  try {
    environ = `\0${await readFile(`/proc/${pid}/environ`, 'utf8')}`;
  } catch {
    return false;
  }
  return environ.includes(`\0SKYBATCH_JOB_ID=${jobId}\0`) && environ.includes(`\0SKYBATCH_ATTEMPT=${attempt}\0`);
}

/**
 * The process of a job attempt whose pid was never recorded (the server died between starting
 * it and writing RUNNING): found by its environment among all process group leaders.
 */
export async function findAttemptProcess(jobId: string, attempt: number): Promise<number | undefined> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  for (const pid of pids) if (pid !== process.pid && (await isAttemptProcess(pid, jobId, attempt))) return pid;
  return undefined;
}

/** Seconds since the process started (USER_HZ is 100 on every Linux ABI Node runs on). */
export async function processAgeSeconds(stat: ProcStat): Promise<number> {
  const uptime = Number((await readFile('/proc/uptime', 'latin1')).split(' ')[0]);
  return Math.max(0, uptime - stat.startTicks / 100);
}

/** Signals a whole process group; false when it no longer exists (or is not ours: EPERM). */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw error;
  }
}

let pageSize: number | undefined;

/**
 * Bytes per page, for the rss field of /proc/PID/stat (4 KiB on x86, up to 64 KiB on arm64).
 * Node has no sysconf, but it reports its own RSS in bytes from the same counter.
 */
export async function getPageSize(): Promise<number> {
  if (pageSize === undefined) {
    const stat = await readStat(process.pid);
    const ratio = stat && stat.rssPages > 0 ? process.memoryUsage.rss() / stat.rssPages : 4096;
    pageSize = 2 ** Math.round(Math.log2(ratio));
  }
  return pageSize;
}
