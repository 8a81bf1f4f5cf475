/*
 * What the durable engine offers the API and the CLI. Shapes follow Step Functions'
 * DescribeStateMachine / DescribeExecution / GetExecutionHistory, in camelCase.
 */
import type { HistoryEvent } from '../asl/interpreter/protocol.js';
import type { Json, StateMachineDefinition } from '../asl/types.js';
import type { BatchService } from '../batch/service.js';
import type { FunctionsService } from '../functions/types.js';
import type { AccessKeys } from '../s3/access-keys.js';
import type { ObjectStore, ObjectStoreNotifications } from '../storage/types.js';
import type { NotificationsService } from '../notify/types.js';
import type { FormsService } from '../stack/form-service.js';
import type { StacksService } from '../stack/service.js';
import type { ChangeTopic, OverviewCounts } from '../store/console.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface StateMachineInfo {
  name: string;
  stateMachineArn: string;
  revision: number;
  definition: StateMachineDefinition;
  roleArn: string;
  createdAt: string;
  updatedAt: string;
}

export interface StateMachineSummary {
  name: string;
  stateMachineArn: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface ExecutionInfo {
  /** Short id, usable wherever the ARN is. */
  id: string;
  executionArn: string;
  name: string;
  stateMachine: string;
  stateMachineArn: string;
  revision: number;
  status: ExecutionStatus;
  input: Json;
  output?: Json;
  error?: string;
  cause?: string;
  startDate: string;
  stopDate?: string;
  redriveCount: number;
}

export interface ExecutionSummary {
  id: string;
  executionArn: string;
  name: string;
  stateMachine: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface StartExecutionRequest {
  stateMachine: string;
  name?: string;
  input?: Json;
}

export interface StateMachines {
  /** Throws InvalidDefinitionError, ConflictError (name taken), BadRequestError (bad name). */
  create(request: { name: string; definition: unknown; roleArn?: string }): Promise<StateMachineInfo>;
  /** A new revision; running executions keep theirs. */
  update(name: string, request: { definition: unknown }): Promise<StateMachineInfo>;
  describe(name: string, revision?: number): Promise<StateMachineInfo>;
  list(options?: { limit?: number; nextToken?: string }): Promise<Page<StateMachineSummary>>;
  revisions(name: string): Promise<{ revision: number; createdAt: string }[]>;
  delete(name: string): Promise<void>;
}

export interface Executions {
  /** Idempotent by name: a second start with the same name returns the first execution. */
  start(request: StartExecutionRequest): Promise<{ execution: ExecutionInfo; created: boolean }>;
  /** By id or ARN. */
  describe(id: string): Promise<ExecutionInfo>;
  list(options?: { stateMachine?: string; status?: ExecutionStatus; limit?: number; nextToken?: string }): Promise<Page<ExecutionSummary>>;
  history(id: string, options?: { limit?: number; nextToken?: string; reverse?: boolean }): Promise<Page<HistoryEvent>>;
  stop(id: string, options?: { error?: string; cause?: string }): Promise<ExecutionInfo>;
  /** Restarts a FAILED, TIMED_OUT or ABORTED execution from the state that failed. */
  redrive(id: string): Promise<ExecutionInfo>;
}

export type TokenScope = { kind: 'admin' } | { kind: 'job'; jobId: string };

export interface Tokens {
  /**
   * The scope of a Bearer token, or undefined when it is unknown, revoked or ended at `now`.
   * Console sessions are not Bearer tokens: they are refused here (see verifySession).
   */
  verify(token: string, now?: number): Promise<TokenScope | undefined>;
  /** Issues a token; the returned string is shown once and stored only hashed. */
  issue(scope: TokenScope): Promise<string>;
  /** A console session: admin scope until `expiresAt` (epoch ms) or until revoked, stored hashed. */
  issueSession(expiresAt: number, now?: number): Promise<string>;
  /** The scope of a session cookie's value; undefined when unknown, revoked or expired at `now`. */
  verifySession(session: string, now?: number): Promise<TokenScope | undefined>;
  /** Ends a session (logout); revoking an unknown or revoked one does nothing. */
  revokeSession(session: string): Promise<void>;
}

/**
 * SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat for `.waitForTaskToken` tasks.
 * An unknown or finished token throws NotFoundError (details.error TaskTimedOut or InvalidToken).
 */
export interface TaskTokens {
  /** Throws PayloadTooLargeError for an output over 256 KiB as JSON text. */
  success(taskToken: string, output: Json): Promise<void>;
  failure(taskToken: string, options?: { error?: string; cause?: string }): Promise<void>;
  heartbeat(taskToken: string): Promise<void>;
}

/** The whole platform as the API sees it. */
export interface Platform {
  stateMachines: StateMachines;
  executions: Executions;
  tokens: Tokens;
  /** Functions (registry and runtime); absent where the platform runs none. */
  functions?: FunctionsService;
  taskTokens: TaskTokens;
  /** Batch: compute environments, queues, job definitions, jobs; absent where no scheduler runs. */
  batch?: BatchService;
  /** S3 access keys (issued by Skybatch; the S3 API verifies signatures with them). */
  accessKeys?: AccessKeys;
  /** Buckets and objects (the S3 API, lifecycle, object events); absent where the platform has no store. */
  storage?: ObjectStore & ObjectStoreNotifications;
  /** Topics, subscriptions, publishing and delivery records. */
  notifications?: NotificationsService;
  /** Stacks (plan, apply, destroy) and the forms they declare. */
  stacks?: StacksService;
  forms?: FormsService;
  /** What the console reads besides the services: overview counts and change fingerprints. */
  console?: ConsoleQueries;
  /** Where jobs reach the API (SKYBATCH_ENDPOINT); set by `skybatch up` once it listens. */
  setEndpointUrl?(url: string): void;
  /** Health details for /api/v1/health. */
  health(): Promise<{ status: 'ok'; store: 'sqlite' | 'postgres'; version: string }>;
}

export interface ConsoleQueries {
  overview(now: Date): Promise<OverviewCounts>;
  /** One value per topic that changes when something in it does (objects excepted: see storage.onChange). */
  fingerprints(): Promise<Partial<Record<ChangeTopic, string>>>;
  /** Jobs an execution submitted (their ids), newest first. */
  jobsOfExecution(executionId: string, limit: number): Promise<string[]>;
}
