/*
 * Object storage through the S3 API, on one disk in one run:
 *   - PUT and GET of a 1 GiB file with awscli (`/usr/bin/aws s3 cp`, multipart as awscli does it)
 *     beside plain `cp` of the same file on the same disk (target: >= 50% of cp's throughput),
 *     with the server's peak RSS meanwhile (sampled from /proc/PID/status; target < 200 MB);
 *   - 10,000 PUTs of 1 KiB objects with @aws-sdk/client-s3, 32 at a time: objects/s.
 * SKYBATCH_BENCH_OBJECT_MIB and SKYBATCH_BENCH_SMALL_OBJECTS shrink it for a quick look.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const AWS = '/usr/bin/aws';
const OBJECT_MIB = Number(process.env.SKYBATCH_BENCH_OBJECT_MIB ?? 1024);
const SMALL_OBJECTS = Number(process.env.SKYBATCH_BENCH_SMALL_OBJECTS ?? 10_000);
const SMALL_CONCURRENCY = 32;
const exec = promisify(execFile);

interface Endpoint {
  url: string;
  s3Endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export async function run(): Promise<void> {
  if (!existsSync(AWS)) throw new Error(`${AWS} is missing: install Debian's awscli (apt-get install awscli)`);
  // One directory for the server's data and the files cp copies: the same disk for both.
  const root = mkdtempSync(join(process.env.SKYBATCH_BENCH_DIR ?? tmpdir(), 'skybatch-bench-storage-'));
  const server = await startServer(join(root, 'data'));
  try {
    const env = awsEnv(root, server.endpoint);
    const source = join(root, 'source.bin');
    await writeRandomFile(source, OBJECT_MIB * 1024 * 1024);
    const bytes = OBJECT_MIB * 1024 * 1024;
    const mbps = (ms: number) => bytes / 1e6 / (ms / 1000);

    const cpMs = await timed(() => exec('cp', [source, join(root, 'copy.bin')]).then(() => undefined));
    rmSync(join(root, 'copy.bin'));
    // The store makes every object durable (fsync) before it answers; cp alone leaves the copy in
    // the page cache. Both baselines are shown; the target is against plain cp.
    const cpSyncMs = await timed(() => exec('sh', ['-c', 'cp "$1" "$2" && sync "$2"', 'sh', source, join(root, 'copy.bin')]).then(() => undefined));
    rmSync(join(root, 'copy.bin'));
    await exec(AWS, ['--endpoint-url', server.endpoint.s3Endpoint, 's3', 'mb', 's3://bench'], { env });

    const rss = new RssSampler(server.process.pid as number);
    // The client's own CPU time bounds any server: awscli hashes and signs every byte in Python.
    const serverPid = server.process.pid as number;
    const beforePut = childCpuSeconds();
    const serverBeforePut = processCpuSeconds(serverPid);
    const putMs = await timed(() => exec(AWS, ['--endpoint-url', server.endpoint.s3Endpoint, 's3', 'cp', '--only-show-errors', source, 's3://bench/big.bin'], { env }).then(() => undefined));
    const putClientCpu = childCpuSeconds() - beforePut;
    const putServerCpu = processCpuSeconds(serverPid) - serverBeforePut;
    const beforeGet = childCpuSeconds();
    const serverBeforeGet = processCpuSeconds(serverPid);
    const getMs = await timed(() => exec(AWS, ['--endpoint-url', server.endpoint.s3Endpoint, 's3', 'cp', '--only-show-errors', 's3://bench/big.bin', join(root, 'down.bin')], { env }).then(() => undefined));
    const getClientCpu = childCpuSeconds() - beforeGet;
    const getServerCpu = processCpuSeconds(serverPid) - serverBeforeGet;
    const peakRss = rss.stop();
    await exec('cmp', [source, join(root, 'down.bin')]);
    rmSync(join(root, 'down.bin'));

    const small = await smallPuts(server.endpoint);

    const cp = mbps(cpMs);
    console.log(`${OBJECT_MIB} MiB object through the S3 API with awscli (${AWS}), beside cp on the same disk`);
    console.log(`  cp:          ${cp.toFixed(0)} MB/s (cp + fsync of the copy: ${mbps(cpSyncMs).toFixed(0)} MB/s)`);
    console.log(`  PUT (aws):   ${mbps(putMs).toFixed(0)} MB/s  (${((mbps(putMs) / cp) * 100).toFixed(0)}% of cp; target >= 50%)`);
    console.log(`  GET (aws):   ${mbps(getMs).toFixed(0)} MB/s  (${((mbps(getMs) / cp) * 100).toFixed(0)}% of cp; target >= 50%)`);
    // CPU seconds bound the wall time from below even when spread perfectly over every core.
    const cores = availableParallelism();
    const bound = (cpu: number) => mbps((cpu / cores) * 1000);
    const pctOfCp = (rate: number) => `${((rate / cp) * 100).toFixed(0)}% of cp`;
    console.log(`  CPU for the PUT: awscli ${putClientCpu.toFixed(2)} s, server ${putServerCpu.toFixed(2)} s; for the GET: awscli ${getClientCpu.toFixed(2)} s, server ${getServerCpu.toFixed(2)} s`);
    console.log(`  on ${cores} cores, awscli's CPU alone bounds PUT at ${bound(putClientCpu).toFixed(0)} MB/s (${pctOfCp(bound(putClientCpu))}), GET at ${bound(getClientCpu).toFixed(0)} MB/s (${pctOfCp(bound(getClientCpu))}); with the server's: ${bound(putClientCpu + putServerCpu).toFixed(0)} / ${bound(getClientCpu + getServerCpu).toFixed(0)} MB/s`);
    console.log(`  server peak RSS during the transfers: ${(peakRss / 1024).toFixed(0)} MB (target < 200 MB)`);
    console.log(`${SMALL_OBJECTS} PUTs of 1 KiB with @aws-sdk/client-s3, ${SMALL_CONCURRENCY} at a time: ${small.toFixed(0)} objects/s`);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** CPU seconds (user + system) of this process's children that have been waited for (/proc/self/stat cutime + cstime). */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of stat(5); fields[0] is field 3. Clock ticks are 1/100 s on Linux.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** User + system CPU seconds of a running process so far, from /proc (Linux). */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

