/* The first schema: state machines and their revisions, executions, history, inbox, tasks, tokens. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('state_machines')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('role_arn', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Revisions outlive their state machine: running executions still need their definition.
  await db.schema
    .createTable('state_machine_revisions')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('state_machine_revisions_pk', ['name', 'revision'])
    .execute();
  await db.schema
    .createTable('executions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('state_machine', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('cause', 'text')
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('stop_date', 'text')
    .addColumn('redrive_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('last_event_id', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('executions_name_unique', ['state_machine', 'name'])
    .execute();
  await db.schema.createIndex('executions_by_status').on('executions').columns(['status', 'start_date']).execute();
  await db.schema.createIndex('executions_by_machine').on('executions').columns(['state_machine', 'start_date']).execute();
  await db.schema
    .createTable('history')
    .addColumn('execution_id', 'text', (c) => c.notNull())
    .addColumn('first_event_id', 'integer', (c) => c.notNull())
    .addColumn('last_event_id', 'integer', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('history_pk', ['execution_id', 'first_event_id'])
    .execute();
  await db.schema
    .createTable('inbox')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('execution_id', 'text', (c) => c.notNull())
    .addColumn('timer_id', 'text')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('available_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbox_due').on('inbox').columns(['available_at', 'id']).execute();
  await db.schema.createIndex('inbox_by_execution').on('inbox').columns(['execution_id', 'timer_id']).execute();
  await db.schema
    .createTable('tasks')
    .addColumn('execution_id', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('state_name', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('timeout_seconds', 'integer')
    .addColumn('heartbeat_seconds', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires', 'bigint')
    .addColumn('dispatches', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tasks_pk', ['execution_id', 'task_id'])
    .execute();
  await db.schema.createIndex('tasks_claimable').on('tasks').columns(['status', 'lease_expires']).execute();
  await db.schema.createIndex('tasks_by_token').on('tasks').column('token').execute();
  await db.schema
    .createTable('tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
