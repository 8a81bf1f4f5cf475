/*
 * Object storage through the S3 API, every figure beside its baseline from the same run:
 *   - a 1 GiB file: `cp` on the same disk; `curl -T` to a presigned URL and `curl -o` from
 *     one (one process, no client-side payload hashing) against cp; awscli `s3 cp` against the
 *     bound its own CPU sets; the server's CPU per GiB against md5sum + sha256sum of the file
 *     (the hashes a signed upload makes it compute) and, for GET, against 0.3 s;
 *   - 10,000 objects of 1 KiB through one keep-alive SDK client, 8 in flight: PUT, GET and a
 *     ListObjectsV2 walk, beside s3rver (a peer S3 server in Node, in a process of its own);
 *   - the server's peak RSS throughout.
 * Each line: figure, baseline, ratio, target, PASS or MISS. Lines marked "bound" put a figure
 * beside what this machine allows at most, measured in the same run: a durable write
 * (dd conv=fsync) and the MD5 every PUT computes (md5sum) for PUT; a sendfile(2) server and a
 * read+write copy server (bench/support/file-server.py) for GET; for awscli and the SDK client, their own CPU plus
 * the least the server must spend, shared over the cores.
 * SKYBATCH_BENCH_OBJECT_MIB and SKYBATCH_BENCH_SMALL_OBJECTS shrink it for a quick look.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const AWS = '/usr/bin/aws';
const OBJECT_MIB = Number(process.env.SKYBATCH_BENCH_OBJECT_MIB ?? 1024);
const SMALL_OBJECTS = Number(process.env.SKYBATCH_BENCH_SMALL_OBJECTS ?? 10_000);
const IN_FLIGHT = 8;
const exec = promisify(execFile);

interface Endpoint {
  s3Endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

interface Line {
  what: string;
  figure: string;
  baseline: string;
  ratio: number;
  target: string;
  pass: boolean;
  isBound?: boolean;
}

export async function run(): Promise<void> {
  if (!existsSync(AWS)) throw new Error(`${AWS} is missing: install Debian's awscli (apt-get install awscli)`);
  // One directory for the server's data and the files cp copies: the same disk for both.
  const root = mkdtempSync(join(process.env.SKYBATCH_BENCH_DIR ?? tmpdir(), 'skybatch-bench-storage-'));
  const server = await startServer(join(root, 'data'));
  const serverPid = server.process.pid as number;
  const rss = new RssSampler(serverPid);
  const lines: Line[] = [];
  const load = loadavg()[0] ?? 0;
  try {
    const bytes = OBJECT_MIB * 1024 * 1024;
    const gib = bytes / 1024 ** 3;
    const mbps = (ms: number) => bytes / 1e6 / (ms / 1000);
    const source = join(root, 'source.bin');
    await writeRandomFile(source, bytes);
    const env = awsEnv(root, server.endpoint);
    await exec(AWS, ['--endpoint-url', server.endpoint.s3Endpoint, 's3', 'mb', 's3://bench'], { env });
    const client = sdkClient(server.endpoint);

    const cpMs = await timed(() => run0('cp', [source, join(root, 'copy.bin')]));
    rmSync(join(root, 'copy.bin'));
    // What a PUT that loses nothing must do at least: write the bytes to disk durably, and MD5
    // them (the ETag) in one stream, on one core.
    const durableMs = await timed(() => run0('dd', [`if=${source}`, `of=${join(root, 'copy.bin')}`, 'bs=1M', 'conv=fsync', 'status=none']));
    rmSync(join(root, 'copy.bin'));
    let md5Ms = 0;
    const hashCpu = await childCpu(async () => {
      md5Ms = await timed(() => run0('md5sum', [source]));
      await run0('sha256sum', [source]);
    });

    // curl: one process, the payload unsigned (a presigned URL), so the client costs little.
    const putUrl = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'bench', Key: 'curl.bin' }), { expiresIn: 3600 });
    const curlPut = await measured(serverPid, () => run0('curl', ['-sS', '--fail', '-o', '/dev/null', '-T', source, '-H', 'Expect:', putUrl]));
    const getUrl = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'bench', Key: 'curl.bin' }), { expiresIn: 3600 });
    const curlGet = await measured(serverPid, () => run0('curl', ['-sS', '--fail', '-o', join(root, 'curl-down.bin'), getUrl]));
    await run0('cmp', [source, join(root, 'curl-down.bin')]);
    rmSync(join(root, 'curl-down.bin'));
    // The same download from the fastest server this machine has (sendfile: no user-space
    // copy), and from one that only copies the file through user space, as Node must.
    const fileServer = new URL('./support/file-server.py', import.meta.url).pathname;
    const download = (mode: 'sendfile' | 'copy') =>
      withFileServer(['python3', fileServer, source, mode], async (url, pid) => {
        const result = await measured(pid, () => run0('curl', ['-sS', '--fail', '-o', join(root, 'curl-down.bin'), url]));
        await run0('cmp', [source, join(root, 'curl-down.bin')]);
        rmSync(join(root, 'curl-down.bin'));
        return result;
      });
    const sendfileGet = await download('sendfile');
    const copyGet = await download('copy');

    // awscli signs every byte (SHA-256) and sends parts in parallel: its own CPU bounds it.
    const awsPut = await measured(serverPid, () => run0(AWS, ['--endpoint-url', server.endpoint.s3Endpoint, 's3', 'cp', '--only-show-errors', source, 's3://bench/aws.bin'], { env }));
    const awsGet = await measured(serverPid, () => run0(AWS, ['--endpoint-url', server.endpoint.s3Endpoint, 's3', 'cp', '--only-show-errors', 's3://bench/aws.bin', join(root, 'aws-down.bin')], { env }));
    await run0('cmp', [source, join(root, 'aws-down.bin')]);
    rmSync(join(root, 'aws-down.bin'));
    const cores = availableParallelism();
    // CPU seconds spread perfectly over every core: the least wall time that work can take.
    const boundMbps = (cpuSeconds: number) => bytes / 1e6 / (cpuSeconds / cores);

    const cp = mbps(cpMs);
    lines.push(line('curl -T presigned PUT, MB/s', mbps(curlPut.ms), cp, 'cp', 0.5));
    lines.push(line('curl -o presigned GET, MB/s', mbps(curlGet.ms), cp, 'cp', 0.7));
    lines.push(line('awscli PUT, MB/s', mbps(awsPut.ms), boundMbps(awsPut.clientCpu), "awscli's CPU bound", 0.9));
    lines.push(line('awscli GET, MB/s', mbps(awsGet.ms), boundMbps(awsGet.clientCpu), "awscli's CPU bound", 0.9));
    lines.push(lowerIsBetter('server CPU per GiB, awscli PUT (s)', awsPut.serverCpu / gib, (hashCpu / gib) * 1.5, '1.5x md5sum+sha256sum'));
    lines.push(lowerIsBetter('server CPU per GiB, curl PUT (s)', curlPut.serverCpu / gib, (hashCpu / gib) * 1.5, '1.5x md5sum+sha256sum'));
    lines.push(lowerIsBetter('server CPU per GiB, curl GET (s)', curlGet.serverCpu / gib, 0.3, '0.3 s'));
    const putBound = Math.min(mbps(durableMs), mbps(md5Ms));
    lines.push(bound('curl -T PUT, MB/s', mbps(curlPut.ms), putBound, 'min(dd conv=fsync, md5sum)'));
    lines.push(bound('curl -o GET, MB/s', mbps(curlGet.ms), mbps(sendfileGet.ms), 'sendfile(2) server'));
    lines.push(bound('server CPU per GiB, curl GET (s)', curlGet.serverCpu / gib, copyGet.serverCpu / gib, 'read+write copy server', true));
    // The client and the server share the cores: awscli's CPU plus the least the server must
    // spend (the two hashes of a signed upload; a bare server's copy for a download).
    lines.push(bound('awscli PUT, MB/s', mbps(awsPut.ms), boundMbps(awsPut.clientCpu + hashCpu), 'awscli CPU + md5sum + sha256sum'));
    lines.push(bound('awscli GET, MB/s', mbps(awsGet.ms), boundMbps(awsGet.clientCpu + copyGet.serverCpu), 'awscli CPU + copy server CPU'));
    client.destroy();

    const ours = await smallObjects(server.endpoint, 'small', serverPid);
    const peer = await withPeer(join(root, 'peer'), (endpoint, pid) => smallObjects(endpoint, 'small', pid)).catch((err: unknown) => {
      throw new Error(`s3rver, the baseline, failed: ${(err as Error).message}`, { cause: err });
    });
    lines.push(line(`${SMALL_OBJECTS} PUTs of 1 KiB, objects/s`, ours.put, peer.put, 's3rver', 3));
    lines.push(line(`${SMALL_OBJECTS} GETs of 1 KiB, objects/s`, ours.get, peer.get, 's3rver', 3));
    lines.push(line(`ListObjectsV2 walk of ${SMALL_OBJECTS} keys, keys/s`, ours.list, peer.list, 's3rver', 3));
    for (const phase of ['put', 'get', 'list'] as const) {
      const name = { put: 'PUTs of 1 KiB, objects/s', get: 'GETs of 1 KiB, objects/s', list: 'ListObjectsV2 walk, keys/s' }[phase];
      // Per operation, the client's CPU and this server's, over the cores: what this machine allows.
      const machine = cores / (1 / ours.clientBound[phase] + ours.serverCpuPerOp[phase]);
      lines.push(bound(name, ours[phase], machine, 'SDK client CPU + server CPU'));
      lines.push(bound(`${name} vs 3x s3rver`, ours.clientBound[phase], peer[phase] * 3, "SDK client's CPU alone"));
      lines.push(bound(`server CPU per op (ms), ${phase.toUpperCase()}`, ours.serverCpuPerOp[phase] * 1000, peer.serverCpuPerOp[phase] * 1000, "s3rver's", true));
    }
    const fmt = (rates: SmallRates) => `PUT ${rates.clientBound.put.toFixed(0)}/s, GET ${rates.clientBound.get.toFixed(0)}/s, LIST ${rates.clientBound.list.toFixed(0)}/s`;
    const clientBounds = `the SDK client's own CPU allows at most: against Skybatch ${fmt(ours)}; against s3rver ${fmt(peer)}`;
    const peakMb = rss.stop() / 1024;
    lines.push({ what: 'server peak RSS, MB', figure: peakMb.toFixed(0), baseline: '200', ratio: peakMb / 200, target: '< 200 MB', pass: peakMb < 200 });

    console.log(`${OBJECT_MIB} MiB object; ${cores} cores; load average ${load.toFixed(2)} at the start`);
    console.log(`baselines: cp ${cp.toFixed(0)} MB/s; md5sum + sha256sum ${hashCpu.toFixed(2)} CPU s; awscli CPU PUT ${awsPut.clientCpu.toFixed(2)} s, GET ${awsGet.clientCpu.toFixed(2)} s; curl CPU PUT ${curlPut.clientCpu.toFixed(2)} s, GET ${curlGet.clientCpu.toFixed(2)} s`);
    printTable(lines);
    console.log(clientBounds);
  } finally {
    rss.stop();
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

function line(what: string, figure: number, baseline: number, baselineName: string, targetRatio: number): Line {
  const ratio = figure / baseline;
  return { what, figure: figure.toFixed(0), baseline: `${baseline.toFixed(0)} (${baselineName})`, ratio, target: `>= ${targetRatio}x`, pass: ratio >= targetRatio };
}

/** A figure beside what the machine allows (a bound, not a target): how close it comes. */
function bound(what: string, figure: number, limit: number, limitName: string, lower = false): Line {
  const digits = figure < 10 ? 2 : 0;
  return { what, figure: figure.toFixed(digits), baseline: `${limit.toFixed(digits)} (${limitName})`, ratio: figure / limit, target: lower ? 'bound (<=)' : 'bound (>=)', pass: true, isBound: true };
}

