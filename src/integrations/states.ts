/*
 * arn:aws:states:::states:startExecution[.sync[:2]]: child workflows on this platform.
 *
 * A task may be delivered twice (a server died mid-task), so starting must be idempotent:
 * without a Name the child is named after the parent's task, and a second start of a name
 * returns the execution the first one created. `.sync` then waits on the child by
 * notification (ExecutionWatch), never by polling one execution in a loop.
 */
import { createHash } from 'node:crypto';
import type { Json } from '../asl/types.js';
import { TaskFailure, type TaskHandler, type TaskInvocation, type TaskRegistry } from '../engine/task-registry.js';
import type { ExecutionInfo, Executions } from '../engine/types.js';
import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../errors.js';
import type { ExecutionWatch } from './execution-watch.js';

const START = 'arn:aws:states:::states:startExecution';
const MAX_NAME = 80;

export interface StatesDeps {
  executions: Executions;
  watch: ExecutionWatch;
}

export function statesIntegration(deps: StatesDeps): TaskRegistry {
  const handlers: Record<string, TaskHandler> = {
    [START]: async (input, invocation) => {
      const child = await startChild(deps.executions, input, invocation);
      return { ExecutionArn: child.executionArn, StartDate: epochMs(child.startDate) };
    },
    [`${START}.sync`]: (input, invocation) => runChild(deps, input, invocation, false),
    [`${START}.sync:2`]: (input, invocation) => runChild(deps, input, invocation, true),
  };
  return (resource) => handlers[resource];
}

/** A default execution name that is the same on every delivery of one task. */
export function childName(taskId: string): string {
  const clean = taskId.replace(/[^A-Za-z0-9_-]/g, '-');
  if (clean.length <= MAX_NAME) return clean;
  // Cutting alone could make two long ids equal; the hash keeps them apart.
  const hash = createHash('sha256').update(taskId).digest('hex').slice(0, 16);
  return `${clean.slice(0, MAX_NAME - hash.length - 1)}-${hash}`;
}

async function startChild(executions: Executions, input: Json, invocation: TaskInvocation): Promise<ExecutionInfo> {
  const params = typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {};
  const machine = params.StateMachineArn;
  if (typeof machine !== 'string' || machine === '') {
    throw new TaskFailure('StepFunctions.InvalidArnException', 'Parameters.StateMachineArn must be a state machine ARN or name');
  }
  const name = params.Name ?? childName(invocation.taskId);
  if (typeof name !== 'string') throw new TaskFailure('StepFunctions.InvalidNameException', 'Parameters.Name must be a string');
  try {
    const { execution } = await executions.start({ stateMachine: machine, name, input: childInput(params.Input) });
    return execution;
  } catch (err) {
    if (err instanceof NotFoundError) throw new TaskFailure('StepFunctions.StateMachineDoesNotExistException', err.message);
    if (err instanceof PayloadTooLargeError) throw new TaskFailure('StepFunctions.InvalidExecutionInputException', err.message);
    if (err instanceof BadRequestError) throw new TaskFailure('StepFunctions.InvalidNameException', err.message);
    throw err;
  }
}

/** Input is a JSON object in the definition, or JSON text as the StartExecution API takes it. */
function childInput(input: Json | undefined): Json {
  if (input === undefined) return {};
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input) as Json;
  } catch {
    throw new TaskFailure('StepFunctions.InvalidExecutionInputException', 'Parameters.Input is a string but not JSON text');
  }
}

async function runChild(deps: StatesDeps, input: Json, invocation: TaskInvocation, asJson: boolean): Promise<Json> {
  let child = await startChild(deps.executions, input, invocation);
  // A child being redriven reports RUNNING again: keep waiting for its real end.
  while (child.status === 'RUNNING' || child.status === 'PENDING_REDRIVE') {
    await deps.watch.until(child.id, invocation.signal);
    child = await deps.executions.describe(child.id);
  }
  const described = describe(child, asJson);
  if (child.status === 'SUCCEEDED') return described;
  throw new TaskFailure('States.TaskFailed', JSON.stringify(described));
}

/**
 * DescribeExecution as the .sync integrations return it: dates in epoch milliseconds, input
 * and output as JSON text (.sync) or as JSON values (.sync:2).
 */
function describe(child: ExecutionInfo, asJson: boolean): Json {
  const payload = (value: Json) => (asJson ? value : JSON.stringify(value));
  const out: Record<string, Json> = {
    ExecutionArn: child.executionArn,
    Input: payload(child.input),
    InputDetails: { Included: true },
    Name: child.name,
  };
  if (child.output !== undefined) {
    out.Output = payload(child.output);
    out.OutputDetails = { Included: true };
  }
  out.StartDate = epochMs(child.startDate);
  out.StateMachineArn = child.stateMachineArn;
  out.Status = child.status;
  if (child.stopDate !== undefined) out.StopDate = epochMs(child.stopDate);
  if (child.error !== undefined) out.Error = child.error;
  if (child.cause !== undefined) out.Cause = child.cause;
  return out;
}

function epochMs(iso: string): number {
  return Date.parse(iso);
}
