/*
 * User-facing errors of the platform, shared by every backend and mapped to HTTP in one
 * place (src/api/errors.ts). Storage adapters translate their own error codes (unique
 * violations, serialization failures) into these, so nothing above the store knows which
 * database runs.
 */

export type ErrorCode =
  | 'BadRequest'
  | 'ValidationError'
  | 'InvalidDefinition'
  | 'NotFound'
  | 'Conflict'
  | 'PayloadTooLarge'
  | 'Unauthorized'
  | 'Forbidden'
  | 'InsufficientStorage'
  | 'Internal';

export class SkybatchError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = code;
  }
}

export class BadRequestError extends SkybatchError {
  constructor(message: string, details?: unknown) {
    super('BadRequest', message, details);
  }
}

/** A definition that fails validation; `problems` are the validator's formatted lines. */
export class InvalidDefinitionError extends SkybatchError {
  constructor(readonly problems: string[]) {
    super('InvalidDefinition', `invalid state machine definition:\n${problems.join('\n')}`, { problems });
  }
}

export class NotFoundError extends SkybatchError {
  constructor(message: string) {
    super('NotFound', message);
  }
}

export class ConflictError extends SkybatchError {
  constructor(message: string) {
    super('Conflict', message);
  }
}

export class PayloadTooLargeError extends SkybatchError {
  constructor(message: string) {
    super('PayloadTooLarge', message);
  }
}

export class UnauthorizedError extends SkybatchError {
  constructor(message = 'a valid access token is required') {
    super('Unauthorized', message);
  }
}

export class ForbiddenError extends SkybatchError {
  constructor(message = 'this token may not use this route') {
    super('Forbidden', message);
  }
}

/** The server's disk (the data directory, or the database's) is full: nothing was stored. */
export class InsufficientStorageError extends SkybatchError {
  constructor(message = "the server's disk is full: nothing was stored; free space on the server, then try again") {
    super('InsufficientStorage', message);
  }
}

/**
 * Disk-full errors of every backend under one error: the file system's ENOSPC (object bytes),
 * SQLite's SQLITE_FULL and PostgreSQL's disk_full (53100). Undefined for anything else.
 */
export function insufficientStorage(err: unknown): InsufficientStorageError | undefined {
  if (err instanceof InsufficientStorageError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'ENOSPC' || code === 'SQLITE_FULL' || code === '53100' ? new InsufficientStorageError() : undefined;
}
