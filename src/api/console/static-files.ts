/*
 * The console's files (built by `vite build` into dist/web): `/` and the SPA's own paths get
 * index.html, `/assets/*` the hashed bundles. Files are read once and kept in memory with
 * their gzip and brotli forms (the whole console is a few hundred KB), so a page load costs
 * no disk reads and transfers compressed. The build writes those forms beside each file
 * (scripts/compress-web.mjs: brotli at its best takes over a second, too long for every
 * start); a file without them gets a quick gzip here. `/?token=...` logs in first (session.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../../engine/types.js';
import { SkybatchError } from '../../errors.js';
import { startSession } from './session.js';

/** dist/web from both src/api/console (tests, tsx) and dist/api/console (the package). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

/** The console's client-side routes; each is also served index.html on a reload. */
export const CONSOLE_SECTIONS = ['overview', 'forms', 'state-machines', 'executions', 'jobs', 'objects', 'notifications', 'login'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);

/**
 * Inline styles are allowed because the graph library positions nodes with style attributes;
 * scripts only from this origin, so an injected <script> could not run even if it rendered.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

interface StaticFile {
  body: Buffer;
  type: string;
  gzip?: Buffer;
  brotli?: Buffer;
}

function loadFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (current: string): void => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const ext = extname(name);
      // The compressed forms are read with the file they belong to.
      if (ext === '.gz' || ext === '.br') continue;
      const body = readFileSync(path);
      const file: StaticFile = { body, type: TYPES[ext] ?? 'application/octet-stream' };
      if (COMPRESSIBLE.has(ext) && body.length > 512) {
        file.gzip = existsSync(`${path}.gz`) ? readFileSync(`${path}.gz`) : gzipSync(body, { level: 6 });
        if (existsSync(`${path}.br`)) file.brotli = readFileSync(`${path}.br`);
      }
      files.set(`/${relative(dir, path).split(sep).join('/')}`, file);
    }
  };
  walk(dir);
  return files;
}

function send(request: FastifyRequest, reply: FastifyReply, file: StaticFile, cache: string): FastifyReply {
  const accepted = String(request.headers['accept-encoding'] ?? '');
  void reply.header('content-type', file.type).header('cache-control', cache).header('x-content-type-options', 'nosniff').header('vary', 'accept-encoding');
  if (file.type.startsWith('text/html')) void reply.header('content-security-policy', CSP).header('referrer-policy', 'no-referrer');
  if (file.brotli && /\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(file.brotli);
  if (file.gzip && /\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

export function consoleRoutes(app: FastifyInstance, platform: Platform, dir: string = DEFAULT_CONSOLE_DIR): void {
  const files = existsSync(join(dir, 'index.html')) ? loadFiles(dir) : new Map<string, StaticFile>();
  const missing: StaticFile = { type: 'text/html; charset=utf-8', body: Buffer.from('<!doctype html><title>Skybatch</title><p>The console is not built: run <code>npm run build</code>.</p>') };
  const config = { access: 'public' as const, hidden: true };

  const index = (request: FastifyRequest, reply: FastifyReply) => send(request, reply, files.get('/index.html') ?? missing, 'no-cache');

  app.get<{ Querystring: { token?: string } }>('/', { config }, async (request, reply) => {
    const token = request.query.token;
    if (token === undefined) return index(request, reply);
    try {
      await startSession(platform, request, reply, token);
      return reply.code(303).header('location', '/').header('referrer-policy', 'no-referrer').send();
    } catch (err) {
      if (!(err instanceof SkybatchError)) throw err;
      return reply.code(303).header('location', `/login?error=${encodeURIComponent(err.message)}`).send();
    }
  });

  app.get<{ Params: { '*': string } }>('/assets/*', { config }, async (request, reply) => {
    const file = files.get(`/assets/${request.params['*']}`);
    if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    // Vite names assets by content hash: a changed file gets a new name.
    return send(request, reply, file, 'public, max-age=31536000, immutable');
  });

  for (const name of ['/favicon.svg']) {
    app.get(name, { config }, async (request, reply) => {
      const file = files.get(name);
      return file ? send(request, reply, file, 'public, max-age=86400') : reply.code(404).send();
    });
  }

  for (const section of CONSOLE_SECTIONS) {
    app.get(`/${section}`, { config }, index);
    app.get(`/${section}/*`, { config }, index);
  }
}
