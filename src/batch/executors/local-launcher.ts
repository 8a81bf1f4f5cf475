/*
 * How the local executor starts a job's process and learns how it ended. Two ways, one
 * contract: the native launcher (a small C process, see native/launcher.c) by default, and
 * Node's own spawn under a /bin/sh wrapper where the launcher could not be built.
 * Both record the exit code even when the server is gone (the native one in its exit journal,
 * the wrapper in the attempt's exit file), and a restarted server looks in both.
 */

export interface LaunchSpec {
  /** Unique per launcher: the attempt's key. */
  key: string;
  /** Start only when the process launched under this key has ended (at once if it has). */
  after?: string;
  argv: string[];
  /** The job's own variables, on top of the base environment the launcher was made with. */
  env: Record<string, string>;
  workDir: string;
  logFile: string;
  /** Where the shell wrapper records the exit code (the native launcher journals it instead). */
  exitFile: string;
}

/**
 * How a launched process ended. `orphaned`: the launcher itself died, so its end will not be
 * reported; the process may still run and is to be watched by pid and exit file instead.
 */
export type LaunchEnd = {
  exitCode: number | null;
  signal?: string;
  notFound?: boolean;
  orphaned?: boolean;
  startError?: string;
  /** The launcher already killed what the process left running in its group. */
  groupKilled?: boolean;
};

export interface Launcher {
  /**
   * Starts the process in its own session (pgid = pid). Resolves with its pid, or undefined
   * when argv[0] was not found (then `onEnd` reports notFound); rejects when it could not start.
   * `onEnd` is called exactly once after a pid was returned, and after a notFound.
   */
  launch(spec: LaunchSpec, onEnd: (end: LaunchEnd) => void): Promise<number | undefined>;
  /**
   * Drops a launch still waiting for the one it comes after: true when dropped (its launch
   * then rejects with LaunchCancelled), false when it was no longer waiting.
   */
  cancel(key: string): Promise<boolean>;
  /** Stops listening; the processes it started run on, and their exit codes are still recorded. */
  close(): void;
}

export class LaunchCancelled extends Error {
  constructor(key: string) {
    super(`the start of ${key} was cancelled`);
    this.name = 'LaunchCancelled';
  }
}