function awsEnv(root: string, endpoint: Endpoint): NodeJS.ProcessEnv {
  const config = join(root, 'aws-config');
  writeFileSync(config, '[default]\ns3 =\n  addressing_style = path\n');
  return {
    PATH: process.env.PATH,
    HOME: root,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ACCESS_KEY_ID: endpoint.accessKeyId,
    AWS_SECRET_ACCESS_KEY: endpoint.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
  };
}

/** Random 16 MiB blocks, each stamped with its index: incompressible and not all alike. */
async function writeRandomFile(path: string, size: number): Promise<void> {
  const block = randomBytes(16 * 1024 * 1024);
  const out = createWriteStream(path);
  for (let written = 0, i = 0; written < size; i++) {
    const chunk = Buffer.from(block.subarray(0, Math.min(block.length, size - written)));
    chunk.writeUInt32BE(i, 0);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    written += chunk.length;
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function smallPuts(endpoint: Endpoint): Promise<number> {
  const client = new S3Client({ endpoint: endpoint.s3Endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey } });
  try {
    await client.send(new CreateBucketCommand({ Bucket: 'small' }));
    const body = randomBytes(1024);
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: SMALL_CONCURRENCY }, async () => {
        for (let i = next++; i < SMALL_OBJECTS; i = next++) await client.send(new PutObjectCommand({ Bucket: 'small', Key: `obj/${i}`, Body: body }));
      }),
    );
    return (SMALL_OBJECTS / (performance.now() - start)) * 1000;
  } finally {
    client.destroy();
  }
}

/** Peak VmRSS of a process, in KiB, sampled every 50 ms until stop(). */
class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number) {
    const sample = () => {
      try {
        const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
        this.peak = Math.max(this.peak, kib);
      } catch {
        // The process is gone; the peak so far stands.
      }
    };
    sample();
    this.timer = setInterval(sample, 50);
  }

  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}

async function startServer(dataDir: string): Promise<{ endpoint: Endpoint; process: ChildProcess; stop(): Promise<void> }> {
  const bin = new URL('../bin/skybatch.js', import.meta.url).pathname;
  const env = { ...process.env };
  delete env.SKYBATCH_DATABASE_URL;
  const child = spawn(process.execPath, [bin, 'up', '--data', dataDir, '--port', '0'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const file = join(dataDir, 'endpoint.json');
  const deadline = Date.now() + 30_000;
  while (!existsSync(file)) {
    if (child.exitCode !== null) throw new Error(`skybatch up exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('skybatch up did not start within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const endpoint = JSON.parse(readFileSync(file, 'utf8')) as Endpoint;
  return {
    endpoint,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
