/*
 * GET /api/v1/jobs/:id/logs?offset=N&follow=true: a job's stdout and stderr as text/plain,
 * from byte N. With follow the response stays open and gets new bytes as the job writes
 * them, until the job has ended and everything it wrote has been sent.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { BatchService } from '../../batch/service.js';
import { FINAL_STATUSES } from '../../batch/types.js';
import type { Platform } from '../../engine/types.js';
import { errorResponse, objectSchema } from '../schemas.js';
import { batchOf, requireBatch, unavailable } from './batch-schemas.js';

/** How often a follower looks for new bytes: short enough to feel live, cheap (one stat). */
const READ_MS = 100;
/** How often it asks the store whether the job ended. */
const STATUS_MS = 500;
/** A chunk per read, so a huge log is streamed rather than held in memory. */
const CHUNK = 1024 * 1024;

export function jobLogRoutes(app: FastifyInstance, platform: Platform): void {
  app.get<{ Params: { id: string }; Querystring: { follow?: boolean; offset?: number } }>(
    '/api/v1/jobs/:id/logs',
    {
      onRequest: requireBatch(platform),
      config: { doc: { operationId: 'getJobLogs', summary: "A job's output (stdout and stderr) as text/plain; follow=true streams it until the job ends", tag: 'jobs' } },
      schema: {
        params: objectSchema({ id: { type: 'string', minLength: 1, maxLength: 2048, description: 'the job id or ARN' } }, ['id']),
        querystring: objectSchema({
          follow: { type: 'boolean', description: 'keep sending new output until the job ends' },
          offset: { type: 'integer', minimum: 0, description: 'start at this byte' },
        }),
        response: { 200: { type: 'string', description: 'the log text' }, 404: errorResponse('No such job'), 503: unavailable },
      },
    },
    async (request, reply) => {
      const batch = batchOf(platform);
      // Describing first turns an unknown job into a 404 before any text is sent.
      const { jobId } = await batch.jobs.describe(request.params.id);
      const offset = request.query.offset ?? 0;
      void reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store');
      if (!request.query.follow) {
        const file = batch.logFile(jobId);
        return file === undefined ? '' : createReadStream(file, { start: offset });
      }
      const stop = new AbortController();
      // The client went away: stop polling for it.
      reply.raw.once('close', () => stop.abort());
      return Readable.from(follow(batch, jobId, offset, stop.signal));
    },
  );
}

async function* follow(batch: BatchService, jobId: string, offset: number, signal: AbortSignal): AsyncGenerator<Buffer> {
  let position = offset;
  let checked = 0;
  let ended = false;
  while (!signal.aborted) {
    const chunk = await readFrom(batch.logFile(jobId), position);
    if (chunk.length > 0) {
      position += chunk.length;
      yield chunk;
      continue;
    }
    // Only once the job ended and a read after that found nothing more is the log complete.
    if (ended) return;
    if (Date.now() - checked >= STATUS_MS) {
      checked = Date.now();
      ended = FINAL_STATUSES.includes((await batch.jobs.describe(jobId)).status);
      if (ended) continue;
    }
    await sleep(READ_MS, undefined, { signal }).catch(() => undefined);
  }
}

async function readFrom(file: string | undefined, position: number): Promise<Buffer> {
  if (file === undefined) return Buffer.alloc(0);
  const size = (await stat(file)).size;
  if (size <= position) return Buffer.alloc(0);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(CHUNK, size - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
