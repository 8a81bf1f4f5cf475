/*
 * The local executor against real processes: nothing is mocked, every job is a real process
 * group, started by the native launcher and by the /bin/sh-wrapper fallback alike.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptHandle, AttemptOutcome, ExecutorJob } from '../../../src/batch/executors/executor.js';
import { containerRunArgv } from '../../../src/batch/executors/local-container.js';
import { LocalExecutor, type LocalExecutorOptions } from '../../../src/batch/executors/local.js';
import { nativeLauncherAvailable } from '../../../src/batch/executors/local-native-launcher.js';

const EXITED = 'Essential container in task exited';
const TIMED_OUT = 'Job attempt duration exceeded timeout';
const OOM = 'OutOfMemoryError: Container killed due to memory usage';

let root: string;
let seq = 0;
const executors: LocalExecutor[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'skybatch-local-executor-'));
});

afterAll(async () => {
  await Promise.all(executors.map((e) => e.close()));
  rmSync(root, { recursive: true, force: true });
});

/** Which launcher the executors of the running describe block use. */
let launcher: 'native' | 'spawn' = 'native';

function executor(options: LocalExecutorOptions = {}): LocalExecutor {
  const created = new LocalExecutor({ memoryPollMs: 50, killGraceMs: 500, recoverPollMs: 100, launcher, exitJournalDir: join(root, 'exits'), ...options });
  executors.push(created);
  return created;
}

function job(overrides: Partial<ExecutorJob> = {}): ExecutorJob {
  const jobId = `job-${++seq}`;
  return { jobId, attempt: 1, command: ['true'], environment: {}, workDir: join(root, jobId, 'work'), logFile: join(root, jobId, 'job.log'), vcpus: 1, memoryMiB: 512, ...overrides };
}

/**
 * The exit code as the launcher recorded it for a later server: the native launcher in its
 * exit journal, the shell wrapper in the attempt's exit file. Undefined while none is.
 */
function recordedExit(j: ExecutorJob): string | undefined {
  if (launcher === 'spawn') {
    const file = join(j.workDir, '.skybatch', `attempt-${j.attempt}.exit`);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }
  const dir = join(root, 'exits');
  const lines = existsSync(dir) ? readdirSync(dir).flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n')) : [];
  const line = lines.find((l) => l.startsWith(`${j.jobId}#${j.attempt} `));
  return line === undefined ? undefined : `${line.slice(line.indexOf(' ') + 1)}\n`;
}

/** Starts a job; `outcome` resolves at its end, and fails the test if onExit is called twice. */
async function start(ex: LocalExecutor, j: ExecutorJob): Promise<{ handle: AttemptHandle; outcome: Promise<AttemptOutcome> }> {
  let calls = 0;
  let resolve!: (outcome: AttemptOutcome) => void;
  const ended = new Promise<AttemptOutcome>((r) => (resolve = r));
  const handle = await ex.start(j, (outcome) => {
    calls++;
    resolve(outcome);
  });
  const outcome = ended.then(async (o) => {
    await sleep(100);
    expect(calls).toBe(1);
    return o;
  });
  return { handle, outcome };
}

