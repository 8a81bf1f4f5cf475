/*
 * The console's HTTP client. The session cookie authenticates every call; state-changing
 * calls add the CSRF token, read once from GET /api/v1/session.
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

let csrfToken: string | undefined;

/** Whether a session cookie is present and valid; loads the CSRF token. */
export async function loadSession(): Promise<boolean> {
  const response = await fetch('/api/v1/session', { credentials: 'same-origin' });
  if (!response.ok) return false;
  const body = (await response.json()) as { csrfToken?: string };
  csrfToken = body.csrfToken;
  return true;
}

export async function login(token: string): Promise<void> {
  const body = await api<{ csrfToken: string }>('POST', '/api/v1/session', { token });
  csrfToken = body.csrfToken;
}

export async function logout(): Promise<void> {
  await api('DELETE', '/api/v1/session');
  csrfToken = undefined;
}

function headers(json: boolean): Record<string, string> {
  return { ...(json ? { 'content-type': 'application/json' } : {}), ...(csrfToken === undefined ? {} : { 'x-csrf-token': csrfToken }) };
}

async function toError(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const { error } = JSON.parse(text) as { error: { code: string; message: string; details?: unknown } };
    return new ApiError(response.status, error.code, error.message, error.details);
  } catch {
    return new ApiError(response.status, 'Unknown', text || response.statusText);
  }
}

/** The session ended (expired, or logged out in another tab): back to the login page, saying why. */
function sessionLost(): void {
  const message = 'Your console session has ended (it expired, or you logged out). Log in again.';
  if (window.location.pathname !== '/login') window.location.assign(`/login?error=${encodeURIComponent(message)}`);
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: headers(body !== undefined),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) {
    const error = await toError(response);
    if (response.status === 401 && path !== '/api/v1/session') sessionLost();
    throw error;
  }
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T,>(path: string) => api<T>('GET', path);

/** Uploads a file's bytes as an object. */
export async function putObject(bucket: string, key: string, file: Blob): Promise<void> {
  const response = await fetch(objectUrl(bucket, key), {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { ...headers(false), 'content-type': file.type || 'application/octet-stream' },
    body: file,
  });
  if (!response.ok) throw await toError(response);
}

export function objectUrl(bucket: string, key: string): string {
  return `/api/v1/buckets/${encodeURIComponent(bucket)}/objects/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export const enc = encodeURIComponent;

export function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '');
  return entries.length === 0 ? '' : `?${entries.map(([k, v]) => `${enc(k)}=${enc(String(v))}`).join('&')}`;
}
