/*
 * StorageError factories with S3's status for each code, so every module throws the same
 * (code, status) pair and the HTTP layer maps them one to one.
 */
import { StorageError, type StorageErrorCode } from './types.js';

const STATUS: Record<StorageErrorCode, number> = {
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NoSuchLifecycleConfiguration: 404,
  NoSuchCORSConfiguration: 404,
  InvalidRequest: 400,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  InvalidBucketName: 400,
  KeyTooLongError: 400,
  InvalidArgument: 400,
  InvalidObjectState: 403,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  EntityTooSmall: 400,
  InvalidRange: 416,
  RestoreAlreadyInProgress: 409,
  PreconditionFailed: 412,
  BadDigest: 400,
  MalformedXML: 400,
  InternalError: 500,
};

export function storageError(code: StorageErrorCode, message: string): StorageError {
  return new StorageError(code, message, STATUS[code]);
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
