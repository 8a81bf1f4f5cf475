/*
 * The local executor: each attempt is a detached session (its own process group) on this
 * machine, started by a launcher (local-launcher.ts: the native one, or Node's spawn under a
 * shell wrapper) that records the exit code even when the server is gone (the native one in
 * its exit journal, local-exit-journal.ts; the wrapper in the attempt's exit file).
 * stdout and stderr are the job's log file itself, so a job keeps running and logging when
 * the server dies; the next server finds it again by pid and exit record (recover). Timeouts
 * and terminate kill the whole group, SIGTERM then SIGKILL; one shared timer watches the
 * memory of every running group (local-memory.ts).
 *
 * Per job the server pays one request to the launcher and one reply; nothing else runs per
 * job unless the job has a timeout (one timer) or is being stopped.
 */
import { appendFile } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { AttemptHandle, AttemptOutcome, Executor, ExecutorJob, OnExit, StartOptions } from './executor.js';
import { containerName, containerRunArgv, detectContainerRuntime, noRuntimeReason, removeContainer, type ContainerRuntime } from './local-container.js';
import { GroupMemoryPoller } from './local-memory.js';
import { findAttemptProcess, isAttemptProcess, isRunning, processAgeSeconds, readStat, signalGroup } from './local-proc.js';
import { LaunchCancelled, type LaunchEnd, type Launcher } from './local-launcher.js';
import { NativeLauncher, nativeLauncherAvailable } from './local-native-launcher.js';
import { SpawnLauncher } from './local-spawn-launcher.js';
import { exitFilePath, readExitFile, type ExitRecord } from './local-wrapper.js';
import { ExitJournals, journalFileName } from './local-exit-journal.js';
import { setLongTimeout, type LongTimer } from '../../util/long-timer.js';

export interface LocalExecutorOptions {
  host?: string;
  /** How often the memory of running jobs is measured. */
  memoryPollMs?: number;
  /** Default: the first of podman and docker that works, detected when an image job first starts. */
  containerRuntime?: ContainerRuntime | 'none';
  /** Between SIGTERM and SIGKILL when a job is stopped. */
  killGraceMs?: number;
  /** How often attempts of a previous server (not our children) are checked. */
  recoverPollMs?: number;
  /** `native` (the default where it was built) or `spawn` (Node's, slower; always available). */
  launcher?: 'native' | 'spawn';
  /**
   * Where native launchers keep their exit journals; a restarted server must be given the same
   * folder to recover its predecessor's attempts. `skybatch up` uses DATA/launcher.
   */
  exitJournalDir?: string;
}

const EXITED = 'Essential container in task exited';
const TIMED_OUT = 'Job attempt duration exceeded timeout';
const OOM = 'OutOfMemoryError: Container killed due to memory usage';

/** How the wrapper ended: `lost` when it left no exit code (killed, or gone while we were away). */
type Ended = { exitCode: number | null; signal?: string; notFound?: boolean; lost?: boolean; startError?: string; groupKilled?: boolean };

interface Attempt {
  readonly key: string;
  readonly job: ExecutorJob;
  readonly pgid: number;
  readonly exitFile: string;
  readonly onExit: OnExit;
  readonly runtime: ContainerRuntime | undefined;
  /** For an adopted attempt: its start time, which changes if the pid is reused. */
  startTicks?: number;
  timer?: LongTimer;
  /** Set when we stop the attempt: what to report, whatever the exit code turns out to be. */
  stop?: AttemptOutcome;
  /** Nothing of the group is left to wait for: it is gone or got SIGKILL. */
  groupDone: boolean;
  ended?: Ended;
  reported: boolean;
}

export class LocalExecutor implements Executor {
  readonly kind = 'local';
  private readonly host: string;
  private readonly killGraceMs: number;
  private readonly recoverPollMs: number;
  private readonly runtimeOption: ContainerRuntime | 'none' | undefined;
  private runtimeDetected: Promise<ContainerRuntime | undefined> | undefined;
  /**
   * Taken once, as reading process.env is slow. The server's own SKYBATCH_* (its database URL,
   * its admin token) are left out: a job gets its own, scoped ones from the scheduler.
   */
  private readonly baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SKYBATCH_')));
  private readonly attempts = new Map<string, Attempt>();
  private readonly adopted = new Set<Attempt>();
  private readonly memory: GroupMemoryPoller;
  private adoptedTimer: NodeJS.Timeout | undefined;
  private readonly launcher: Launcher;
  /** Why a waiting start was dropped, until its launch reports it. */
  private readonly cancelled = new Map<string, string>();
  private readonly journals: ExitJournals;
  private closed = false;

