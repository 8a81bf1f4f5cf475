/*
 * The local executor: each attempt is a detached session (its own process group) on this
 * machine, under a /bin/sh wrapper that records the exit code in a file (local-wrapper.ts).
 * stdout and stderr are the job's log file itself, opened by us and inherited as fds, so a job
 * keeps running and logging when the server dies; the next server finds it again by pid and
 * exit file (recover). Timeouts and terminate kill the whole group, SIGTERM then SIGKILL; one
 * shared timer watches the memory of every running group (local-memory.ts).
 *
 * Per job the server pays one spawn and three async file operations (mkdir, open, close);
 * nothing else runs per job unless the job has a timeout (one timer) or is being stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, open, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { AttemptHandle, AttemptOutcome, Executor, ExecutorJob, OnExit } from './executor.js';
import { containerName, containerRunArgv, detectContainerRuntime, noRuntimeReason, removeContainer, type ContainerRuntime } from './local-container.js';
import { GroupMemoryPoller } from './local-memory.js';
import { isAttemptProcess, isRunning, processAgeSeconds, readStat, signalGroup } from './local-proc.js';
import { exitFilePath, NOT_FOUND_EXIT_CODE, readExitFile, wrapperArgv, type ExitRecord } from './local-wrapper.js';

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
}

const EXITED = 'Essential container in task exited';
const TIMED_OUT = 'Job attempt duration exceeded timeout';
const OOM = 'OutOfMemoryError: Container killed due to memory usage';

/** How the wrapper ended: `lost` when it left no exit code (killed, or gone while we were away). */
type Ended = { exitCode: number | null; signal?: string; notFound?: boolean; lost?: boolean };

interface Attempt {
  readonly key: string;
  readonly job: ExecutorJob;
  readonly pgid: number;
  readonly exitFile: string;
  readonly onExit: OnExit;
  readonly runtime: ContainerRuntime | undefined;
  /** Our child; undefined for an attempt of a previous server. */
  readonly child: ChildProcess | undefined;
  /** For an adopted attempt: its start time, which changes if the pid is reused. */
  readonly startTicks?: number;
  timer?: NodeJS.Timeout;
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
  private closed = false;

  constructor(options: LocalExecutorOptions = {}) {
    this.host = options.host ?? hostname();
    this.memory = new GroupMemoryPoller(options.memoryPollMs ?? 250);
    this.runtimeOption = options.containerRuntime;
    this.killGraceMs = options.killGraceMs ?? 2000;
    this.recoverPollMs = options.recoverPollMs ?? 500;
  }

