/*
 * A bucket's lifecycle, notification and CORS rules: one row per rule, in the order given, the rule
 * itself as JSON. Putting a configuration replaces the whole list, as S3 does.
 */
import { commit, findBucket, type StorageContext } from './context.js';

type RulesTable = 'storage_lifecycle_rules' | 'storage_notification_rules' | 'storage_cors_rules';

export async function getRules<T>(ctx: StorageContext, table: RulesTable, bucket: string): Promise<T[]> {
  await findBucket(ctx, bucket);
  return rulesOf<T>(ctx, table, bucket);
}

/** The rules without first looking the bucket up: none for a bucket that does not exist. */
export async function rulesOf<T>(ctx: StorageContext, table: RulesTable, bucket: string): Promise<T[]> {
  const rows = await ctx.store.db.selectFrom(table).select('body').where('bucket', '=', bucket).orderBy('position').execute();
  return rows.map((row) => JSON.parse(row.body) as T);
}

export async function setRules(ctx: StorageContext, table: RulesTable, bucket: string, rules: { id?: string }[]): Promise<void> {
  await findBucket(ctx, bucket);
  await commit(ctx, async (trx) => {
    await trx.deleteFrom(table).where('bucket', '=', bucket).execute();
    if (rules.length > 0) await trx.insertInto(table).values(rules.map((rule, position) => ({ bucket, position, rule_id: rule.id ?? '', body: JSON.stringify(rule) }))).execute();
  });
}