  constructor(options: LocalExecutorOptions = {}) {
    this.host = options.host ?? hostname();
    this.memory = new GroupMemoryPoller(options.memoryPollMs ?? 250);
    this.runtimeOption = options.containerRuntime;
    this.killGraceMs = options.killGraceMs ?? 2000;
    this.recoverPollMs = options.recoverPollMs ?? 500;
    const journalDir = options.exitJournalDir ?? join(tmpdir(), `skybatch-exits-${userInfo().uid}`);
    this.journals = new ExitJournals(journalDir);
    this.journals.removeStale();
    const native = (options.launcher ?? 'native') === 'native' && nativeLauncherAvailable();
    this.launcher = native ? new NativeLauncher(join(journalDir, journalFileName(this.host)), this.baseEnv) : new SpawnLauncher(this.baseEnv);
  }

  async start(job: ExecutorJob, onExit: OnExit, options: StartOptions = {}): Promise<AttemptHandle> {
    const key = attemptKey(job.jobId, job.attempt);
    if (this.closed) throw new Error('LocalExecutor.start after close');
    if (this.attempts.has(key)) throw new Error(`attempt ${key} is already running`);
    const cannotStart = (statusReason: string): AttemptHandle => {
      setImmediate(() => onExit({ exitCode: null, statusReason }));
      return { host: this.host };
    };
    const runtime = job.image === undefined ? undefined : await this.containerRuntime();
    if (job.image !== undefined && runtime === undefined) return cannotStart(noRuntimeReason(job.image));
    if (job.command.length === 0 && runtime === undefined) return cannotStart('CannotStartContainerError: the job has no command');

    const workDir = resolve(job.workDir);
    const exitFile = exitFilePath(workDir, job.attempt);
    const env = { ...job.environment, SKYBATCH_JOB_ID: job.jobId, SKYBATCH_ATTEMPT: String(job.attempt) };
    // A container gets the job's variables only, not the server's (its PATH, HOME... are the image's).
    const names = [...new Set([...Object.keys(job.environment), 'SKYBATCH_JOB_ID', 'SKYBATCH_ATTEMPT'])];
    const command = runtime === undefined ? job.command : [runtime, ...containerRunArgv({ ...job, workDir }, job.image ?? '', names)];
    // A single element is a shell command line, as with sbatch --wrap.
    const argv = command.length === 1 ? ['/bin/sh', '-c', command[0] as string] : command;
    // The end may be reported before launch() returns (a job that exits at once).
    const state: { attempt?: Attempt; early?: LaunchEnd } = {};
    let pid: number | undefined;
    try {
      pid = await this.launcher.launch({ key, ...(options.after ? { after: attemptKey(options.after.jobId, options.after.attempt) } : {}), argv, env, workDir, logFile: job.logFile, exitFile }, (end) => {
        if (state.attempt) void this.launchEnded(state.attempt, end);
        else state.early = end;
      });
    } catch (error) {
      if (error instanceof LaunchCancelled) return cannotStart(this.cancelled.get(key) ?? 'Cancelled before it started');
      return cannotStart(`CannotStartContainerError: ${errorMessage(error)}`);
    } finally {
      this.cancelled.delete(key);
    }
    if (pid === undefined) {
      setImmediate(() => onExit(outcomeOf(job, { exitCode: null, notFound: true })));
      return { host: this.host };
    }
    const attempt: Attempt = { key, job: { ...job, workDir }, pgid: pid, exitFile, onExit, runtime, groupDone: true, reported: false };
    state.attempt = attempt;
    this.track(attempt, job.timeoutSeconds === undefined ? undefined : job.timeoutSeconds * 1000);
    // Not before start() has returned: the caller records RUNNING first, then the end.
    const early = state.early;
    if (early) setImmediate(() => void this.launchEnded(attempt, early));
    return { host: this.host, pid };
  }

  async terminate(jobId: string, attempt: number, statusReason: string): Promise<void> {
    const key = attemptKey(jobId, attempt);
    const running = this.attempts.get(key);
    if (running) return this.stop(running, { exitCode: null, statusReason }, 'SIGTERM', `skybatch: terminated: ${statusReason}\n`);
    // Not started: it may be waiting for the attempt it comes after.
    await this.dropWaiting(jobId, attempt, statusReason);
  }

  async dropWaiting(jobId: string, attempt: number, statusReason = 'Cancelled before it started'): Promise<boolean> {
    const key = attemptKey(jobId, attempt);
    this.cancelled.set(key, statusReason);
    const dropped = await this.launcher.cancel(key);
    if (!dropped) this.cancelled.delete(key);
    return dropped;
  }

