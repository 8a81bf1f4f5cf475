/*
 * Batch throughput and latency on the local executor:
 *   - 10,000 trivial jobs (`true`, 1 vCPU each, so as many run at once as the machine has
 *     cores) from submit until all SUCCEEDED, beside `xargs -P <cores>` running the same
 *     10,000 commands in the same run (3 rounds, SKYBATCH_BENCH_ROUNDS; median ratio);
 *   - submit-to-RUNNING latency of single jobs on an otherwise idle server (p50, p99).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { openPlatform } from '../src/engine/platform.js';

const JOBS = Number(process.env.SKYBATCH_BENCH_JOBS ?? 10_000);
const LATENCY_SAMPLES = 200;
const ROUNDS = Number(process.env.SKYBATCH_BENCH_ROUNDS ?? 3);

function xargsRate(cores: number): number {
  const start = performance.now();
  execFileSync('/bin/sh', ['-c', `seq ${JOBS} | xargs -P ${cores} -n 1 /bin/sh -c true`], { stdio: 'ignore' });
  return (JOBS / (performance.now() - start)) * 1000;
}

export async function run(): Promise<void> {
  const cores = availableParallelism();
  const dataDir = mkdtempSync(join(tmpdir(), 'skybatch-bench-batch-'));
  const platform = await openPlatform({ dataDir, pollMs: 50 });
  const batch = platform.batch!;
  try {
    // Warm-up: the first jobs pay for loading code paths.
    const warm = await batch.jobs.submit({ jobName: 'warm', command: 'true', arraySize: 50, vcpus: 1, memory: 16 });
    await waitFor(batch, warm.jobId);

    // Rounds alternate xargs and skybatch, so a neighbour's burst of load hits both alike;
    // the median of the per-round ratios is the figure.
    const rounds: { xargs: number; ours: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const xargs = xargsRate(cores);
      const start = performance.now();
      const array = await batch.jobs.submit({ jobName: 'bench', command: 'true', arraySize: JOBS, vcpus: 1, memory: 16 });
      const job = await waitFor(batch, array.jobId);
      const ours = (JOBS / (performance.now() - start)) * 1000;
      if (job.arrayProperties?.statusSummary?.SUCCEEDED !== JOBS) throw new Error(`not all jobs succeeded: ${JSON.stringify(job.arrayProperties?.statusSummary)}`);
      rounds.push({ xargs, ours });
    }

    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const submitted = Date.now();
      const single = await batch.jobs.submit({ jobName: 'latency', command: 'true', memory: 16 });
      const done = await waitFor(batch, single.jobId);
      const running = done.statusHistory.find((s) => s.status === 'RUNNING')?.at ?? Number.NaN;
      latencies.push(running - submitted);
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] as number;

    console.log(`${JOBS} jobs of \`true\`, ${cores} at a time (1 vCPU each on ${cores} cores), ${ROUNDS} rounds; load average at start ${loadavg()[0]?.toFixed(2)}`);
    for (const [i, r] of rounds.entries()) console.log(`  round ${i + 1}: skybatch ${r.ours.toFixed(0)} jobs/s, xargs -P ${cores} ${r.xargs.toFixed(0)} jobs/s: ${((r.ours / r.xargs) * 100).toFixed(0)}%`);
    const ratios = rounds.map((r) => r.ours / r.xargs).sort((a, b) => a - b);
    console.log(`  median ratio:      ${((ratios[Math.floor(ratios.length / 2)] as number) * 100).toFixed(0)}% of xargs (target >= 50%)`);
    console.log(`submit -> RUNNING, ${LATENCY_SAMPLES} single jobs on an idle server: p50 ${pct(50)} ms, p99 ${pct(99)} ms (target p50 < 20 ms)`);
  } finally {
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function waitFor(batch: NonNullable<Awaited<ReturnType<typeof openPlatform>>['batch']>, jobId: string) {
  return new Promise<Awaited<ReturnType<typeof batch.jobs.describe>>>((resolve, reject) => {
    const stop = batch.onJobsEnded((jobs) => {
      const job = jobs.find((j) => j.jobId === jobId);
      if (job) {
        stop();
        batch.jobs.describe(jobId).then(resolve, reject);
      }
    });
  });
}