async function run(ex: LocalExecutor, j: ExecutorJob): Promise<AttemptOutcome> {
  return (await start(ex, j)).outcome;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (j: ExecutorJob) => readFileSync(j.logFile, 'utf8');

/** Gone, or a zombie nobody reaps (orphans under an init that does not reap them). */
function parentOf(pid: number): number {
  // The fields after the command name, which is in parentheses and may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

it('has the native launcher built (npm run build), so the native suite below is not the fallback again', () => {
  expect(nativeLauncherAvailable()).toBe(true);
});

describe.each(['native', 'spawn'] as const)('LocalExecutor (%s launcher)', (kind) => {
  beforeAll(() => {
    launcher = kind;
  });

  it('reports exit codes 0 and 3, for shell and argv commands, and records them for a later server', async () => {
    const ex = executor();
    const ok = job({ command: ['true'] });
    const { handle, outcome } = await start(ex, ok);
    expect(handle.host).toBe(hostname());
    expect(handle.pid).toEqual(expect.any(Number));
    expect(await outcome).toEqual({ exitCode: 0, statusReason: EXITED });
    const shell = job({ command: ['exit 3'] });
    expect(await run(ex, shell)).toEqual({ exitCode: 3, statusReason: EXITED });
    expect(recordedExit(shell)).toBe('3\n');
    expect(await run(ex, job({ command: ['sh', '-c', 'exit 3'] }))).toEqual({ exitCode: 3, statusReason: EXITED });
    // A real program's 127 is an exit code like any other, not "cannot start".
    expect(await run(ex, job({ command: ['sh', '-c', 'exit 127'] }))).toEqual({ exitCode: 127, statusReason: EXITED });
  });

  it('runs one element with /bin/sh -c and several as argv, without a shell', async () => {
    const ex = executor();
    const argv = job({ command: ['printf', '%s|', 'a b', '$HOME'] });
    await run(ex, argv);
    expect(log(argv)).toBe('a b|$HOME|');
    const shell = job({ command: ['printf "%s|" "a b" "$HOME"; echo; exit 0'] });
    await run(ex, shell);
    expect(log(shell)).toBe(`a b|${process.env.HOME}|\n`);
  });

  it('records the exit code of a command line that sets its own EXIT trap or calls exec', async () => {
    const ex = executor();
    const trapped = job({ command: ['trap "echo cleaned up" EXIT; exit 4'] });
    expect(await run(ex, trapped)).toEqual({ exitCode: 4, statusReason: EXITED });
    expect(log(trapped)).toBe('cleaned up\n');
    expect(recordedExit(trapped)).toBe('4\n');
    const execed = job({ command: ['exec sh -c "exit 6"'] });
    expect(await run(ex, execed)).toEqual({ exitCode: 6, statusReason: EXITED });
    expect(recordedExit(execed)).toBe('6\n');
  });

  it("passes the job's environment on top of the server's", async () => {
    const j = job({ command: ['printf "%s/%s/%s/%s/%s" "$FOO" "$SKYBATCH_JOB_ID" "$SKYBATCH_ATTEMPT" "$HOME" "$SKYBATCH_DATABASE_URL"'], environment: { FOO: 'bar baz\nqux' } });
    // The server's own SKYBATCH_* settings are not the job's business.
    process.env.SKYBATCH_DATABASE_URL = 'postgres://server:secret@db/skybatch';
    let ex: LocalExecutor;
    try {
      ex = executor();
    } finally {
      delete process.env.SKYBATCH_DATABASE_URL;
    }
    expect(await run(ex, j)).toMatchObject({ exitCode: 0 });
    expect(log(j)).toBe(`bar baz\nqux/${j.jobId}/1/${process.env.HOME}/`);
  });

  it('creates the working directory and runs the job in it', async () => {
    const j = job();
    const runIn = { ...j, workDir: join(root, j.jobId, 'deep', 'er', 'work'), command: ['pwd; touch made-here'] };
    expect(await run(executor(), runIn)).toMatchObject({ exitCode: 0 });
    expect(log(runIn)).toBe(`${runIn.workDir}\n`);
    expect(existsSync(join(runIn.workDir, 'made-here'))).toBe(true);
  });

  it('appends stdout and stderr of every attempt to the log file', async () => {
    const ex = executor();
    const first = job({ command: ['echo out$SKYBATCH_ATTEMPT; echo err$SKYBATCH_ATTEMPT >&2'] });
    await run(ex, first);
    await run(ex, { ...first, attempt: 2 });
    expect(log(first)).toBe('out1\nerr1\nout2\nerr2\n');
  });

  it('kills the whole process tree at the timeout', async () => {
    const j = job({ command: ['sleep 100 & echo $! >> pids; sleep 100 & echo $! >> pids; wait'], timeoutSeconds: 1 });
    const started = Date.now();
    const outcome = await run(executor(), j);
    expect(outcome).toMatchObject({ exitCode: null, statusReason: TIMED_OUT });
    expect(Date.now() - started).toBeLessThan(5000);
    const pids = readFileSync(join(j.workDir, 'pids'), 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(log(j)).toContain('timeout of 1 seconds');
  });

  it('ends what a job left running in the background when its main process exits, as a container does', async () => {
    const j = job({ command: ['sleep 100 & echo $! >> pids; (trap "" TERM; sleep 100) & echo $! >> pids; exit 5'] });
    expect(await run(executor(), j)).toEqual({ exitCode: 5, statusReason: EXITED });
    const pids = readFileSync(join(j.workDir, 'pids'), 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    // Reported only after the group was killed (SIGKILL: ignoring TERM does not help).
    await until(() => pids.every((pid) => !alive(pid)), 2000);
  });

  it('sends SIGKILL after the grace period to processes that ignore SIGTERM', async () => {
    const j = job({ command: ["trap '' TERM; sleep 100 & echo $! > pid; wait"], timeoutSeconds: 1 });
    const outcome = await run(executor({ killGraceMs: 700 }), j);
    expect(outcome.statusReason).toBe(TIMED_OUT);
    expect(alive(Number(readFileSync(join(j.workDir, 'pid'), 'utf8')))).toBe(false);
  });

  it('kills a job whose processes together use more memory than its limit', async () => {
    // Two processes of 70 MB each: neither alone is over 100 MiB, the group is.
    const hog = `const a = []; for (let i = 0; i < 7; i++) a.push(Buffer.alloc(10 * 1024 * 1024, 1)); setTimeout(() => {}, 20000);`;
    const node = JSON.stringify(process.execPath);
    const j = job({ command: [`${node} -e '${hog}' & ${node} -e '${hog}' & wait`], memoryMiB: 100 });
    const started = Date.now();
    expect(await run(executor(), j)).toEqual({ exitCode: 137, reason: OOM, statusReason: OOM });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(log(j)).toMatch(/killed: the job used \d+ MiB of memory, over its limit of 100 MiB/);
  });

  it('kills a single process allocating 300 MB under a 100 MiB limit', async () => {
    const j = job({ command: [process.execPath, '-e', 'const a = []; for (let i = 0; i < 30; i++) a.push(Buffer.alloc(10 * 1024 * 1024, 1)); setTimeout(() => {}, 20000);'], memoryMiB: 100 });
    expect(await run(executor(), j)).toEqual({ exitCode: 137, reason: OOM, statusReason: OOM });
  });

  it('terminates with the given reason', async () => {
    const ex = executor();
    const j = job({ command: ['sleep 30'] });
    const { outcome } = await start(ex, j);
    await sleep(200);
    await ex.terminate(j.jobId, 1, 'Terminated by the user');
    await ex.terminate('no-such-job', 1, 'nothing to do');
    expect(await outcome).toMatchObject({ exitCode: null, statusReason: 'Terminated by the user' });
    expect(log(j)).toContain('terminated: Terminated by the user');
  });

  it('fails an argv command that does not exist, or a working directory that cannot be made, as CannotStartContainerError', async () => {
    const ex = executor();
    const missing = await run(ex, job({ command: ['/nonexistent/bin/tool', '--flag'] }));
    expect(missing).toEqual({ exitCode: null, statusReason: 'CannotStartContainerError: exec: "/nonexistent/bin/tool": executable file not found' });
    expect((await run(ex, job({ command: ['no-such-command-skybatch', 'x'] }))).statusReason).toMatch(/^CannotStartContainerError: /);
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    expect((await run(ex, job({ workDir: join(file, 'work') }))).statusReason).toMatch(/^CannotStartContainerError: .*(ENOTDIR|Not a directory)/);
  });

  it('fails a job with an image when no container runtime is configured', async () => {
    const outcome = await run(executor({ containerRuntime: 'none' }), job({ image: 'busybox:1.36' }));
    expect(outcome).toEqual({ exitCode: null, statusReason: 'CannotPullContainerError: no container runtime (podman or docker) is available on this host to run image "busybox:1.36"' });
  });

  it('builds a container run with the working directory, the limits and the variables by name', () => {
    const j = job({ jobId: 'j/1', attempt: 2, command: ['echo hi'], environment: { TOKEN: 'secret' }, vcpus: 2, memoryMiB: 256 });
    const argv = containerRunArgv(j, 'alpine:3', ['TOKEN', 'SKYBATCH_JOB_ID']);
    expect(argv).toEqual(['run', '--rm', '--init', '--name', 'skybatch-j-1-2', '--network', 'host', '-v', `${j.workDir}:${j.workDir}`, '-w', j.workDir, '-e', 'TOKEN', '-e', 'SKYBATCH_JOB_ID', '--memory', '256m', '--cpus', '2', 'alpine:3', '/bin/sh', '-c', 'echo hi']);
    expect(argv.join(' ')).not.toContain('secret');
  });

  const works = (runtime: string) => {
    try {
      execFileSync(runtime, ['info'], { stdio: 'ignore', timeout: 15_000 });
      return true;
    } catch {
      return false;
    }
  };
  it.skipIf(works('podman') || works('docker'))('detects that no container runtime works (docker without an engine counts as none)', async () => {
    const outcome = await run(executor(), job({ image: 'alpine:3' }));
    expect(outcome.statusReason).toBe('CannotPullContainerError: no container runtime (podman or docker) is available on this host to run image "alpine:3"');
  });

  it.runIf(kind === 'native')('watches the jobs of a launcher that died by pid, and starts the next jobs with a new launcher', async () => {
    const ex = executor();
    const orphan = job({ command: ['sleep 1; exit 6'] });
    const started = await start(ex, orphan);
    const pid = started.handle.pid as number;
    process.kill(parentOf(pid), 'SIGKILL');
    // Nothing is left to record its exit code: once it is gone, the attempt is reported lost,
    // never as a success and never before the process has ended.
    expect((await started.outcome).statusReason).toMatch(/^CannotInspectContainerError: /);
    expect(alive(pid)).toBe(false);
    expect(await run(ex, job({ command: ['exit 2'] }))).toEqual({ exitCode: 2, statusReason: EXITED });
  });

  it('starts a chained attempt only when the one it comes after ends, and drops a waiting one on request', async () => {
    const ex = executor();
    const stamp = (name: string) => `date +%s%N > ${join(root, name)}`;
    const first = job({ command: [`sleep 0.4; ${stamp('first-end')}`] });
    const second = job({ command: [`${stamp('second-start')}; exit 4`] });
    const dropped = job({ command: [`${stamp('dropped-start')}`] });
    const third = job({ command: ['exit 5'] });
    const a = await start(ex, first);
    const outcomes: Promise<AttemptOutcome>[] = [];
    const chain = async (j: ExecutorJob, after: ExecutorJob) => {
      let resolve!: (o: AttemptOutcome) => void;
      outcomes.push(new Promise<AttemptOutcome>((r) => (resolve = r)));
      // start() resolves once the attempt really starts: not awaited here.
      return ex.start(j, resolve, { after: { jobId: after.jobId, attempt: after.attempt } });
    };
    const secondHandle = chain(second, first);
    const droppedHandle = chain(dropped, second);
    void chain(third, dropped);
    expect(await ex.dropWaiting(dropped.jobId, dropped.attempt)).toBe(true);
    expect(await a.outcome).toEqual({ exitCode: 0, statusReason: EXITED });
    const [secondOutcome, droppedOutcome, thirdOutcome] = await Promise.all(outcomes);
    expect(secondOutcome).toEqual({ exitCode: 4, statusReason: EXITED });
    expect(droppedOutcome).toEqual({ exitCode: null, statusReason: 'Cancelled before it started' });
    // The one behind the dropped attempt moved up behind `second`.
    expect(thirdOutcome).toEqual({ exitCode: 5, statusReason: EXITED });
    expect((await secondHandle).pid).toBeGreaterThan(0);
    expect((await droppedHandle).pid).toBeUndefined();
    expect(existsSync(join(root, 'dropped-start'))).toBe(false);
    expect(BigInt(readFileSync(join(root, 'second-start'), 'utf8').trim())).toBeGreaterThanOrEqual(BigInt(readFileSync(join(root, 'first-end'), 'utf8').trim()));
    // Nothing waits any more: a drop now finds nothing, and a chain behind an ended attempt starts at once.
    expect(await ex.dropWaiting(third.jobId, third.attempt)).toBe(false);
    let late!: (o: AttemptOutcome) => void;
    const lateOutcome = new Promise<AttemptOutcome>((r) => (late = r));
    await ex.start(job({ command: ['exit 6'] }), late, { after: { jobId: first.jobId, attempt: first.attempt } });
    expect(await lateOutcome).toEqual({ exitCode: 6, statusReason: EXITED });
  });

  it('terminates an attempt that waits in a chain without running it', async () => {
    const ex = executor();
    const headJob = job({ command: ['sleep 0.3'] });
    const head = await start(ex, headJob);
    const waiting = job({ command: [`touch ${join(root, 'never')}`] });
    let resolve!: (o: AttemptOutcome) => void;
    const outcome = new Promise<AttemptOutcome>((r) => (resolve = r));
    void ex.start(waiting, resolve, { after: { jobId: headJob.jobId, attempt: headJob.attempt } });
    await ex.terminate(waiting.jobId, waiting.attempt, 'Terminated by the user');
    expect(await outcome).toEqual({ exitCode: null, statusReason: 'Terminated by the user' });
    await head.outcome;
    expect(existsSync(join(root, 'never'))).toBe(false);
  });

  it('recovers attempts started by a previous executor: running, finished, and gone', async () => {
    const first = executor();
    // On an executor of its own: killing its launcher must not orphan the others.
    const doomed = executor();
    const running = job({ command: ['sleep 1; exit 5'] });
    const finished = job({ command: ['exit 4'] });
    const killed = job({ command: ['sleep 30'] });
    const timesOut = job({ command: ['sleep 30'], timeoutSeconds: 2 });
    const terminated = job({ command: ['sleep 30'] });
    const handles = new Map<ExecutorJob, AttemptHandle>();
    for (const j of [running, finished, killed, timesOut, terminated]) handles.set(j, (await start(j === killed ? doomed : first, j)).handle);
    const handle = (j: ExecutorJob) => handles.get(j) as AttemptHandle;
    await until(() => recordedExit(finished) !== undefined);
    // What records the exit code is killed too (the launcher, or the wrapper at the group's
    // head): no exit code is ever written.
    const killedPid = handle(killed).pid as number;
    if (kind === 'native') process.kill(parentOf(killedPid), 'SIGKILL');
    process.kill(-killedPid, 'SIGKILL');
    await until(() => !alive(killedPid));
    await first.close();
    await doomed.close();

    const second = executor();
    const recover = async (j: ExecutorJob, h: AttemptHandle) => {
      let resolve!: (o: AttemptOutcome) => void;
      const outcome = new Promise<AttemptOutcome>((r) => (resolve = r));
      return { found: await second.recover(j, h, resolve), outcome };
    };
    const stillRunning = await recover(running, handle(running));
    expect(stillRunning.found).toBe(true);
    expect(alive(handle(running).pid as number)).toBe(true);
    const done = await recover(finished, handle(finished));
    expect(done.found).toBe(true);
    expect(await done.outcome).toEqual({ exitCode: 4, statusReason: EXITED });
    expect((await recover(killed, handle(killed))).found).toBe(false);
    // A live pid that is not the attempt (pid reuse), and another host's attempt.
    expect((await recover(job({ jobId: running.jobId, attempt: 9 }), { host: hostname(), pid: handle(running).pid as number })).found).toBe(false);
    expect((await recover(job(), { host: hostname(), pid: process.pid })).found).toBe(false);
    expect((await recover(running, { ...handle(running), host: 'elsewhere' })).found).toBe(false);

    const late = await recover(timesOut, handle(timesOut));
    const stopped = await recover(terminated, handle(terminated));
    expect(late.found && stopped.found).toBe(true);
    await second.terminate(terminated.jobId, 1, 'Terminated after recovery');
    expect(await stillRunning.outcome).toEqual({ exitCode: 5, statusReason: EXITED });
    expect(await stopped.outcome).toMatchObject({ exitCode: null, statusReason: 'Terminated after recovery' });
    expect(await late.outcome).toMatchObject({ exitCode: null, statusReason: TIMED_OUT });
    expect(alive(handle(timesOut).pid as number)).toBe(false);
  });

  it('runs a thousand short jobs, two at a time, with each onExit called once', async () => {
    const ex = executor({ memoryPollMs: 250 });
    const workDir = join(root, 'many');
    const calls = new Map<number, AttemptOutcome[]>();
    let next = 0;
    const worker = async () => {
      while (next < 1000) {
        const i = next++;
        await new Promise<void>((resolve) => {
          void ex.start({ jobId: `many-${i}`, attempt: 1, command: ['true'], environment: {}, workDir, logFile: join(workDir, 'log'), vcpus: 1, memoryMiB: 64 }, (outcome) => {
            calls.set(i, [...(calls.get(i) ?? []), outcome]);
            resolve();
          });
        });
      }
    };
    await Promise.all([worker(), worker()]);
    await sleep(200);
    expect(calls.size).toBe(1000);
    for (const outcomes of calls.values()) expect(outcomes).toEqual([{ exitCode: 0, statusReason: EXITED }]);
  }, 120_000);
});