  async recover(job: ExecutorJob, handle: AttemptHandle, onExit: OnExit): Promise<boolean> {
    if (this.closed) throw new Error('LocalExecutor.recover after close');
    // Another host's processes are not visible from here.
    if (handle.host !== this.host) return false;
    if (this.attempts.has(attemptKey(job.jobId, job.attempt))) throw new Error(`attempt ${attemptKey(job.jobId, job.attempt)} is already watched`);
    const workDir = resolve(job.workDir);
    const exitFile = exitFilePath(workDir, job.attempt);
    const reportRecord = (record: ExitRecord): true => {
      setImmediate(() => onExit(outcomeOf(job, { exitCode: record.exitCode, notFound: record.notFound })));
      return true;
    };
    const key = attemptKey(job.jobId, job.attempt);
    const record = await this.exitRecord(key, exitFile);
    if (record) return reportRecord(record);
    const pid = handle.pid ?? (await findAttemptProcess(job.jobId, job.attempt));
    const stat = pid === undefined ? undefined : await readStat(pid);
    if (pid === undefined || !isRunning(stat) || !(await isAttemptProcess(pid, job.jobId, job.attempt))) {
      // It may have ended between the two looks.
      const late = await this.exitRecord(key, exitFile);
      if (!late) this.journals.forget(key);
      return late ? reportRecord(late) : false;
    }
    const runtime = job.image === undefined ? undefined : await this.containerRuntime();
    const attempt: Attempt = { key, job: { ...job, workDir }, pgid: pid, exitFile, onExit, runtime, startTicks: stat.startTicks, groupDone: true, reported: false };
    const remainingMs = job.timeoutSeconds === undefined ? undefined : Math.max(0, job.timeoutSeconds - (await processAgeSeconds(stat))) * 1000;
    this.track(attempt, remainingMs);
    this.adopt(attempt);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.memory.close();
    this.launcher.close();
    clearInterval(this.adoptedTimer);
    for (const attempt of this.attempts.values()) attempt.timer?.clear();
    this.attempts.clear();
    this.adopted.clear();
  }

  private containerRuntime(): Promise<ContainerRuntime | undefined> {
    if (this.runtimeOption === 'none') return Promise.resolve(undefined);
    if (this.runtimeOption !== undefined) return Promise.resolve(this.runtimeOption);
    return (this.runtimeDetected ??= detectContainerRuntime());
  }

  private track(attempt: Attempt, timeoutMs: number | undefined): void {
    this.attempts.set(attempt.key, attempt);
    const { job } = attempt;
    if (timeoutMs !== undefined) {
      attempt.timer = setLongTimeout(() => {
        const line = `skybatch: killed: attempt ${job.attempt} ran past its timeout of ${job.timeoutSeconds} seconds\n`;
        this.stop(attempt, { exitCode: null, reason: `Killed after the timeout of ${job.timeoutSeconds} seconds`, statusReason: TIMED_OUT }, 'SIGTERM', line);
      }, timeoutMs).unref();
    }
    // A container's memory is the runtime's to limit (--memory); its client's is no measure of it.
    if (attempt.runtime === undefined) {
      this.memory.watch(attempt.pgid, job.memoryMiB, (usedMiB) => {
        const line = `skybatch: killed: the job used ${usedMiB} MiB of memory, over its limit of ${job.memoryMiB} MiB\n`;
        this.stop(attempt, { exitCode: 137, reason: OOM, statusReason: OOM }, 'SIGKILL', line);
      });
    }
  }

  private async launchEnded(attempt: Attempt, end: LaunchEnd): Promise<void> {
    const groupKilled = end.groupKilled ?? false;
    if (end.startError !== undefined) {
      attempt.ended = { exitCode: null, startError: end.startError, groupKilled };
      return this.settle(attempt);
    }
    if (!end.orphaned) {
      attempt.ended = end.signal === undefined ? { exitCode: end.exitCode, notFound: end.notFound ?? false, groupKilled } : { exitCode: null, signal: end.signal, groupKilled };
      return this.settle(attempt);
    }
    // Its launcher died: the process may run on, so it is watched like a previous server's.
    const stat = await readStat(attempt.pgid);
    if (isRunning(stat) && (await isAttemptProcess(attempt.pgid, attempt.job.jobId, attempt.job.attempt))) {
      attempt.startTicks = stat.startTicks;
      return this.adopt(attempt);
    }
    const record = await this.exitRecord(attempt.key, attempt.exitFile);
    attempt.ended = record ? { exitCode: record.exitCode, notFound: record.notFound } : { exitCode: null, lost: true };
    this.settle(attempt);
  }

