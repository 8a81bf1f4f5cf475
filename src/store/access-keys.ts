/* Queries on S3 access keys (migration 007). */
import type { Kysely } from 'kysely';
import type { AccessKeysTable, Database } from './schema.js';

type Db = Kysely<Database>;

export async function insertAccessKey(db: Db, row: AccessKeysTable): Promise<void> {
  await db.insertInto('access_keys').values(row).execute();
}

export function findAccessKey(db: Db, accessKeyId: string): Promise<AccessKeysTable | undefined> {
  return db.selectFrom('access_keys').selectAll().where('access_key_id', '=', accessKeyId).executeTakeFirst();
}

/** Without the secrets: listing is for people, who never see a secret twice. */
export function listAccessKeys(db: Db): Promise<Omit<AccessKeysTable, 'secret_access_key'>[]> {
  return db.selectFrom('access_keys').select(['access_key_id', 'description', 'created_at', 'limits']).orderBy('created_at').orderBy('access_key_id').execute();
}

export async function deleteAccessKey(db: Db, accessKeyId: string): Promise<boolean> {
  const result = await db.deleteFrom('access_keys').where('access_key_id', '=', accessKeyId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
