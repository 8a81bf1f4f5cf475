/*
 * The REST API's fastify instance. The caller listens (or injects, in tests).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Platform } from '../engine/types.js';
import { installAuth } from './auth.js';
import { clientErrorHandler, frameworkErrors, installErrorHandlers } from './errors.js';
import { installJsonParser } from './json-body.js';
import { openApiRoutes } from './openapi.js';
import { RouteTable } from './route-table.js';
import { batchRoutes } from './routes/batch-routes.js';
import { executionRoutes } from './routes/executions.js';
import { functionRoutes } from './routes/functions.js';
import { healthRoutes } from './routes/health.js';
import { notificationRoutes } from './routes/notifications.js';
import { stackRoutes } from './routes/stacks.js';
import { stateMachineRoutes } from './routes/state-machines.js';
import { storageRoutes } from './routes/storage.js';
import { taskTokenRoutes } from './routes/task-tokens.js';
import { accessKeyRoutes } from './routes/access-keys.js';
import { s3Api, S3_PREFIX } from '../s3/plugin.js';
import { coerceQuery } from './validation.js';
import { consoleApiRoutes } from './console/console-api.js';
import { eventRoutes } from './console/change-feed.js';
import { sessionRoutes } from './console/session.js';
import { consoleRoutes } from './console/static-files.js';

export interface ServerOptions {
  /** Log requests and errors with fastify's own pino logger. */
  logger?: boolean;
  /** Or log into this one, e.g. the logger `skybatch up` shares with the engine. */
  loggerInstance?: FastifyBaseLogger;
  /** The built console (default: dist/web of this package). */
  consoleDir?: string;
}

/**
 * Above the 256 KiB input limit on purpose: an input a little over it is refused by the
 * platform with a message about the input; only bodies far beyond any valid request stop here.
 */
export const BODY_LIMIT = 1024 * 1024;

export async function createServer(platform: Platform, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? false }),
    bodyLimit: BODY_LIMIT,
    frameworkErrors,
    clientErrorHandler,
    // An execution ARN, URL-encoded, is far longer than find-my-way's default of 100.
    routerOptions: { maxParamLength: 2048, ignoreTrailingSlash: true },
    // See validation.ts for why coercion is off; removing unknown fields would hide typos.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allowUnionTypes: true } },
  });

  // Node answers 417 to any Expect but 100-continue; S3 ignores what it does not know, and
  // clients (boto3's tests, some proxies) send such headers.
  app.server.on('checkExpectation', (request, response) => app.server.emit('request', request, response));

  const routes = new RouteTable();
  routes.attach(app);
  installErrorHandlers(app, routes);
  installJsonParser(app);
  installAuth(app, platform);
  app.addHook('preValidation', async (request) => coerceQuery(request));

  healthRoutes(app, platform);
  openApiRoutes(app, routes, async () => (await platform.health()).version);
  stateMachineRoutes(app, platform);
  executionRoutes(app, platform);
  functionRoutes(app, platform);
  taskTokenRoutes(app, platform);
  batchRoutes(app, platform);
  storageRoutes(app, platform);
  notificationRoutes(app, platform);
  if (platform.accessKeys) accessKeyRoutes(app, platform.accessKeys);
  // The S3 API lives in its own encapsulated context: its own body handling, auth and errors.
  if (platform.storage && platform.accessKeys) await app.register(s3Api({ storage: platform.storage, accessKeys: platform.accessKeys }), { prefix: S3_PREFIX });
  stackRoutes(app, platform);
  sessionRoutes(app, platform);
  eventRoutes(app, platform);
  consoleApiRoutes(app, platform);
  consoleRoutes(app, platform, options.consoleDir);

  await app.ready();
  return app;
}