  /** How an attempt whose launcher is no longer ours ended, from whichever launcher ran it. */
  private async exitRecord(key: string, exitFile: string): Promise<ExitRecord | undefined> {
    return (await this.journals.lookup(key)) ?? (await readExitFile(exitFile));
  }

  private adopt(attempt: Attempt): void {
    this.adopted.add(attempt);
    this.adoptedTimer ??= setInterval(() => void this.checkAdopted(), this.recoverPollMs).unref();
  }

  /** Attempts of a previous server are not our children: their end shows as an exit record, or as the pid gone. */
  private async checkAdopted(): Promise<void> {
    for (const attempt of this.adopted) {
      if (attempt.ended) continue;
      let record = await this.exitRecord(attempt.key, attempt.exitFile);
      if (!record) {
        const stat = await readStat(attempt.pgid);
        if (isRunning(stat) && stat.startTicks === attempt.startTicks) continue;
        record = await this.exitRecord(attempt.key, attempt.exitFile);
      }
      attempt.ended = record ? { exitCode: record.exitCode, notFound: record.notFound } : { exitCode: null, lost: true };
      this.settle(attempt);
    }
  }

  /**
   * Stops an attempt: SIGTERM gives the job `killGraceMs` to clean up before SIGKILL. The
   * first reason wins (a timeout during a terminate stays a terminate).
   */
  private stop(attempt: Attempt, outcome: AttemptOutcome, signal: 'SIGTERM' | 'SIGKILL', logLine: string): void {
    if (attempt.stop || attempt.reported) return;
    attempt.stop = outcome;
    attempt.groupDone = false;
    attempt.timer?.clear();
    appendFile(attempt.job.logFile, logLine).catch(() => undefined);
    if (signal === 'SIGKILL') return this.killGroup(attempt);
    signalGroup(attempt.pgid, 'SIGTERM');
    const deadline = Date.now() + this.killGraceMs;
    // Short checks rather than one long timer: most jobs die at once on SIGTERM.
    const check = (): void => {
      if (attempt.reported || this.closed) return;
      if (!signalGroup(attempt.pgid, 0) || Date.now() >= deadline) return this.killGroup(attempt);
      attempt.timer = setLongTimeout(check, Math.min(100, this.killGraceMs)).unref();
    };
    attempt.timer = setLongTimeout(check, Math.min(100, this.killGraceMs)).unref();
  }

  private killGroup(attempt: Attempt): void {
    signalGroup(attempt.pgid, 'SIGKILL');
    if (attempt.runtime) removeContainer(attempt.runtime, containerName(attempt.job));
    attempt.groupDone = true;
    this.settle(attempt);
  }

  /** Reports once the wrapper has ended and, when we are stopping it, the rest of the group too. */
  private settle(attempt: Attempt): void {
    if (attempt.reported || !attempt.ended || !attempt.groupDone || this.closed) return;
    attempt.reported = true;
    attempt.timer?.clear();
    this.memory.unwatch(attempt.pgid);
    this.journals.forget(attempt.key);
    if (this.attempts.get(attempt.key) === attempt) this.attempts.delete(attempt.key);
    this.adopted.delete(attempt);
    if (this.adopted.size === 0) {
      clearInterval(this.adoptedTimer);
      this.adoptedTimer = undefined;
    }
    // Like a container, an attempt ends with its main process: what it left in the background goes
    // too (the native launcher has done it already, before the group id could be reused).
    if (!attempt.stop && !attempt.ended.groupKilled) signalGroup(attempt.pgid, 'SIGKILL');
    attempt.onExit(attempt.stop ?? outcomeOf(attempt.job, attempt.ended));
  }
}

function attemptKey(jobId: string, attempt: number): string {
  return `${jobId}#${attempt}`;
}

function outcomeOf(job: ExecutorJob, ended: Ended): AttemptOutcome {
  if (ended.startError !== undefined) return { exitCode: null, statusReason: `CannotStartContainerError: ${ended.startError}` };
  if (ended.notFound) return { exitCode: null, statusReason: `CannotStartContainerError: exec: "${job.command[0] ?? ''}": executable file not found` };
  if (ended.lost) return { exitCode: null, statusReason: 'CannotInspectContainerError: the attempt ended without recording an exit code (its wrapper process was killed)' };
  if (ended.signal !== undefined) return { exitCode: null, reason: `Killed by ${ended.signal}`, statusReason: EXITED };
  return { exitCode: ended.exitCode, statusReason: EXITED };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