function lowerIsBetter(what: string, figure: number, limit: number, limitName: string): Line {
  return { what, figure: figure.toFixed(2), baseline: `${limit.toFixed(2)} (${limitName})`, ratio: figure / limit, target: '<= 1x', pass: figure <= limit };
}

function printTable(lines: Line[]): void {
  const rows = [['measure', 'figure', 'baseline', 'ratio', 'target', ''], ...lines.map((l) => [l.what, l.figure, l.baseline, `${l.ratio.toFixed(2)}x`, l.target, l.isBound ? '' : l.pass ? 'PASS' : 'MISS'])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

async function run0(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  await exec(command, args, { maxBuffer: 16 * 1024 * 1024, ...options });
}

/** Wall time, the client's CPU (the child processes it waited for) and the server's CPU over `work`. */
async function measured(serverPid: number, work: () => Promise<void>): Promise<{ ms: number; clientCpu: number; serverCpu: number }> {
  const client = childCpuSeconds();
  const serverCpu = processCpuSeconds(serverPid);
  const ms = await timed(work);
  return { ms, clientCpu: childCpuSeconds() - client, serverCpu: processCpuSeconds(serverPid) - serverCpu };
}

async function childCpu(work: () => Promise<void>): Promise<number> {
  const before = childCpuSeconds();
  await work();
  return childCpuSeconds() - before;
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

function sdkClient(endpoint: Endpoint): S3Client {
  // One keep-alive connection per request in flight, reused throughout.
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  return new S3Client({
    endpoint: endpoint.s3Endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey },
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
  });
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

/** PUT, GET and list SMALL_OBJECTS objects of 1 KiB, IN_FLIGHT at a time: objects per second. */
interface SmallRates {
  put: number;
  get: number;
  list: number;
  /** What this process's own CPU (the SDK client) allows per second, for each: the bound any server meets. */
  clientBound: { put: number; get: number; list: number };
  /** The server's CPU seconds per object (per key listed). */
  serverCpuPerOp: { put: number; get: number; list: number };
}

function cpuSecondsOfThisProcess(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

async function smallObjects(endpoint: Endpoint, bucket: string, serverPid: number): Promise<SmallRates> {
  const client = sdkClient(endpoint);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const body = randomBytes(1024);
    const bound = { put: 0, get: 0, list: 0 };
    const serverCpuPerOp = { put: 0, get: 0, list: 0 };
    const each = async (work: (i: number) => Promise<unknown>, name: 'put' | 'get') => {
      let next = 0;
      const start = performance.now();
      const cpu = cpuSecondsOfThisProcess();
      const server = processCpuSeconds(serverPid);
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          for (let i = next++; i < SMALL_OBJECTS; i = next++) await work(i);
        }),
      );
      bound[name] = SMALL_OBJECTS / (cpuSecondsOfThisProcess() - cpu);
      serverCpuPerOp[name] = (processCpuSeconds(serverPid) - server) / SMALL_OBJECTS;
      return (SMALL_OBJECTS / (performance.now() - start)) * 1000;
    };
    const phase = <T>(name: string, work: Promise<T>) => work.catch((err: unknown) => Promise.reject(new Error(`${name} against ${endpoint.s3Endpoint}: ${(err as Error).message}`, { cause: err })));
    const put = await phase('PUT', each((i) => client.send(new PutObjectCommand({ Bucket: bucket, Key: `obj/${String(i).padStart(6, '0')}`, Body: body })), 'put'));
    const get = await phase('GET', each(async (i) => {
      const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `obj/${String(i).padStart(6, '0')}` }));
      await answer.Body?.transformToByteArray();
    }, 'get'));
    const start = performance.now();
    const listCpu = cpuSecondsOfThisProcess();
    const listServerCpu = processCpuSeconds(serverPid);
    let listed = 0;
    let token: string | undefined;
    do {
      const page = await phase('ListObjectsV2', client.send(new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) })));
      listed += page.KeyCount ?? 0;
      token = page.NextContinuationToken;
    } while (token);
    if (listed !== SMALL_OBJECTS) throw new Error(`listed ${listed} keys, not ${SMALL_OBJECTS}`);
    bound.list = listed / (cpuSecondsOfThisProcess() - listCpu);
    serverCpuPerOp.list = (processCpuSeconds(serverPid) - listServerCpu) / listed;
    return { put, get, list: (listed / (performance.now() - start)) * 1000, clientBound: bound, serverCpuPerOp };
  } finally {
    client.destroy();
  }
}

