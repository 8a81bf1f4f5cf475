/*
 * The server side of native/launcher.c: one long-lived launcher process per executor, fed
 * start requests over a pipe and answering with pids and exits. See the C file for why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { LaunchCancelled, type LaunchEnd, type LaunchSpec, type Launcher } from './local-launcher.js';

/** Where `npm run build` puts it: build/ at the package root, from src/ and dist/ alike. */
export const NATIVE_LAUNCHER_PATH = fileURLToPath(new URL('../../../build/skybatch-launcher', import.meta.url));

export function nativeLauncherAvailable(path = NATIVE_LAUNCHER_PATH): boolean {
  return process.platform === 'linux' && existsSync(path);
}

interface Request {
  resolve(pid: number | undefined): void;
  reject(error: Error): void;
  onEnd(end: LaunchEnd): void;
  pid?: number;
}

const signalNames = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));

export class NativeLauncher implements Launcher {
  private process: ChildProcess | undefined;
  private readonly requests = new Map<string, Request>();
  private readonly cancels = new Map<string, (cancelled: boolean) => void>();
  private partial = '';
  private corked = false;
  private closed = false;

  /**
   * `journal`: the file this launcher appends exit codes to (local-exit-journal.ts).
   * `baseEnv`: what every job's environment starts from; the launcher process gets it once,
   * so each start request carries only the job's own variables.
   */
  constructor(
    private readonly journal: string,
    private readonly baseEnv: Record<string, string | undefined>,
    private readonly path = NATIVE_LAUNCHER_PATH,
  ) {}

  launch(spec: LaunchSpec, onEnd: (end: LaunchEnd) => void): Promise<number | undefined> {
    if (this.closed) return Promise.reject(new Error('the launcher is closed'));
    if (/[\s\0]/.test(spec.key) || /[\s\0]/.test(spec.after ?? '')) return Promise.reject(new Error(`bad launch key ${JSON.stringify(spec.key)}`));
    if (this.requests.has(spec.key)) return Promise.reject(new Error(`${spec.key} is already launched`));
    const fields = ['start', spec.key, spec.after ?? '', spec.workDir, spec.logFile, String(spec.argv.length), ...spec.argv];
    const env = Object.entries(spec.env).map(([name, value]) => `${name}=${value}`);
    fields.push(String(env.length), ...env);
    // A NUL would split a field: the kernel could not pass such an argument or variable anyway.
    const bad = fields.find((f) => f.includes('\0'));
    if (bad !== undefined) return Promise.reject(new Error(`a NUL byte in the command or environment: ${JSON.stringify(bad.slice(0, 40))}`));
    return new Promise((resolve, reject) => {
      this.requests.set(spec.key, { resolve, reject, onEnd });
      this.send(fields);
    });
  }

  cancel(key: string): Promise<boolean> {
    const request = this.requests.get(key);
    if (!request || request.pid !== undefined || this.closed || this.cancels.has(key)) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.cancels.set(key, resolve);
      this.send(['cancel', key]);
    });
  }

  private send(fields: string[]): void {
    const body = Buffer.from(`${fields.join('\0')}\0`);
    const stdin = this.ensureProcess().stdin;
    if (!stdin) return;
    // The scheduler starts jobs in bursts: one write(2) per burst, not one per job.
    if (!this.corked) {
      this.corked = true;
      stdin.cork();
      process.nextTick(() => {
        this.corked = false;
        stdin.uncork();
      });
    }
    stdin.write(Buffer.concat([Buffer.from(`${body.length}\n`), body]));
  }

  close(): void {
    this.closed = true;
    const child = this.process;
    if (!child) return;
    // EOF tells the launcher to finish reaping what it started and then exit on its own.
    child.stdin?.end();
    child.stdout?.removeAllListeners('data');
    child.removeAllListeners('exit');
    child.unref();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    this.process = undefined;
  }

  private ensureProcess(): ChildProcess {
    if (this.process) return this.process;
    mkdirSync(dirname(this.journal), { recursive: true });
    // Detached: a Ctrl-C to the server's terminal must not reach the parent of running jobs.
    const child = spawn(this.path, [this.journal], { stdio: ['pipe', 'pipe', 'inherit'], detached: true, env: this.baseEnv });
    this.process = child;
    child.stdout?.setEncoding('latin1');
    child.stdout?.on('data', (chunk: string) => this.receive(chunk));
    child.stdin?.on('error', () => undefined);
    child.on('error', (error) => this.lost(child, error.message));
    child.on('exit', (code, signal) => this.lost(child, `the job launcher exited (${signal ?? `code ${code}`})`));
    return child;
  }

  private receive(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.handle(line);
  }

  private handle(line: string): void {
    const [kind, id = '', ...rest] = line.split(' ');
    if (kind === 'C' || kind === 'c') {
      const answer = this.cancels.get(id);
      this.cancels.delete(id);
      const request = this.requests.get(id);
      if (kind === 'C' && request) {
        this.requests.delete(id);
        request.reject(new LaunchCancelled(id));
      }
      answer?.(kind === 'C');
      return;
    }
    const request = this.requests.get(id);
    if (!request) return;
    if (kind === 'S') {
      request.pid = Number(rest[0]);
      request.resolve(request.pid);
    } else if (kind === 'N') {
      this.requests.delete(id);
      request.resolve(undefined);
      request.onEnd({ exitCode: 127, notFound: true });
    } else if (kind === 'F') {
      this.requests.delete(id);
      // The job's own child reports what it could not do (a directory, the log, exec) after S.
      if (request.pid === undefined) request.reject(new Error(rest.join(' ')));
      else request.onEnd({ exitCode: null, startError: rest.join(' '), groupKilled: true });
    } else if (kind === 'X') {
      this.requests.delete(id);
      const signal = Number(rest[2]);
      if (rest[3] === 'not-found') request.onEnd({ exitCode: 127, notFound: true, groupKilled: true });
      else request.onEnd(signal === 0 ? { exitCode: Number(rest[1]), groupKilled: true } : { exitCode: null, signal: signalNames.get(signal) ?? `signal ${signal}`, groupKilled: true });
    }
  }

  /** The launcher died under us: started processes are orphans to watch by pid; the rest failed. */
  private lost(child: ChildProcess, reason: string): void {
    if (this.process !== child) return;
    this.process = undefined;
    this.partial = '';
    const requests = [...this.requests.values()];
    this.requests.clear();
    for (const answer of this.cancels.values()) answer(false);
    this.cancels.clear();
    for (const request of requests) {
      if (request.pid === undefined) request.reject(new Error(reason));
      else request.onEnd({ exitCode: null, orphaned: true });
    }
  }
}
