/*
 * Console sessions. The console URL carries the admin token once (`/?token=...`); the server
 * swaps it for a session token of its own (valid for a week unless revoked by logout, stored
 * hashed: engine/tokens.ts) in an
 * HttpOnly, SameSite=Strict cookie and redirects to the same page without the token, so it
 * stays out of history and Referer.
 *
 * CSRF: a request authenticated by the cookie must also send `x-csrf-token` on anything but
 * GET/HEAD. The value is bound to the session (a hash of its token) and only readable
 * through GET /api/v1/session, which another site's page cannot read (same-origin policy), so a
 * cross-site form or fetch cannot supply it. Bearer-token clients (the CLI) are unaffected:
 * a browser never adds an Authorization header by itself.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../../engine/types.js';
import { ForbiddenError, UnauthorizedError } from '../../errors.js';
import { objectSchema } from '../schemas.js';

export const SESSION_COOKIE = 'skybatch_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`skybatch-csrf\0${sessionToken}`).digest('base64url');
}

/** The session token from the Cookie header, if any. */
export function sessionCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Throws 403 unless a cookie-authenticated, state-changing request carries its CSRF token. */
export function checkCsrf(request: FastifyRequest, sessionToken: string): void {
  if (SAFE_METHODS.has(request.method)) return;
  const sent = request.headers[CSRF_HEADER];
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = Buffer.from(typeof sent === 'string' ? sent : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ForbiddenError(`a request authenticated by the console cookie must carry the ${CSRF_HEADER} header from GET /api/v1/session`);
  }
}

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

const SESSION_SECONDS = 7 * 24 * 3600;

/** Verifies an admin token and sets a new session cookie; returns the session's CSRF token. */
export async function startSession(platform: Platform, request: FastifyRequest, reply: FastifyReply, token: string): Promise<string> {
  const scope = token.length > 512 ? undefined : await platform.tokens.verify(token);
  if (!scope) throw new UnauthorizedError('unknown or revoked access token');
  if (scope.kind !== 'admin') throw new ForbiddenError('the console needs an admin token; job tokens may not open it');
  const session = await platform.tokens.issueSession(Date.now() + SESSION_SECONDS * 1000);
  void reply.header('set-cookie', cookie(session, SESSION_SECONDS, request.protocol === 'https'));
  return csrfTokenFor(session);
}

export function sessionRoutes(app: FastifyInstance, platform: Platform): void {
  const tag = 'console';
  app.post<{ Body: { token: string } }>('/api/v1/session', {
    config: { access: 'public', doc: { operationId: 'createSession', summary: 'Exchange an admin token for a console session cookie; answers the CSRF token', tag } },
    schema: { body: objectSchema({ token: { type: 'string', minLength: 1, maxLength: 512 } }, ['token']) },
  }, async (request, reply) => ({ csrfToken: await startSession(platform, request, reply, request.body.token) }));

  app.get('/api/v1/session', {
    config: { doc: { operationId: 'describeSession', summary: 'The CSRF token of the console session the cookie names', tag } },
  }, async (request) => {
    const session = sessionCookie(request);
    return { authenticated: true, cookie: session !== undefined, ...(session === undefined ? {} : { csrfToken: csrfTokenFor(session) }) };
  });

  app.delete('/api/v1/session', {
    config: { access: 'public', doc: { operationId: 'deleteSession', summary: 'Log out: end the console session the cookie names and clear the cookie', tag } },
  }, async (request, reply) => {
    // Revoked server-side: a copy of the cookie (another tab, a stolen value) is dead too.
    const session = sessionCookie(request);
    if (session !== undefined && session.length <= 512) await platform.tokens.revokeSession(session);
    void reply.header('set-cookie', cookie('', 0, request.protocol === 'https'));
    return { authenticated: false };
  });
}