/** s3rver in its own process (bench/support/s3rver-process.ts), for as long as `work` runs. */
async function withPeer<T>(dir: string, work: (endpoint: Endpoint, pid: number) => Promise<T>): Promise<T> {
  mkdirSync(dir, { recursive: true });
  // s3rver's listings hash with an algorithm OpenSSL 3 keeps in its legacy provider.
  const command = [process.execPath, '--openssl-legacy-provider', '--import', 'tsx', new URL('./support/s3rver-process.ts', import.meta.url).pathname, dir];
  return withServerProcess(command, (port, pid) => work({ s3Endpoint: `http://127.0.0.1:${port}`, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, pid));
}

/** A file server of bench/support (serves one file) for as long as `work` runs. */
function withFileServer<T>(command: string[], work: (url: string, pid: number) => Promise<T>): Promise<T> {
  return withServerProcess(command, (port, pid) => work(`http://127.0.0.1:${port}/file`, pid));
}

/** A server process that prints its port on stdout, for as long as `work` runs. */
async function withServerProcess<T>(command: string[], work: (port: number, pid: number) => Promise<T>): Promise<T> {
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${command.join(' ')} exited with ${code}`)));
      child.once('error', reject);
      child.stdout?.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
    });
    return await work(port, child.pid as number);
  } finally {
    child.kill('SIGTERM');
  }
}

/** Peak VmRSS of a process, in KiB, sampled every 50 ms until stop(). */
class RssSampler {
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;

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
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
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
