/*
 * `skybatch up [--data DIR] [--host H] [--port N] [--apply STACK]`: the whole platform in
 * this process, until SIGINT or SIGTERM. Credentials live in DIR/endpoint.json and survive
 * restarts, so scripts and S3 clients configured once keep working. With --apply, the stack
 * file is applied once the server listens; on a restart its plan is empty, so nothing changes.
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { DEFAULT_DATA_DIR, endpointPath, readCredentialsFile, readEndpointFile, writeCredentialsFile, writeEndpointFile } from '../endpoint.js';
import type { EndpointFile } from '../endpoint.js';
import type { Platform } from '../../engine/types.js';
import { loadStack, type LoadedStack } from '../../stack/load.js';
import { CliError, EXIT_FAILED, EXIT_USAGE, describeError, printNote } from '../output.js';
import { failureLines, failureSummary, planLines } from './stacks.js';

const SHUTDOWN_GRACE_MS = 5000;

export interface UpOptions {
  data?: string;
  host?: string;
  port?: string;
  /** A stack file to apply once the server listens. */
  apply?: string;
}

export async function upCommand(options: UpOptions): Promise<number> {
  const host = options.host ?? '127.0.0.1';
  const port = parsePort(options.port ?? '8080');
  const dataDir = resolve(options.data ?? DEFAULT_DATA_DIR);
  // Checked before anything starts: a broken stack file is the user's to fix (exit 2).
  const stack = options.apply === undefined ? undefined : loadStackOrThrow(options.apply);
  await mkdir(dataDir, { recursive: true });
  const path = endpointPath(dataDir);
  // Read before opening the platform: a broken file should stop us before anything starts.
  const previous = await readEndpointFile(path);
  if (previous !== undefined && (await answers(previous.url))) {
    throw new CliError(EXIT_FAILED, `a Skybatch server for ${dataDir} is already running at ${previous.url}`);
  }

  // Loaded here, not at the top: every other command would pay for loading the server
  // (fastify, database drivers) on each call.
  const [{ openPlatform }, { createServer }, { pino, destination }] = await Promise.all([import('../../engine/platform.js'), import('../../api/server.js'), import('pino')]);
  const databaseUrl = process.env.SKYBATCH_DATABASE_URL;
  const platform = await openPlatform({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
  let server: Awaited<ReturnType<typeof createServer>> | undefined;
  try {
    // A token from endpoint.json is only reused if this store knows it: pointing
    // SKYBATCH_DATABASE_URL at another database must not leave a dead token behind.
    const reuse = previous !== undefined && (await platform.tokens.verify(previous.token)) !== undefined;
    if (previous !== undefined && !reuse) printNote(`skybatch: the token in ${path} is unknown to this store; issuing a new one`);
    const token = reuse ? previous.token : await platform.tokens.issue({ kind: 'admin' });

    // Warnings and errors only, as JSON lines on stderr: each 500 with its stack, request id and route.
    server = await createServer(platform, { loggerInstance: pino({ level: 'warn' }, destination({ fd: 2 })) });
    try {
      await server.listen({ host, port });
    } catch (err) {
      throw new CliError(EXIT_FAILED, `cannot listen on ${host}:${port}: ${(err as Error).message}`);
    }
    const url = `http://${urlHost(host)}:${(server.server.address() as AddressInfo).port}`;
    // Jobs call back here (skybatch progress, task tokens).
    platform.setEndpointUrl?.(url);
    const credentialsPath = join(dataDir, 's3-credentials');
    // endpoint.json may be gone (deleted with a stale port); s3-credentials keeps the pair too.
    const keys = await defaultAccessKey(platform, previous ?? (await readCredentialsFile(credentialsPath)));
    const endpoint: EndpointFile = { url, token, s3Endpoint: `${url}/s3`, accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
    await writeEndpointFile(path, endpoint);
    // An AWS shared-credentials file: AWS_SHARED_CREDENTIALS_FILE=DIR/s3-credentials for any S3 client.
    await writeCredentialsFile(credentialsPath, keys);

    process.stdout.write(`Skybatch is up: console at ${url}/?token=${token}\n`);
    process.stdout.write(`API endpoint, token and S3 keys: ${path}\n`);
    process.stdout.write(`S3 endpoint: ${endpoint.s3Endpoint} (access key ${keys.accessKeyId}; \`skybatch access-keys default\` prints the pair)\n`);
    if (stack !== undefined) await applyStack(platform, stack);
  } catch (err) {
    await server?.close();
    await platform.close();
    throw err;
  }

  const signal = await untilSignal();
  process.stderr.write(`skybatch: ${signal}, shutting down\n`);
  // Requests under way get a grace period; a client that stopped reading a download (its
  // connection never goes idle) must not keep the server from stopping.
  const force = setTimeout(() => server?.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
  await server.close();
  clearTimeout(force);
  await platform.close();
  // Whatever handle a subsystem forgets to release must not keep a stopped server alive.
  setTimeout(() => process.exit(0), 2000).unref();
  return 0;
}

/**
 * The key pair of endpoint.json stays valid across restarts, so S3 clients configured once keep
 * working; a store that has a different secret under that id (another database) gets a new pair.
 */
async function defaultAccessKey(platform: Platform, previous: { accessKeyId: string; secretAccessKey: string } | undefined): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const keys = platform.accessKeys;
  if (!keys) throw new CliError(EXIT_FAILED, 'this platform has no access keys');
  const description = 'default key of skybatch up';
  if (previous !== undefined && (await keys.adopt({ accessKeyId: previous.accessKeyId, secretAccessKey: previous.secretAccessKey, description }))) {
    return { accessKeyId: previous.accessKeyId, secretAccessKey: previous.secretAccessKey };
  }
  if (previous !== undefined) printNote('skybatch: the S3 key pair kept in the data directory does not match this store; issuing a new one');
  return keys.create({ description });
}

function loadStackOrThrow(file: string): LoadedStack {
  const loaded = loadStack(file);
  if ('problems' in loaded) throw new CliError(EXIT_USAGE, `${file} is invalid (${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'}); the server was not started`, loaded.problems);
  return loaded.stack;
}

/**
 * Applies the stack as `skybatch apply` would, printing the same plan lines. A change that
 * fails is reported and the server keeps running: the rest of the platform is usable, and
 * the next start (or `skybatch apply`) carries on where this one stopped.
 */
async function applyStack(platform: Platform, stack: LoadedStack): Promise<void> {
  if (!platform.stacks) throw new CliError(EXIT_FAILED, 'this platform cannot apply stacks');
  let result: Awaited<ReturnType<NonNullable<Platform['stacks']>['apply']>>;
  try {
    result = await platform.stacks.apply(stack.value);
  } catch (err) {
    // e.g. a resource another stack manages: the server is still worth keeping up.
    printNote(`skybatch: stack ${stack.name} was not applied: ${describeError(err).split('\n', 1)[0] ?? ''}`);
    for (const line of (err as { problems?: string[] }).problems ?? []) printNote(`  ${line}`);
    return;
  }
  for (const line of planLines(result, false)) process.stdout.write(`${line}\n`);
  if (result.failed.length > 0) {
    printNote(`skybatch: ${failureSummary(result.failed)}`);
    for (const line of failureLines(result.failed)) printNote(`  ${line}`);
  }
}

/** Resolves on the first SIGINT/SIGTERM; a second one while closing ends the process at once. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolveSignal(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * Whether a Skybatch server answers at url. Two servers on one data dir would fight over
 * its endpoint.json and, on SQLite, take each other's task leases at start.
 */
async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await response.json()) as { status?: unknown; store?: unknown };
    return response.ok && body.status === 'ok' && typeof body.store === 'string';
  } catch {
    return false;
  }
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new CliError(EXIT_USAGE, `--port must be a number from 0 to 65535, not "${text}"`);
  return port;
}

/** The address clients on this machine use: a wildcard bind is reached through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
