/*
 * Stacks: which stack manages which resource, with a hash of what the stack file declared
 * for it, so that applying the same file again changes nothing and a resource dropped from the
 * file is deleted. (kind, name) is the key: a resource has at most one owning stack.
 * Submission forms are declared by stacks and kept here for the console and the form API.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('stack_resources')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('stack', 'text', (c) => c.notNull())
    /** SHA-256 of the declared content (files inlined), canonical JSON. */
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('stack_resources_pk', ['kind', 'name'])
    .execute();
  await db.schema.createIndex('stack_resources_stack').on('stack_resources').column('stack').execute();
  await db.schema
    .createTable('forms')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('stack', 'text', (c) => c.notNull())
    /** The form as declared: {stateMachine, title?, fields, input}. */
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
