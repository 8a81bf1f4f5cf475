/* Batch: compute environments, job queues, job definitions, jobs and their dependencies. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(_db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // Filled in by the batch work.
}
