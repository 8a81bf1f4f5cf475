/* Batch: compute environments, job queues, job definitions, jobs and their dependencies. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // Resources keep their whole description as JSON: they are read whole and rarely written.
  await db.schema
    .createTable('compute_environments')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('job_queues')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('job_definitions')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_definitions_pk', ['name', 'revision'])
    .execute();
  // Jobs: the columns the scheduler filters and orders on, and the AWS-shaped description.
  await db.schema
    .createTable('jobs')
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('scheduling_priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('share_identifier', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('vcpus', 'real', (c) => c.notNull())
    .addColumn('memory_mib', 'integer', (c) => c.notNull())
    .addColumn('array_parent', 'text')
    .addColumn('array_size', 'integer')
    .addColumn('pending_deps', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('owner', 'text')
    .addColumn('lease_expires', 'bigint')
    .addColumn('client_token', 'text', (c) => c.unique())
    // A terminate asked of a job that another server runs: its owner acts on it.
    .addColumn('terminate_reason', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_runnable').on('jobs').columns(['status', 'queue', 'scheduling_priority', 'created_at']).execute();
  await db.schema.createIndex('jobs_by_parent').on('jobs').columns(['array_parent', 'status']).execute();
  await db.schema.createIndex('jobs_by_queue').on('jobs').columns(['queue', 'created_at']).execute();
  await db.schema.createIndex('jobs_by_owner').on('jobs').columns(['owner', 'status']).execute();
  await db.schema
    .createTable('job_dependencies')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('depends_on', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_dependencies_pk', ['job_id', 'depends_on'])
    .execute();
  await db.schema.createIndex('job_dependencies_reverse').on('job_dependencies').column('depends_on').execute();
}
