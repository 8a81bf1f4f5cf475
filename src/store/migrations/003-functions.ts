/* Functions: code, versions and aliases. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(_db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // Filled in by the functions work.
}
