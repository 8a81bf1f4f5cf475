/*
 * Where the server is and how to authenticate: `skybatch up` writes DIR/endpoint.json,
 * every other command reads it (or SKYBATCH_ENDPOINT + SKYBATCH_TOKEN, as jobs get them).
 */
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CliError } from './output.js';

export const DEFAULT_DATA_DIR = '.skybatch';

export interface EndpointFile {
  url: string;
  token: string;
  s3Endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Endpoint {
  url: string;
  token: string | undefined;
  /** Where url and token came from, so an error can say what to fix. */
  source: string;
}

export function endpointPath(dataDir: string | undefined): string {
  return join(resolve(dataDir ?? DEFAULT_DATA_DIR), 'endpoint.json');
}

/** undefined when the file does not exist; throws on a file that is there but unusable. */
export async function readEndpointFile(path: string): Promise<EndpointFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(1, `cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(1, `${path} is not valid JSON`);
  }
  const fields = ['url', 'token', 's3Endpoint', 'accessKeyId', 'secretAccessKey'] as const;
  const record = parsed as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null || fields.some((field) => typeof record[field] !== 'string')) {
    throw new CliError(1, `${path} must hold {${fields.map((field) => `"${field}"`).join(', ')}} as strings`);
  }
  return record as unknown as EndpointFile;
}

/**
 * Written to a temporary file and renamed, so a command reading it meanwhile never sees
 * half a file, and created 0600 because it holds credentials.
 */
export async function writeEndpointFile(path: string, endpoint: EndpointFile): Promise<void> {
  await writePrivateFile(path, `${JSON.stringify(endpoint, null, 2)}\n`);
}

/** The pair in the AWS shared-credentials format, 0600, for AWS_SHARED_CREDENTIALS_FILE. */
export async function writeCredentialsFile(path: string, keys: { accessKeyId: string; secretAccessKey: string }): Promise<void> {
  await writePrivateFile(path, `[default]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`);
}

/** Atomically (temporary file + rename) and 0600; a failed write leaves no temporary file behind. */
async function writePrivateFile(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, content, { mode: 0o600 });
    // The mode given to writeFile is filtered by the umask; chmod is not.
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true }).catch(() => {});
    throw err;
  }
}

/** The pair of a credentials file written by writeCredentialsFile; undefined when absent or unreadable. */
export async function readCredentialsFile(path: string): Promise<{ accessKeyId: string; secretAccessKey: string } | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const accessKeyId = text === undefined ? undefined : /^aws_access_key_id\s*=\s*(\S+)\s*$/m.exec(text)?.[1];
  const secretAccessKey = text === undefined ? undefined : /^aws_secret_access_key\s*=\s*(\S+)\s*$/m.exec(text)?.[1];
  return accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey } : undefined;
}

/** The SKYBATCH_ENDPOINT/SKYBATCH_TOKEN pair wins, else the data dir's endpoint.json. */
export async function findEndpoint(dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Endpoint> {
  const envUrl = env.SKYBATCH_ENDPOINT;
  if (envUrl !== undefined && envUrl !== '') {
    return { url: trimSlash(envUrl), token: emptyToUndefined(env.SKYBATCH_TOKEN), source: 'SKYBATCH_ENDPOINT and SKYBATCH_TOKEN' };
  }
  const path = endpointPath(dataDir);
  const file = await readEndpointFile(path);
  if (file === undefined) {
    throw new CliError(
      1,
      `no Skybatch server found: ${path} does not exist. Start one with \`skybatch up\`` +
        `${dataDir === undefined ? '' : ` --data ${dataDir}`}, or set SKYBATCH_ENDPOINT and SKYBATCH_TOKEN`,
    );
  }
  return { url: trimSlash(file.url), token: file.token, source: path };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
