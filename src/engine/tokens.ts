/*
 * Access tokens. Admin tokens are random and stored hashed. Job tokens are derived
 * (HMAC of the job id with a per-store secret), so starting thousands of jobs writes no
 * token rows, and every server sharing the store can check them. Console sessions are random
 * and stored hashed with their expiry (store/console-sessions.ts), so that logout can end them;
 * they are only ever accepted as the console's cookie (verifySession), never as a Bearer token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/database.js';
import { isUniqueViolation } from '../store/errors.js';
import { deleteExpiredSessions, deleteSession, findSession, insertSession } from '../store/console-sessions.js';
import { findToken, insertToken } from '../store/tokens.js';
import type { Tokens } from './types.js';

const SECRET_KEY = 'job-token-secret';
/** Console session values start with this; admin tokens are plain base64url and never contain a dot. */
export const SESSION_PREFIX = 'session.';

async function jobSecret(store: Store): Promise<Buffer> {
  const read = () => store.db.selectFrom('settings').select('value').where('key', '=', SECRET_KEY).executeTakeFirst();
  let row = await read();
  if (!row) {
    try {
      await store.db.insertInto('settings').values({ key: SECRET_KEY, value: randomBytes(32).toString('base64') }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    row = await read();
  }
  return Buffer.from((row as { value: string }).value, 'base64');
}

export async function createTokens(store: Store): Promise<Tokens & { forJob(jobId: string): string }> {
  const secret = await jobSecret(store);
  const sign = (jobId: string) => createHmac('sha256', secret).update(jobId).digest('base64url');
  const forJob = (jobId: string) => `job.${Buffer.from(jobId).toString('base64url')}.${sign(jobId)}`;
  return {
    forJob,
    async issueSession(expiresAt, now = Date.now()) {
      await deleteExpiredSessions(store.db, now);
      const session = `${SESSION_PREFIX}${randomBytes(24).toString('base64url')}`;
      await insertSession(store.db, session, expiresAt, now);
      return session;
    },
    async verifySession(session, now = Date.now()) {
      if (!session.startsWith(SESSION_PREFIX)) return undefined;
      const row = await findSession(store.db, session);
      return row !== undefined && row.expires_at > now ? { kind: 'admin' } : undefined;
    },
    async revokeSession(session) {
      await deleteSession(store.db, session);
    },
    async verify(token) {
      if (token.startsWith(SESSION_PREFIX)) return undefined;
      if (token.startsWith('job.')) {
        const [, id, mac] = token.split('.');
        if (!id || !mac) return undefined;
        const jobId = Buffer.from(id, 'base64url').toString();
        const expected = Buffer.from(sign(jobId));
        const given = Buffer.from(mac);
        return given.length === expected.length && timingSafeEqual(given, expected) ? { kind: 'job', jobId } : undefined;
      }
      const row = await findToken(store.db, token);
      if (!row) return undefined;
      return row.scope === 'job' ? { kind: 'job', jobId: row.job_id ?? '' } : { kind: 'admin' };
    },
    async issue(scope) {
      if (scope.kind === 'job') return forJob(scope.jobId);
      const token = randomBytes(24).toString('base64url');
      await insertToken(store.db, token, scope.kind, null, new Date().toISOString());
      return token;
    },
  };
}
