/*
 * Batch resources and jobs, shaped as AWS Batch describes them (camelCase, times in epoch
 * milliseconds), so that the batch:submitJob integration can hand them on unchanged.
 */
import type { Json } from '../asl/types.js';

export type JobStatus = 'SUBMITTED' | 'PENDING' | 'RUNNABLE' | 'STARTING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
export const FINAL_STATUSES: readonly JobStatus[] = ['SUCCEEDED', 'FAILED'];

export interface ComputeEnvironment {
  computeEnvironmentName: string;
  computeEnvironmentArn: string;
  /** Which executor runs its jobs. */
  executor: 'local' | 'slurm';
  capacityType: 'ON_DEMAND' | 'SPOT';
  state: 'ENABLED' | 'DISABLED';
  maxVcpus: number;
  maxMemoryMiB: number;
  createdAt: number;
}

export interface JobQueue {
  jobQueueName: string;
  jobQueueArn: string;
  priority: number;
  state: 'ENABLED' | 'DISABLED';
  computeEnvironmentOrder: { order: number; computeEnvironment: string }[];
  schedulingPolicy: 'FIFO' | 'FAIR_SHARE';
  createdAt: number;
}

export interface EvaluateOnExit {
  onExitCode?: string;
  onReason?: string;
  onStatusReason?: string;
  action: 'RETRY' | 'EXIT';
}

export interface RetryStrategy {
  attempts: number;
  evaluateOnExit?: EvaluateOnExit[];
}

export interface ContainerProperties {
  command: string[];
  image?: string;
  environment: { name: string; value: string }[];
  vcpus: number;
  memory: number;
}

export interface JobDefinition {
  jobDefinitionName: string;
  jobDefinitionArn: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  type: 'container';
  containerProperties: ContainerProperties;
  parameters: Record<string, string>;
  retryStrategy: RetryStrategy;
  timeout?: { attemptDurationSeconds: number };
  createdAt: number;
}

export interface AttemptDetail {
  container: { exitCode?: number; reason?: string; logStreamName: string };
  startedAt: number;
  stoppedAt?: number;
  statusReason?: string;
  host: string;
  /** Process id on `host`, to find the attempt again after a server restart. */
  pid?: number;
}

export type DependencyType = 'N_TO_N' | 'SEQUENTIAL';

export interface JobDetail {
  jobId: string;
  jobArn: string;
  jobName: string;
  jobQueue: string;
  jobDefinition: string;
  status: JobStatus;
  statusReason?: string;
  createdAt: number;
  startedAt?: number;
  stoppedAt?: number;
  attempts: AttemptDetail[];
  dependsOn: { jobId: string; type?: DependencyType }[];
  parameters: Record<string, string>;
  container: ContainerProperties & { exitCode?: number; reason?: string; logStreamName?: string };
  retryStrategy: RetryStrategy;
  timeout?: { attemptDurationSeconds: number };
  arrayProperties?: { size?: number; index?: number; statusSummary?: Partial<Record<JobStatus, number>> };
  progress?: { percent: number; message?: string; updatedAt: number };
  shareIdentifier?: string;
  schedulingPriority?: number;
  /** Every status the job went through, with when. */
  statusHistory: { status: JobStatus; at: number }[];
  tags?: Record<string, Json>;
}

export interface JobSummary {
  jobId: string;
  jobArn: string;
  jobName: string;
  jobQueue: string;
  status: JobStatus;
  statusReason?: string;
  createdAt: number;
  startedAt?: number;
  stoppedAt?: number;
  arrayProperties?: { size?: number; index?: number };
  progress?: { percent: number; message?: string };
}

export interface SubmitJobRequest {
  jobName: string;
  jobQueue?: string;
  /** NAME or NAME:REVISION or an ARN; absent for ad-hoc jobs with `command`. */
  jobDefinition?: string;
  /** Ad-hoc command (run by /bin/sh -c when a single string), or an override of the definition's. */
  command?: string[] | string;
  parameters?: Record<string, string>;
  environment?: { name: string; value: string }[];
  vcpus?: number;
  memory?: number;
  timeoutSeconds?: number;
  attempts?: number;
  evaluateOnExit?: EvaluateOnExit[];
  arraySize?: number;
  dependsOn?: { jobId: string; type?: DependencyType }[];
  shareIdentifier?: string;
  schedulingPriority?: number;
  image?: string;
  /** Makes the submit idempotent: a second submit with the same token returns the first job. */
  clientToken?: string;
}
