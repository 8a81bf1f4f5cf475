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
