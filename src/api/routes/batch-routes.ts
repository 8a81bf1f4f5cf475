/*
 * Every batch route, registered together so server.ts names batch once.
 */
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../engine/types.js';
import { jobRoutes } from './batch-jobs.js';
import { jobLogRoutes } from './batch-logs.js';
import { batchResourceRoutes } from './batch-resources.js';

export function batchRoutes(app: FastifyInstance, platform: Platform): void {
  batchResourceRoutes(app, platform);
  jobRoutes(app, platform);
  jobLogRoutes(app, platform);
}
