/*
 * Running a command to completion with its output collected, for the CLI tests that start
 * `bin/skybatch.js` (or another program) as a real process.
 */
import { spawn, type SpawnOptions } from 'node:child_process';

export interface Completed {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCollected(command: string, args: string[], options: SpawnOptions = {}): Promise<Completed> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `skybatch ARGS` in this process (main() returns the exit code), with what it printed. */
export async function runMain(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { vi } = await import('vitest');
  const { main } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(['node', 'skybatch', ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
