/*
 * HTTP preconditions against an object, as S3 evaluates them (RFC 9110 order): If-Match
 * decides before If-Unmodified-Since, If-None-Match before If-Modified-Since. GET and HEAD
 * answer 412 or 304; CopyObject's x-amz-copy-source-if-* answer 412 either way.
 */
import type { FastifyRequest } from 'fastify';
import { etagMatches } from '../storage/etags.js';
import type { ObjectInfo } from '../storage/types.js';
import { header } from './request.js';

export interface Preconditions {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifUnmodifiedSince?: string | undefined;
}

export type PreconditionOutcome = 'pass' | 'failed' | 'not-modified';

export function preconditionsOf(request: FastifyRequest, prefix: '' | 'x-amz-copy-source-'): Preconditions {
  return {
    ifMatch: header(request, `${prefix}if-match`),
    ifNoneMatch: header(request, `${prefix}if-none-match`),
    ifModifiedSince: header(request, `${prefix}if-modified-since`),
    ifUnmodifiedSince: header(request, `${prefix}if-unmodified-since`),
  };
}

export function evaluatePreconditions(info: ObjectInfo, conditions: Preconditions): PreconditionOutcome {
  // HTTP dates have whole seconds; compare the object's time at that precision.
  const modified = Math.floor(new Date(info.lastModified).getTime() / 1000) * 1000;
  const unmodifiedSince = httpDate(conditions.ifUnmodifiedSince);
  const modifiedSince = httpDate(conditions.ifModifiedSince);
  if (conditions.ifMatch !== undefined ? !etagMatches(conditions.ifMatch, info.etag) : unmodifiedSince !== undefined && modified > unmodifiedSince) return 'failed';
  if (conditions.ifNoneMatch !== undefined ? etagMatches(conditions.ifNoneMatch, info.etag) : modifiedSince !== undefined && modified <= modifiedSince) return 'not-modified';
  return 'pass';
}

function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? undefined : time;
}
