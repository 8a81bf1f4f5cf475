/*
 * Table shapes as kysely sees them. Timestamps meant for people are ISO-8601 text; times the
 * engine compares (available_at, lease_expires) are epoch milliseconds in a BIGINT.
 */
import type { Generated } from 'kysely';

export interface StateMachinesTable {
  name: string;
  revision: number;
  role_arn: string;
  created_at: string;
  updated_at: string;
}

export interface StateMachineRevisionsTable {
  name: string;
  revision: number;
  definition: string;
  created_at: string;
}

export interface ExecutionsTable {
  id: string;
  name: string;
  state_machine: string;
  revision: number;
  status: string;
  input: string;
  output: string | null;
  error: string | null;
  cause: string | null;
  start_date: string;
  stop_date: string | null;
  redrive_count: number;
  /** The interpreter's ExecutionState as JSON; empty until the start event is applied. */
  state: string;
  last_event_id: number;
}

export interface HistoryTable {
  execution_id: string;
  first_event_id: number;
  last_event_id: number;
  /** A JSON array of the events one step produced: one row per step, as Temporal stores event batches. */
  events: string;
}

export interface InboxTable {
  id: Generated<number>;
  execution_id: string;
  /** Set for TimerFired events, so that CancelTimer can find and delete them. */
  timer_id: string | null;
  event: string;
  available_at: number;
}

export interface TasksTable {
  execution_id: string;
  task_id: string;
  state_name: string;
  resource: string;
  input: string;
  token: string;
  timeout_seconds: number | null;
  heartbeat_seconds: number | null;
  status: string;
  lease_owner: string | null;
  lease_expires: number | null;
  dispatches: number;
  created_at: string;
}

export interface TokensTable {
  token_hash: string;
  scope: string;
  job_id: string | null;
  created_at: string;
}

export interface ConsoleSessionsTable {
  session_hash: string;
  /** Epoch ms. */
  expires_at: number;
  created_at: number;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface NamedBodyTable {
  name: string;
  body: string;
}

export interface JobDefinitionsTable {
  name: string;
  revision: number;
  status: string;
  body: string;
}

export interface JobsTable {
  job_id: string;
  queue: string;
  status: string;
  scheduling_priority: number;
  share_identifier: string | null;
  created_at: number;
  vcpus: number;
  memory_mib: number;
  array_parent: string | null;
  array_size: number | null;
  /** Dependencies not yet SUCCEEDED; the job becomes RUNNABLE at 0. */
  pending_deps: number;
  attempt: number;
  /** The server running the job; it renews lease_expires while it watches the job. */
  owner: string | null;
  lease_expires: number | null;
  client_token: string | null;
  terminate_reason: string | null;
  /** The JobDetail as JSON; for an array child only what differs from its parent. */
  body: string;
  /** JobDetail.progress as JSON, as the job last reported it; not in body (see migration 010). */
  progress: string | null;
  /** How many progress reports the job made. */
  progress_reports: Generated<number>;
}

export interface JobDependenciesTable {
  job_id: string;
  depends_on: string;
}

export interface ObjectEventOutboxTable {
  id: Generated<number>;
  bucket: string;
  rule_id: string;
  target_arn: string;
  message: string;
  created_at: string;
  attempts: Generated<number>;
  available_at: number;
  lease_owner: string | null;
  lease_expires: number | null;
  last_error: string | null;
  delivered_at: string | null;
  result: string | null;
}

export interface AccessKeysTable {
  access_key_id: string;
  secret_access_key: string;
  description: string | null;
  created_at: string;
  /** JSON AccessLimits; null for an unlimited key. */
  limits: string | null;
}

export interface StorageBucketsTable {
  name: string;
  backend: string;
  created_at: string;
}

export interface StorageObjectsTable {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  content_type: string;
  /** JSON object of x-amz-meta-* values. */
  metadata: string;
  /** JSON object of tags. */
  tags: string;
  storage_class: string;
  /** The object's blob; for `inline`, the id of its row in storage_inline_bodies. */
  blob_id: string;
  blob_area: 'standard' | 'archive' | 'inline';
  last_modified: string;
  last_modified_ms: number;
  restore_ready_at: number | null;
  restore_expires_at: number | null;
  restored_blob_id: string | null;
  /** JSON ObjectHeaders (Cache-Control, Content-Disposition...); null for none. */
  headers: string | null;
  /** JSON array of a multipart object's part sizes, in part order; null for a single PUT. */
  part_sizes: string | null;
  /**
   * A multipart object whose bytes are still its parts' blobs: the upload whose storage_parts
   * rows hold them, in part order (blob_id is then the first part's blob). Null for one blob.
   */
  parts_upload_id: string | null;
}

/** The bytes of small objects, kept in the catalogue (storage_objects.blob_area 'inline'). */
export interface StorageInlineBodiesTable {
  blob_id: string;
  body: Buffer;
}

export interface StorageUploadsTable {
  upload_id: string;
  bucket: string;
  key: string;
  content_type: string;
  metadata: string;
  storage_class: string;
  initiated_at: string;
  initiated_ms: number;
  headers: string | null;
}

export interface StorageCompletedUploadsTable {
  upload_id: string;
  bucket: string;
  key: string;
  parts: string;
  etag: string;
  completed_ms: number;
}

export interface StoragePartsTable {
  upload_id: string;
  part_number: number;
  blob_id: string;
  md5: string;
  size: number;
  last_modified: string;
}

export interface StorageRulesTable {
  bucket: string;
  position: number;
  rule_id: string;
  body: string;
}

export interface StackResourcesTable {
  kind: string;
  name: string;
  stack: string;
  hash: string;
  updated_at: string;
}

export interface FormsTable {
  name: string;
  stack: string;
  body: string;
  updated_at: string;
}

export interface Database {
  compute_environments: NamedBodyTable;
  job_queues: NamedBodyTable;
  job_definitions: JobDefinitionsTable;
  jobs: JobsTable;
  job_dependencies: JobDependenciesTable;
  state_machines: StateMachinesTable;
  state_machine_revisions: StateMachineRevisionsTable;
  executions: ExecutionsTable;
  history: HistoryTable;
  inbox: InboxTable;
  tasks: TasksTable;
  tokens: TokensTable;
  console_sessions: ConsoleSessionsTable;
  settings: SettingsTable;
  object_event_outbox: ObjectEventOutboxTable;
  access_keys: AccessKeysTable;
  storage_buckets: StorageBucketsTable;
  storage_objects: StorageObjectsTable;
  storage_uploads: StorageUploadsTable;
  storage_parts: StoragePartsTable;
  storage_inline_bodies: StorageInlineBodiesTable;
  storage_completed_uploads: StorageCompletedUploadsTable;
  storage_lifecycle_rules: StorageRulesTable;
  storage_cors_rules: StorageRulesTable;
  storage_notification_rules: StorageRulesTable;
  stack_resources: StackResourcesTable;
  forms: FormsTable;
}
