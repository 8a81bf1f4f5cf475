/*
 * Access tokens. Admin tokens are random and stored hashed. Job tokens are derived
 * (HMAC of the job id with a per-store secret), so starting thousands of jobs writes no
 * token rows, and every server sharing the store can check them; they end with their job
 * (job-token-life.ts). A function invocation's token is random and lives in this process's
 * memory for as long as the invocation runs: its SKYBATCH_ENDPOINT is this server. Console
 * sessions are random and stored hashed with their expiry (store/console-sessions.ts), so that
 * logout can end them; they are only ever accepted as the console's cookie (verifySession),
 * never as a Bearer token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/database.js';
import { isUniqueViolation } from '../store/errors.js';
import { deleteExpiredSessions, deleteSession, findSession, insertSession } from '../store/console-sessions.js';
import { findToken, insertToken } from '../store/tokens.js';
import { JobTokenLife } from './job-token-life.js';
import type { TokenScope, Tokens } from './types.js';

const SECRET_KEY = 'job-token-secret';
/** Console session values start with this; admin tokens are plain base64url and never contain a dot. */
export const SESSION_PREFIX = 'session.';
const INVOCATION_PREFIX = 'fn.';
/** How long a job's token outlives the job by default (SKYBATCH_JOB_TOKEN_GRACE_SECONDS). */
export const DEFAULT_JOB_TOKEN_GRACE_SECONDS = 60;

export interface TokensOptions {
  /** How long a job's token stays valid after the job ended, for its last upload. */
  jobGraceSeconds?: number;
  /** The clock verify() uses when not given a time. */
  now?: () => number;
}

/** A function invocation's credentials: good until end() is called. */
export interface InvocationToken {
  token: string;
  end(): void;
}

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

export async function createTokens(
  store: Store,
  options: TokensOptions = {},
): Promise<Tokens & { forJob(jobId: string): string; forInvocation(functionName: string): InvocationToken }> {
  const secret = await jobSecret(store);
  const clock = options.now ?? Date.now;
  const jobLife = new JobTokenLife(store, (options.jobGraceSeconds ?? DEFAULT_JOB_TOKEN_GRACE_SECONDS) * 1000);
  const invocations = new Map<string, TokenScope>();
  const jobScope = async (jobId: string, now: number): Promise<TokenScope | undefined> => ((await jobLife.valid(jobId, now)) ? { kind: 'job', jobId } : undefined);
  const sign = (jobId: string) => createHmac('sha256', secret).update(jobId).digest('base64url');
  const forJob = (jobId: string) => `job.${Buffer.from(jobId).toString('base64url')}.${sign(jobId)}`;
  return {
    forJob,
    forInvocation(functionName) {
      const token = `${INVOCATION_PREFIX}${randomBytes(24).toString('base64url')}`;
      // The scope jobs have: objects and the other job routes, never the admin API.
      invocations.set(token, { kind: 'job', jobId: `function/${functionName}` });
      return { token, end: () => invocations.delete(token) };
    },
    async issueSession(expiresAt, now = clock()) {
      await deleteExpiredSessions(store.db, now);
      const session = `${SESSION_PREFIX}${randomBytes(24).toString('base64url')}`;
      await insertSession(store.db, session, expiresAt, now);
      return session;
    },
    async verifySession(session, now = clock()) {
      if (!session.startsWith(SESSION_PREFIX)) return undefined;
      const row = await findSession(store.db, session);
      return row !== undefined && row.expires_at > now ? { kind: 'admin' } : undefined;
    },
    async revokeSession(session) {
      await deleteSession(store.db, session);
    },
    async verify(token, now = clock()) {
      if (token.startsWith(SESSION_PREFIX)) return undefined;
      if (token.startsWith(INVOCATION_PREFIX)) return invocations.get(token);
      if (token.startsWith('job.')) {
        const [, id, mac] = token.split('.');
        if (!id || !mac) return undefined;
        const jobId = Buffer.from(id, 'base64url').toString();
        const expected = Buffer.from(sign(jobId));
        const given = Buffer.from(mac);
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
        // Functions were once given job tokens named function/NAME that never ended; no job has such an id.
        return jobScope(jobId, now);
      }
      const row = await findToken(store.db, token);
      if (!row) return undefined;
      return row.scope === 'job' ? jobScope(row.job_id ?? '', now) : { kind: 'admin' };
    },
    async issue(scope) {
      if (scope.kind === 'job') return forJob(scope.jobId);
      const token = randomBytes(24).toString('base64url');
      await insertToken(store.db, token, scope.kind, null, new Date().toISOString());
      return token;
    },
  };
}
