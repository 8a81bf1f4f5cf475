/*
 * Memory limits for local jobs: one timer for all running jobs sums the resident memory of
 * every process in each job's process group and reports a group over its limit.
 *
 * Cheapness: a scan lists /proc once and reads /proc/PID/stat only for pids it has not seen
 * before and for members of watched groups. A pid seen outside every watched group is not read
 * again while it lives: a process can only move to a group of its own session, and each job is
 * a session of its own (spawned detached), so an outsider never joins a job.
 *
 * RSS double-counts pages shared between the processes of a job (a fork, a shared library),
 * so the sum errs on the high side of what a cgroup would charge.
 */
import { readdir } from 'node:fs/promises';
import { getPageSize, readStat } from './local-proc.js';

export type OnOverLimit = (usedMiB: number) => void;

const MiB = 1024 * 1024;

export class GroupMemoryPoller {
  private readonly groups = new Map<number, { limitBytes: number; onOverLimit: OnOverLimit }>();
  /** pid -> process group of every process seen by the last scan. */
  private known = new Map<number, number>();
  /** A timer is pending or a scan runs: never two scans at once. */
  private busy = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly intervalMs: number) {}

  /** Calls `onOverLimit` once, the first time the group's resident memory exceeds `limitMiB`. */
  watch(pgid: number, limitMiB: number, onOverLimit: OnOverLimit): void {
    if (this.closed || !(limitMiB > 0)) return;
    this.groups.set(pgid, { limitBytes: limitMiB * MiB, onOverLimit });
    this.schedule();
  }

  unwatch(pgid: number): void {
    this.groups.delete(pgid);
  }

  close(): void {
    this.closed = true;
    this.groups.clear();
    this.known.clear();
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs = this.intervalMs): void {
    if (this.busy || this.closed || this.groups.size === 0) return;
    this.busy = true;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    // Watching must not keep a server that is shutting down alive.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    const started = performance.now();
    try {
      await this.scan();
    } catch {
      // /proc unreadable for a moment: try again next time rather than kill on bad data.
    } finally {
      this.busy = false;
      // With thousands of processes a scan takes tens of milliseconds: space scans out so
      // that watching never takes more than about 5% of the server's time.
      this.schedule(Math.max(this.intervalMs, 20 * (performance.now() - started)));
    }
  }

  private async scan(): Promise<void> {
    const [names, pageSize] = await Promise.all([readdir('/proc'), getPageSize()]);
    const next = new Map<number, number>();
    const used = new Map<number, number>();
    await Promise.all(
      names.map(async (name) => {
        const first = name.charCodeAt(0);
        if (first < 48 || first > 57) return;
        const pid = Number(name);
        const previous = this.known.get(pid);
        if (previous !== undefined && !this.groups.has(previous)) {
          next.set(pid, previous);
          return;
        }
        const stat = await readStat(pid);
        if (!stat) return;
        next.set(pid, stat.pgrp);
        if (this.groups.has(stat.pgrp)) used.set(stat.pgrp, (used.get(stat.pgrp) ?? 0) + stat.rssPages * pageSize);
      }),
    );
    if (this.closed) return;
    this.known = next;
    for (const [pgid, bytes] of used) {
      const group = this.groups.get(pgid);
      if (group && bytes > group.limitBytes) {
        this.groups.delete(pgid);
        group.onOverLimit(Math.ceil(bytes / MiB));
      }
    }
  }
}
