/*
 * Access tokens. Admin tokens are random and stored hashed. Job tokens are derived
 * (HMAC of the job id with a per-store secret), so starting thousands of jobs writes no
 * token rows, and every server sharing the store can check them. Console sessions are derived
 * the same way from their expiry time and a nonce: admin scope until they expire, no rows.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/database.js';
import { isUniqueViolation } from '../store/errors.js';
import { findToken, insertToken } from '../store/tokens.js';
import type { Tokens } from './types.js';

const SECRET_KEY = 'job-token-secret';

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
    issueSession(expiresAt: number): string {
      const nonce = randomBytes(12).toString('base64url');
      // \0 keeps this message apart from any job id the same key signs.
      return `session.${expiresAt}.${nonce}.${sign(`session\0${expiresAt}\0${nonce}`)}`;
    },
    async verify(token, now = Date.now()) {
      if (token.startsWith('session.')) {
        const [, expires, nonce, mac] = token.split('.');
        if (!expires || !nonce || !mac || !/^\d+$/.test(expires)) return undefined;
        const expected = Buffer.from(sign(`session\0${expires}\0${nonce}`));
        const given = Buffer.from(mac);
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
        return Number(expires) > now ? { kind: 'admin' } : undefined;
      }
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
