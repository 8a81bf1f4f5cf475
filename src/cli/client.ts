/*
 * A small fetch client for /api/v1. Every failure becomes a CliError carrying the exit
 * code of the contract: 2 when the user must change the request (any 4xx), 1 when the
 * server or the connection failed.
 */
import { findEndpoint } from './endpoint.js';
import type { Endpoint } from './endpoint.js';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './output.js';

export type Query = Record<string, string | number | boolean | undefined>;

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

export class Client {
  constructor(private readonly endpoint: Endpoint) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, undefined, query);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  async delete(path: string): Promise<void> {
    await this.request<unknown>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    return (await this.send<T>(method, path, body, query)).body;
  }

  /** The HTTP status with the body (undefined for 204), for routes where 200 and 201 differ. */
  async send<T>(method: string, path: string, body?: unknown, query?: Query): Promise<{ status: number; body: T }> {
    const url = new URL(`${this.endpoint.url}/api/v1${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.endpoint.token !== undefined) headers.authorization = `Bearer ${this.endpoint.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (err) {
      // fetch only says "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, bad port) is its cause.
      const cause = (err as Error).cause as NodeJS.ErrnoException | undefined;
      const reason = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new CliError(EXIT_FAILED, `cannot reach the Skybatch server at ${this.endpoint.url} (${reason}): is \`skybatch up\` running?`);
    }
    const text = await response.text();
    if (response.ok) return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
    throw this.failure(response, text);
  }

  private failure(response: Response, text: string): CliError {
    const exitCode = response.status >= 400 && response.status < 500 ? EXIT_USAGE : EXIT_FAILED;
    let body: ErrorBody | undefined;
    try {
      body = JSON.parse(text) as ErrorBody;
    } catch {
      body = undefined;
    }
    const error = body?.error;
    if (typeof error?.code !== 'string') {
      return new CliError(exitCode, `HTTP ${response.status} ${response.statusText} from ${this.endpoint.url}`);
    }
    const problems = (error.details as { problems?: unknown } | undefined)?.problems;
    const lines = Array.isArray(problems) ? problems.map(String) : [];
    // The problems are listed once, as lines of their own, even when the message repeats them.
    let message = typeof error.message === 'string' ? error.message : '';
    if (lines.length > 0) message = message.split('\n', 1)[0] ?? '';
    if (response.status === 401) {
      message += this.endpoint.token === undefined ? ' (no token given: set SKYBATCH_TOKEN)' : ` (the token came from ${this.endpoint.source})`;
    }
    return new CliError(exitCode, `${error.code}: ${message}`, lines);
  }
}

/** Path segment for an id or an ARN, which holds colons and slashes. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}

/** The client for the server that --data, or the environment, names. */
export async function connect(dataDir: string | undefined): Promise<Client> {
  return new Client(await findEndpoint(dataDir));
}

/** Every item of a paged list, following nextToken; stops at max when given. */
export async function listAll<T>(client: Client, path: string, query: Query, max?: number): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const limit = max === undefined ? 100 : Math.min(100, max - items.length);
    const page = await client.get<{ items: T[]; nextToken?: string }>(path, { ...query, limit, nextToken });
    items.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken !== undefined && (max === undefined || items.length < max));
  return items;
}
