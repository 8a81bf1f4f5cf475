/*
 * The fallback launcher: Node's spawn under the /bin/sh wrapper of local-wrapper.ts, for
 * machines where native/launcher.c could not be built. Complete, but each start forks the
 * whole server (milliseconds of the main thread), so short jobs run several times slower.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LaunchCancelled, type LaunchEnd, type LaunchSpec, type Launcher } from './local-launcher.js';
import { NOT_FOUND_EXIT_CODE, readExitFile, wrapperArgv } from './local-wrapper.js';

export class SpawnLauncher implements Launcher {
  private readonly children = new Set<ChildProcess>();
  /** Launched or waiting, and not yet ended, by key: what a chained launch waits for. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly waiting = new Map<string, () => void>();

  /** `baseEnv`: what every job's environment starts from. */
  constructor(private readonly baseEnv: Record<string, string | undefined>) {}

  async launch(spec: LaunchSpec, onEnd: (end: LaunchEnd) => void): Promise<number | undefined> {
    const before = spec.after === undefined ? undefined : this.running.get(spec.after);
    // Known from now on, so that a launch chained behind this one waits for it too.
    let ended!: () => void;
    this.running.set(spec.key, new Promise<void>((resolve) => (ended = resolve)));
    if (before) {
      const go = await new Promise<boolean>((resolve) => {
        this.waiting.set(spec.key, () => resolve(false));
        void before.then(() => resolve(true));
      });
      this.waiting.delete(spec.key);
      if (!go) {
        // What waits behind a dropped launch waits for what it waited for.
        void before.then(() => {
          this.running.delete(spec.key);
          ended();
        });
        throw new LaunchCancelled(spec.key);
      }
    }
    try {
      return await this.spawn(spec, (end) => {
        this.running.delete(spec.key);
        ended();
        onEnd(end);
      });
    } catch (error) {
      this.running.delete(spec.key);
      ended();
      throw error;
    }
  }

  async cancel(key: string): Promise<boolean> {
    const cancel = this.waiting.get(key);
    if (!cancel) return false;
    this.waiting.delete(key);
    cancel();
    return true;
  }

  private async spawn(spec: LaunchSpec, onEnd: (end: LaunchEnd) => void): Promise<number | undefined> {
    // Together, not one after the other: each is a round trip to the thread pool, per job.
    const [made, opened] = await Promise.allSettled([mkdir(dirname(spec.exitFile), { recursive: true }), openLog(spec.logFile)]);
    if (made.status === 'rejected' || opened.status === 'rejected') {
      if (opened.status === 'fulfilled') opened.value.close().catch(() => undefined);
      throw made.status === 'rejected' ? made.reason : (opened as PromiseRejectedResult).reason;
    }
    const log = opened.value;
    // The native launcher runs a one-element command as `/bin/sh -c LINE`; the wrapper takes the line itself.
    const command = spec.argv.length === 3 && spec.argv[0] === '/bin/sh' && spec.argv[1] === '-c' ? [spec.argv[2] as string] : spec.argv;
    try {
      const child = spawn('/bin/sh', wrapperArgv(command, spec.exitFile), { cwd: spec.workDir, env: { ...this.baseEnv, ...spec.env }, detached: true, stdio: ['ignore', log.fd, log.fd] });
      const pid = child.pid;
      if (pid === undefined) {
        return await new Promise<never>((_, reject) => child.once('error', reject));
      }
      child.on('error', () => undefined);
      this.children.add(child);
      child.once('exit', (code, signal) => {
        this.children.delete(child);
        void (async () => {
          // 127 is also an ordinary exit code: only the wrapper's mark in the exit file says "not found".
          const notFound = code === NOT_FOUND_EXIT_CODE && command.length !== 1 && (await readExitFile(spec.exitFile))?.notFound === true;
          onEnd(signal === null ? { exitCode: code, notFound } : { exitCode: null, signal });
        })();
      });
      return pid;
    } finally {
      // The child has its own copy of the fd.
      log.close().catch(() => undefined);
    }
  }

  close(): void {
    // Jobs run on; only our handle on them goes, so that the server can exit.
    for (const child of this.children) child.unref();
    this.children.clear();
  }
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
