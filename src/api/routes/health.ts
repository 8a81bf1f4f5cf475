/*
 * Liveness for load balancers and `skybatch up`'s own start-up check: no token needed.
 */
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../engine/types.js';
import { health } from '../schemas.js';

export function healthRoutes(app: FastifyInstance, platform: Platform): void {
  app.get(
    '/api/v1/health',
    {
      config: { access: 'public', doc: { operationId: 'getHealth', summary: 'Server health', tag: 'server' } },
      schema: { response: { 200: health } },
    },
    async () => platform.health(),
  );
}
