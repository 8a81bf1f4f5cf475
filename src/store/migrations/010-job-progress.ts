/*
 * A job's progress gets a column of its own. It is written by the job (through the API, on any
 * server) while the scheduler of another writes the job's status and attempts: in one JSON
 * body the two had to re-read and merge each other's writes.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await sql`ALTER TABLE jobs ADD COLUMN progress text`.execute(db);
  // How many reports the job made: what the console's change feed sums to notice each one.
  await sql`ALTER TABLE jobs ADD COLUMN progress_reports integer NOT NULL DEFAULT 0`.execute(db);
}
