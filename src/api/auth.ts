/*
 * Bearer-token authentication, or the console's session cookie (console/session.ts: with the
 * cookie, state-changing requests must also carry the CSRF token). A session value is only
 * accepted as the cookie: sent as a Bearer token it would skip the CSRF check. Each route says who may call it through its config:
 *   access: 'public' (no token), 'admin' (the default: admin tokens only) or 'job'
 *   (admin tokens, and the token a running job was given).
 * Admin is the default so that a route which forgets to say stays closed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SESSION_PREFIX } from '../engine/tokens.js';
import type { Platform, TokenScope } from '../engine/types.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import { checkCsrf, sessionCookie } from './console/session.js';

export type Access = 'public' | 'admin' | 'job';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** Who called, once authenticated; undefined on public routes. */
    tokenScope: TokenScope | undefined;
  }
}

// Tokens are short; a huge header is not worth a database lookup.
const MAX_TOKEN_LENGTH = 512;

export function installAuth(app: FastifyInstance, platform: Platform): void {
  app.decorateRequest('tokenScope', undefined);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    // Unknown paths answer 404 to anyone: the route list is public in openapi.json anyway.
    if (request.is404) return;
    const access = request.routeOptions.config.access ?? 'admin';
    if (access === 'public') return;
    const session = request.headers.authorization === undefined ? sessionCookie(request) : undefined;
    const scope = session === undefined ? await authenticate(platform, request.headers.authorization) : await authenticateSession(platform, request, session);
    if (access === 'admin' && scope.kind !== 'admin') throw new ForbiddenError('this route needs an admin token; job tokens may not use it');
    request.tokenScope = scope;
  });
}

async function authenticate(platform: Platform, header: string | undefined): Promise<TokenScope> {
  if (header === undefined || header.trim() === '') throw new UnauthorizedError('missing Authorization: Bearer <token> header');
  const match = /^Bearer +(\S+) *$/i.exec(header);
  const token = match?.[1];
  if (token === undefined) throw new UnauthorizedError('the Authorization header must be "Bearer <token>"');
  // A session must come as its cookie, where state-changing requests are also asked for the CSRF token.
  if (token.startsWith(SESSION_PREFIX)) throw new UnauthorizedError('a console session is accepted only as its cookie, not as a Bearer token: use an access token');
  const scope = token.length > MAX_TOKEN_LENGTH ? undefined : await platform.tokens.verify(token);
  if (!scope) throw new UnauthorizedError('unknown or revoked access token');
  return scope;
}

async function authenticateSession(platform: Platform, request: FastifyRequest, session: string): Promise<TokenScope> {
  const scope = session.length > MAX_TOKEN_LENGTH ? undefined : await platform.tokens.verifySession(session);
  if (!scope) throw new UnauthorizedError('the console session has expired or is unknown: open the console URL that `skybatch up` printed');
  checkCsrf(request, session);
  return scope;
}