  async start(job: ExecutorJob, onExit: OnExit): Promise<AttemptHandle> {
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
    // Together, not one after the other: each is a round trip to the thread pool, per job.
    const [made, opened] = await Promise.allSettled([mkdir(dirname(exitFile), { recursive: true }), openLog(job.logFile)]);
    if (made.status === 'rejected' || opened.status === 'rejected') {
      if (opened.status === 'fulfilled') opened.value.close().catch(() => undefined);
      return cannotStart(`CannotStartContainerError: ${errorMessage(made.status === 'rejected' ? made.reason : (opened as PromiseRejectedResult).reason)}`);
    }
    const log = opened.value;
    const env = { ...this.baseEnv, ...job.environment, SKYBATCH_JOB_ID: job.jobId, SKYBATCH_ATTEMPT: String(job.attempt) };
    // A container gets the job's variables only, not the server's (its PATH, HOME... are the image's).
    const names = [...new Set([...Object.keys(job.environment), 'SKYBATCH_JOB_ID', 'SKYBATCH_ATTEMPT'])];
    const command = runtime === undefined ? job.command : [runtime, ...containerRunArgv({ ...job, workDir }, job.image ?? '', names)];
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', wrapperArgv(command, exitFile), { cwd: workDir, env, detached: true, stdio: ['ignore', log.fd, log.fd] });
    } catch (error) {
      return cannotStart(`CannotStartContainerError: ${errorMessage(error)}`);
    } finally {
      // The child has its own copy of the fd.
      log.close().catch(() => undefined);
    }
    const pid = child.pid;
    if (pid === undefined) {
      child.once('error', (error) => cannotStart(`CannotStartContainerError: ${error.message}`));
      return { host: this.host };
    }
    const attempt: Attempt = { key, job: { ...job, workDir }, pgid: pid, exitFile, onExit, runtime, child, groupDone: true, reported: false };
    child.on('error', () => undefined);
    child.once('exit', (code, signal) => void this.childExited(attempt, code, signal));
    this.track(attempt, job.timeoutSeconds === undefined ? undefined : job.timeoutSeconds * 1000);
    return { host: this.host, pid };
  }

  async terminate(jobId: string, attempt: number, statusReason: string): Promise<void> {
    const running = this.attempts.get(attemptKey(jobId, attempt));
    if (running) this.stop(running, { exitCode: null, statusReason }, 'SIGTERM', `skybatch: terminated: ${statusReason}\n`);
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
    const record = await readExitFile(exitFile);
    if (record) return reportRecord(record);
    const pid = handle.pid;
    const stat = pid === undefined ? undefined : await readStat(pid);
    if (pid === undefined || !isRunning(stat) || !(await isAttemptProcess(pid, job.jobId, job.attempt))) {
      // It may have ended between the two looks.
      const late = await readExitFile(exitFile);
      return late ? reportRecord(late) : false;
    }
    const runtime = job.image === undefined ? undefined : await this.containerRuntime();
    const attempt: Attempt = { key: attemptKey(job.jobId, job.attempt), job: { ...job, workDir }, pgid: pid, exitFile, onExit, runtime, child: undefined, startTicks: stat.startTicks, groupDone: true, reported: false };
    const remainingMs = job.timeoutSeconds === undefined ? undefined : Math.max(0, job.timeoutSeconds - (await processAgeSeconds(stat))) * 1000;
    this.track(attempt, remainingMs);
    this.adopted.add(attempt);
    this.adoptedTimer ??= setInterval(() => void this.checkAdopted(), this.recoverPollMs).unref();
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.memory.close();
    clearInterval(this.adoptedTimer);
    for (const attempt of this.attempts.values()) {
      clearTimeout(attempt.timer);
      // Jobs run on; only our handle on them goes, so that the server can exit.
      attempt.child?.unref();
    }
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
      attempt.timer = setTimeout(() => {
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

  private async childExited(attempt: Attempt, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    // 127 is also an ordinary exit code: only the wrapper's mark in the exit file says "not found".
    const notFound = code === NOT_FOUND_EXIT_CODE && attempt.job.command.length !== 1 && attempt.runtime === undefined && (await readExitFile(attempt.exitFile))?.notFound === true;
    attempt.ended = signal === null ? { exitCode: code, notFound } : { exitCode: null, signal };
    this.settle(attempt);
  }

  /** Attempts of a previous server are not our children: their end shows as an exit file, or as the pid gone. */
  private async checkAdopted(): Promise<void> {
    for (const attempt of this.adopted) {
      if (attempt.ended) continue;
      let record = await readExitFile(attempt.exitFile);
      if (!record) {
        const stat = await readStat(attempt.pgid);
        if (isRunning(stat) && stat.startTicks === attempt.startTicks) continue;
        record = await readExitFile(attempt.exitFile);
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
    clearTimeout(attempt.timer);
    appendFile(attempt.job.logFile, logLine).catch(() => undefined);
    if (signal === 'SIGKILL') return this.killGroup(attempt);
    signalGroup(attempt.pgid, 'SIGTERM');
    const deadline = Date.now() + this.killGraceMs;
    // Short checks rather than one long timer: most jobs die at once on SIGTERM.
    const check = (): void => {
      if (attempt.reported || this.closed) return;
      if (!signalGroup(attempt.pgid, 0) || Date.now() >= deadline) return this.killGroup(attempt);
      attempt.timer = setTimeout(check, Math.min(100, this.killGraceMs)).unref();
    };
    attempt.timer = setTimeout(check, Math.min(100, this.killGraceMs)).unref();
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
    clearTimeout(attempt.timer);
    this.memory.unwatch(attempt.pgid);
    if (this.attempts.get(attempt.key) === attempt) this.attempts.delete(attempt.key);
    this.adopted.delete(attempt);
    if (this.adopted.size === 0) {
      clearInterval(this.adoptedTimer);
      this.adoptedTimer = undefined;
    }
    // Like a container, an attempt ends with its main process: what it left in the background goes too.
    if (!attempt.stop) signalGroup(attempt.pgid, 'SIGKILL');
    attempt.onExit(attempt.stop ?? outcomeOf(attempt.job, attempt.ended));
  }
}

function attemptKey(jobId: string, attempt: number): string {
  return `${jobId}#${attempt}`;
}

function outcomeOf(job: ExecutorJob, ended: Ended): AttemptOutcome {
  if (ended.notFound) return { exitCode: null, statusReason: `CannotStartContainerError: exec: "${job.command[0] ?? ''}": executable file not found` };
  if (ended.lost) return { exitCode: null, statusReason: 'CannotInspectContainerError: the attempt ended without recording an exit code (its wrapper process was killed)' };
  if (ended.signal !== undefined) return { exitCode: null, reason: `Killed by ${ended.signal}`, statusReason: EXITED };
  return { exitCode: ended.exitCode, statusReason: EXITED };
}

async function openLog(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'a');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(path), { recursive: true });
    return open(path, 'a');
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
