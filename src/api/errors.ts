/*
 * The one place where errors become HTTP responses. Every error, the platform's and
 * fastify's own (bad JSON, wrong content type, body too large, no route), leaves as
 * `{"error": {"code", "message", "details"?}}`, so clients need a single error parser.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { insufficientStorage, SkybatchError, type ErrorCode } from '../errors.js';
import { StorageError } from '../storage/types.js';
import { discardUnreadBody } from '../util/request-body.js';
import type { RouteTable } from './route-table.js';
import { describeValidationError } from './validation.js';

/** The platform's codes plus those only HTTP itself produces. */
export type ApiErrorCode = ErrorCode | 'MethodNotAllowed' | 'UnsupportedMediaType' | 'RequestTimeout' | 'HeadersTooLarge';

export interface ApiError {
  status: number;
  code: ApiErrorCode;
  message: string;
  details?: unknown;
}

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  BadRequest: 400,
  ValidationError: 400,
  InvalidDefinition: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  Internal: 500,
  InsufficientStorage: 507,
};

/** Server-side errors whose message helps the client (it can wait, or tell an operator); every other 5xx says only "internal". */
const EXPLAINED_SERVER_ERRORS: ReadonlySet<ErrorCode> = new Set(['InsufficientStorage']);

const CODE_BY_STATUS: Record<number, ApiErrorCode> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
};

/** Messages for fastify's errors whose own wording names fastify internals. */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'the request body is not valid JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'the request body must be JSON (Content-Type: application/json)',
  FST_ERR_CTP_BODY_TOO_LARGE: 'the request body is too large',
  FST_ERR_MAX_PARAM_LENGTH: 'a path parameter is too long',
};

const INTERNAL: ApiError = { status: 500, code: 'Internal', message: 'internal server error' };

/** The response for `err`; anything not known to be the client's fault is a 500. */
export function toApiError(err: unknown): ApiError {
  const full = insufficientStorage(err);
  if (full) return { status: STATUS_BY_CODE[full.code], code: full.code, message: full.message };
  if (err instanceof SkybatchError) {
    const status = STATUS_BY_CODE[err.code];
    if (status >= 500 && !EXPLAINED_SERVER_ERRORS.has(err.code)) return INTERNAL;
    return { status, code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
  }
  if (err instanceof StorageError && err.status < 500) {
    // S3's own code stays in the message; an archived object is a conflict of state here, not a permission.
    const status = err.code === 'InvalidObjectState' ? 409 : err.status;
    return { status, code: CODE_BY_STATUS[status] ?? 'BadRequest', message: `${err.code}: ${err.message}` };
  }
  const fastifyError = err as Partial<FastifyError> | undefined;
  if (fastifyError?.validation && fastifyError.validationContext) {
    const { message, field } = describeValidationError(fastifyError.validation, fastifyError.validationContext);
    return { status: 400, code: 'ValidationError', message, details: { field } };
  }
  const status = fastifyError?.statusCode;
  // Only fastify's own client errors are trusted with their status: a statusCode on some
  // library's error says nothing about whose fault it is.
  if (typeof fastifyError?.code === 'string' && fastifyError.code.startsWith('FST_') && status !== undefined && status >= 400 && status < 500) {
    const message = FASTIFY_MESSAGES[fastifyError.code] ?? fastifyError.message ?? 'bad request';
    return { status, code: CODE_BY_STATUS[status] ?? 'BadRequest', message };
  }
  return INTERNAL;
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.status === 401) void reply.header('www-authenticate', 'Bearer');
  const body = { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) };
  return reply.code(error.status).type('application/json; charset=utf-8').send({ error: body });
}

/**
 * For the errors fastify raises before routing (a badly percent-encoded or over-long path):
 * they skip the error handler, and fastify's own body for them has another shape.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void sendError(reply, toApiError(err));
}

/**
 * For requests so broken that node's HTTP parser gave up: there is no request object, only
 * the socket. Mirrors fastify's default handler, with the API's error body.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error: ApiError =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? { status: 408, code: 'RequestTimeout', message: 'the request took too long to arrive' }
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? { status: 431, code: 'HeadersTooLarge', message: 'the request headers are too large' }
        : { status: 400, code: 'BadRequest', message: 'malformed HTTP request' };
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

export function installErrorHandlers(app: FastifyInstance, routes: RouteTable): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const error = toApiError(err);
    // The client gets a generic message; the log keeps what really happened.
    if (error.status >= 500) request.log.error({ err, method: request.method, route: request.routeOptions.url }, 'request failed');
    discardUnreadBody(request.raw);
    return sendError(reply, error);
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?', 1)[0] ?? request.url;
    const methods = routes.methodsFor(path);
    // fastify answers HEAD wherever it answers GET.
    const allowed = [...new Set(methods.includes('GET') ? [...methods, 'HEAD'] : methods)];
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return sendError(reply, { status: 405, code: 'MethodNotAllowed', message: `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}` });
    }
    return sendError(reply, { status: 404, code: 'NotFound', message: `no route ${request.method} ${path}` });
  });
}
