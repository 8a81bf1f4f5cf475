/*
 * The scheduler reads RUNNABLE jobs by priority (high first), then oldest first. An index in
 * exactly that order lets it read the first few instead of sorting every waiting job.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.dropIndex('jobs_runnable').execute();
  await sql`CREATE INDEX jobs_runnable ON jobs (status, queue, scheduling_priority DESC, created_at, job_id)`.execute(db);
}
