/*
 * ListObjectsV2 as queries on the catalogue, in key byte order. With a delimiter, every key
 * under one common prefix collapses to that prefix; the query then jumps past the whole prefix
 * (key >= its successor) instead of reading the keys it hides, so a folder of a million objects
 * costs one row. The continuation token records where the next page starts.
 */
import { findBucket, toInfo, type ObjectRow, type StorageContext } from './context.js';
import { storageError } from './errors.js';
import { checkText, prefixSuccessor } from './names.js';
import type { ListObjectsRequest, ListObjectsResult, ObjectInfo } from './types.js';

/** Where a page starts: after `key` (exclusive), or at `key` (inclusive). */
interface Cursor {
  key: string;
  inclusive: boolean;
}

// With a delimiter each common prefix starts a new query, so smaller batches waste less.
const BATCH = 1000;
const DELIMITED_BATCH = 100;

export function encodeToken(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ k: cursor.key, i: cursor.inclusive ? 1 : 0 })).toString('base64url');
}

function decodeToken(token: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown; i?: unknown };
    if (typeof value.k === 'string' && !value.k.includes('\0')) return { key: value.k, inclusive: value.i === 1 };
  } catch {
    // fall through to the error below
  }
  throw storageError('InvalidArgument', 'The continuation token provided is incorrect');
}

export async function listObjects(ctx: StorageContext, request: ListObjectsRequest): Promise<ListObjectsResult> {
  await findBucket(ctx, request.bucket);
  checkText(request.prefix, 'The prefix');
  checkText(request.delimiter, 'The delimiter');
  checkText(request.startAfter, 'start-after');
  const maxKeys = request.maxKeys ?? 1000;
  if (!Number.isInteger(maxKeys) || maxKeys < 0 || maxKeys > 1000) throw storageError('InvalidArgument', 'max-keys must be between 0 and 1000');
  const prefix = request.prefix ?? '';
  const delimiter = request.delimiter || undefined;
  const upper = prefix ? prefixSuccessor(prefix) : undefined;
  let cursor: Cursor | undefined = request.continuationToken ? decodeToken(request.continuationToken) : request.startAfter ? { key: request.startAfter, inclusive: false } : undefined;
  if (!cursor || cursor.key < prefix) cursor = { key: prefix, inclusive: true };
  const nowMs = ctx.now().getTime();

  const objects: ObjectInfo[] = [];
  const commonPrefixes: string[] = [];
  const batch = delimiter ? DELIMITED_BATCH : BATCH;
  const full = () => objects.length + commonPrefixes.length >= maxKeys;
  // Set when a row exists beyond a full page: where the next page starts.
  let next: Cursor | undefined;

  scan: for (;;) {
    const rows = await page(ctx, request.bucket, cursor, upper, batch);
    for (const row of rows) {
      if (!row.key.startsWith(prefix)) break scan;
      const at = delimiter ? row.key.indexOf(delimiter, prefix.length) : -1;
      if (full()) {
        next = cursor;
        break scan;
      }
      if (delimiter && at >= 0) {
        const common = row.key.slice(0, at + delimiter.length);
        // A marker may be a common prefix a previous page ended on (V1's NextMarker): the keys
        // under it roll up into a prefix the client has already seen.
        if (request.startAfter === undefined || common > request.startAfter) commonPrefixes.push(common);
        const beyond = prefixSuccessor(common);
        if (beyond === undefined) break scan;
        // The rest of this batch may hide under the same prefix: query again past it.
        cursor = { key: beyond, inclusive: true };
        continue scan;
      }
      objects.push(toInfo(row, nowMs));
      cursor = { key: row.key, inclusive: false };
    }
    if (rows.length < batch) break;
  }
  const result: ListObjectsResult = { objects, commonPrefixes, isTruncated: next !== undefined };
  if (next !== undefined) result.nextContinuationToken = encodeToken(next);
  return result;
}

async function page(ctx: StorageContext, bucket: string, cursor: Cursor, upper: string | undefined, limit: number): Promise<ObjectRow[]> {
  let query = ctx.store.db.selectFrom('storage_objects').selectAll().where('bucket', '=', bucket).where('key', cursor.inclusive ? '>=' : '>', cursor.key);
  if (upper !== undefined) query = query.where('key', '<', upper);
  return query.orderBy('key').limit(limit).execute();
}
