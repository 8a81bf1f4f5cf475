/*
 * S3 access keys: the credentials S3 clients sign requests with. Shaped as AWS's: a
 * 20-character upper-case id starting SKY and a 40-character secret. The secret is shown once,
 * by create(); the SigV4 verifier asks secretFor() on every request, so answers are cached
 * briefly (a key deleted through another server stops working within CACHE_MS).
 * Where the keys live: the platform's store, so every server on one PostgreSQL knows them.
 */
import { randomInt } from 'node:crypto';
import { BadRequestError, NotFoundError } from '../errors.js';
import { deleteAccessKey, findAccessKey, insertAccessKey, listAccessKeys } from '../store/access-keys.js';
import type { Store } from '../store/database.js';
import { isLimited, limitsProblems, type AccessLimits } from '../storage/access.js';

export interface AccessKeyInfo {
  accessKeyId: string;
  description?: string;
  createdAt: string;
  /** Absent for an unlimited key. */
  limits?: AccessLimits;
}

export interface NewAccessKey extends AccessKeyInfo {
  secretAccessKey: string;
}

export interface AccessKeys {
  /** BadRequestError for limits that make no sense (see limitsProblems). */
  create(request?: { description?: string; limits?: AccessLimits }): Promise<NewAccessKey>;
  /**
   * Makes this pair known (kept from an endpoint.json written before, so configured clients
   * keep working); false when the id exists with another secret.
   */
  adopt(pair: { accessKeyId: string; secretAccessKey: string; description?: string }): Promise<boolean>;
  list(): Promise<AccessKeyInfo[]>;
  /** NotFoundError for an unknown id. */
  get(accessKeyId: string): Promise<AccessKeyInfo>;
  /** NotFoundError for an unknown id. */
  delete(accessKeyId: string): Promise<void>;
  /** For the SigV4 verifier only. */
  secretFor(accessKeyId: string): Promise<string | undefined>;
  /** What a verified key may do; undefined for an unlimited key. */
  limitsFor(accessKeyId: string): Promise<AccessLimits | undefined>;
  /** The secret and the limits read together, so a request is checked against the key it was verified with. */
  signingKey(accessKeyId: string): Promise<{ secret: string; limits: AccessLimits | undefined } | undefined>;
}

export const ACCESS_KEY_ID_PATTERN = '^[A-Z0-9]{16,128}$';
export const MAX_DESCRIPTION_LENGTH = 256;
const CACHE_MS = 5000;
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// AWS secrets also use + and /; leaving them out spares users quoting them in a shell.
const SECRET_ALPHABET = `${UPPER_ALNUM}abcdefghijklmnopqrstuvwxyz`;

export function newAccessKeyPair(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: `SKY${randomString(UPPER_ALNUM, 17)}`, secretAccessKey: randomString(SECRET_ALPHABET, 40) };
}

export function createAccessKeys(store: Store, clock: () => Date = () => new Date()): AccessKeys {
  const cache = new Map<string, { secret: string; limits: AccessLimits | undefined; until: number }>();
  const info = (row: { access_key_id: string; description: string | null; created_at: string; limits: string | null }): AccessKeyInfo => ({
    accessKeyId: row.access_key_id,
    ...(row.description === null ? {} : { description: row.description }),
    createdAt: row.created_at,
    ...(row.limits === null ? {} : { limits: JSON.parse(row.limits) as AccessLimits }),
  });
  const cached = async (accessKeyId: string) => {
    const now = Date.now();
    const hit = cache.get(accessKeyId);
    if (hit && hit.until > now) return hit;
    const row = await findAccessKey(store.db, accessKeyId);
    // Only known keys are cached: a key just created on another server works at once.
    if (!row) return undefined;
    if (cache.size > 10_000) cache.clear();
    const entry = { secret: row.secret_access_key, limits: row.limits === null ? undefined : (JSON.parse(row.limits) as AccessLimits), until: now + CACHE_MS };
    cache.set(accessKeyId, entry);
    return entry;
  };
  return {
    async create(request = {}) {
      const description = request.description;
      if (description !== undefined && description.length > MAX_DESCRIPTION_LENGTH) throw new BadRequestError(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
      const limits = request.limits && isLimited(request.limits) ? normalLimits(request.limits) : undefined;
      const problems = limits ? limitsProblems(limits) : [];
      if (problems.length > 0) throw new BadRequestError(`invalid limits: ${problems.join('; ')}`);
      const pair = newAccessKeyPair();
      const createdAt = clock().toISOString();
      await insertAccessKey(store.db, { access_key_id: pair.accessKeyId, secret_access_key: pair.secretAccessKey, description: description ?? null, created_at: createdAt, limits: limits ? JSON.stringify(limits) : null });
      cache.delete(pair.accessKeyId);
      return { ...pair, ...(description === undefined ? {} : { description }), createdAt, ...(limits ? { limits } : {}) };
    },
    async adopt(pair) {
      const existing = await findAccessKey(store.db, pair.accessKeyId);
      if (existing) return existing.secret_access_key === pair.secretAccessKey;
      if (!new RegExp(ACCESS_KEY_ID_PATTERN).test(pair.accessKeyId) || pair.secretAccessKey.length < 16) return false;
      try {
        await insertAccessKey(store.db, { access_key_id: pair.accessKeyId, secret_access_key: pair.secretAccessKey, description: pair.description ?? null, created_at: clock().toISOString(), limits: null });
      } catch (err) {
        // Another server adopted the same pair at the same moment.
        const now = await findAccessKey(store.db, pair.accessKeyId);
        if (!now) throw err;
        return now.secret_access_key === pair.secretAccessKey;
      }
      cache.delete(pair.accessKeyId);
      return true;
    },
    async list() {
      return (await listAccessKeys(store.db)).map(info);
    },
    async get(accessKeyId) {
      const row = await findAccessKey(store.db, accessKeyId);
      if (!row) throw new NotFoundError(`access key ${accessKeyId} does not exist`);
      return info(row);
    },
    async delete(accessKeyId) {
      cache.delete(accessKeyId);
      if (!(await deleteAccessKey(store.db, accessKeyId))) throw new NotFoundError(`access key ${accessKeyId} does not exist`);
    },
    async secretFor(accessKeyId) {
      return (await cached(accessKeyId))?.secret;
    },
    async limitsFor(accessKeyId) {
      return (await cached(accessKeyId))?.limits;
    },
    async signingKey(accessKeyId) {
      const entry = await cached(accessKeyId);
      return entry && { secret: entry.secret, limits: entry.limits };
    },
  };
}

/** Only what limits: no empty lists, no duplicates. */
function normalLimits(limits: AccessLimits): AccessLimits {
  const unique = (list: string[] | undefined) => (list && list.length > 0 ? [...new Set(list)] : undefined);
  const buckets = unique(limits.buckets);
  const prefixes = unique(limits.prefixes);
  return { ...(limits.readOnly ? { readOnly: true } : {}), ...(buckets ? { buckets } : {}), ...(prefixes ? { prefixes } : {}) };
}

function randomString(alphabet: string, length: number): string {
  let text = '';
  while (text.length < length) text += alphabet.charAt(randomInt(alphabet.length));
  return text;
}
