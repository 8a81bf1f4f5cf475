/*
 * S3's errors: a code, the HTTP status S3 answers with, and the XML body
 * `<Error><Code/><Message/><Resource/><RequestId/></Error>` every S3 client parses.
 * The object store's StorageError already carries S3 codes and statuses; everything else
 * that is not known to be the client's fault becomes InternalError. NotImplemented keeps its
 * 501: SDKs retry a 500 (awscli took 12 s to give up on get-bucket-versioning), never a 501.
 */
import { insufficientStorage } from '../errors.js';
import { StorageError } from '../storage/types.js';

export type S3ErrorCode =
  | 'AccessDenied'
  | 'AuthorizationHeaderMalformed'
  | 'AuthorizationQueryParametersError'
  | 'InvalidAccessKeyId'
  | 'SignatureDoesNotMatch'
  | 'RequestTimeTooSkewed'
  | 'XAmzContentSHA256Mismatch'
  | 'IncompleteBody'
  | 'InvalidRequest'
  | 'InvalidURI'
  | 'InvalidArgument'
  | 'InvalidDigest'
  | 'InvalidStorageClass'
  | 'BadDigest'
  | 'MalformedXML'
  | 'MethodNotAllowed'
  | 'NotImplemented'
  | 'MissingContentLength'
  | 'InvalidBucketName'
  | 'NoSuchBucket'
  | 'NoSuchKey'
  | 'InvalidRange'
  | 'InvalidPartNumber'
  | 'InsufficientStorage'
  | 'InternalError';

const STATUS: Record<S3ErrorCode, number> = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  RequestTimeTooSkewed: 403,
  XAmzContentSHA256Mismatch: 400,
  IncompleteBody: 400,
  InvalidRequest: 400,
  InvalidURI: 400,
  InvalidArgument: 400,
  InvalidDigest: 400,
  InvalidStorageClass: 400,
  BadDigest: 400,
  MalformedXML: 400,
  MethodNotAllowed: 405,
  NotImplemented: 501,
  MissingContentLength: 411,
  InvalidBucketName: 400,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  InvalidRange: 416,
  InvalidPartNumber: 416,
  // S3 has no such code (its disks never fill); MinIO answers 507 XMinioStorageFull. Named plainly here.
  InsufficientStorage: 507,
  InternalError: 500,
};

export class S3Error extends Error {
  readonly status: number;

  constructor(
    readonly code: S3ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'S3Error';
    this.status = STATUS[code];
  }
}

export interface S3ErrorResponse {
  status: number;
  code: string;
  message: string;
}

const INTERNAL: S3ErrorResponse = { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' };

const STORAGE_FULL: S3ErrorResponse = {
  status: 507,
  code: 'InsufficientStorage',
  message: "The server's disk is full: the request was not stored. Free space on the server, then try again.",
};

export function toS3Error(err: unknown): S3ErrorResponse {
  if (insufficientStorage(err)) return STORAGE_FULL;
  if (err instanceof S3Error || err instanceof StorageError) {
    // 501 is an answer (clients do not retry it); a 500 says nothing the client can use.
    if (err.status === 500) return INTERNAL;
    return { status: err.status, code: err.code, message: err.message };
  }
  return INTERNAL;
}
