/*
 * Jobs with an image run under podman or docker, the client process standing in for the
 * command: the wrapper, the log file, the process group and the exit file work unchanged.
 */
import { execFile } from 'node:child_process';
import type { ExecutorJob } from './executor.js';

export type ContainerRuntime = 'podman' | 'docker';

/**
 * The first runtime whose `info` answers. Installed is not enough: a docker client without a
 * running engine is common, and would fail every job at `run` with a less clear message.
 */
export async function detectContainerRuntime(): Promise<ContainerRuntime | undefined> {
  for (const runtime of ['podman', 'docker'] as const) {
    if (await succeeds(runtime, ['info'])) return runtime;
  }
  return undefined;
}

function succeeds(file: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 15_000 }, (error) => resolve(error === null));
  });
}

export function containerName(job: Pick<ExecutorJob, 'jobId' | 'attempt'>): string {
  return `skybatch-${job.jobId}-${job.attempt}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/**
 * argv of `run`. Variables go by name only (`-e NAME`): the client takes each value from its
 * own environment, so no value (a token) lands in argv or in a file, and any value works.
 * The host network keeps SKYBATCH_ENDPOINT (a 127.0.0.1 URL) reachable from inside.
 */
export function containerRunArgv(job: ExecutorJob, image: string, environmentNames: readonly string[]): string[] {
  const command = job.command.length === 1 ? ['/bin/sh', '-c', job.command[0] ?? ''] : job.command;
  return [
    'run', '--rm', '--init', '--name', containerName(job), '--network', 'host',
    '-v', `${job.workDir}:${job.workDir}`, '-w', job.workDir,
    ...environmentNames.flatMap((name) => ['-e', name]),
    ...(job.memoryMiB > 0 ? ['--memory', `${job.memoryMiB}m`] : []),
    ...(job.vcpus > 0 ? ['--cpus', String(job.vcpus)] : []),
    image, ...command,
  ];
}

/**
 * Killing the client does not always stop the container (SIGKILL is not forwarded), so after
 * a timeout or terminate the container is removed by name as well. Best effort.
 */
export function removeContainer(runtime: ContainerRuntime, name: string): void {
  execFile(runtime, ['rm', '-f', name], { timeout: 30_000 }, () => undefined);
}

export function noRuntimeReason(image: string): string {
  return `CannotPullContainerError: no container runtime (podman or docker) is available on this host to run image "${image}"`;
}
