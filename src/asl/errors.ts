/*
 * The predefined ASL errors. Each class is named by its ASL error name (the string a
 * Retry/Catch ErrorEquals matches) and says whether Retry and Catch may match it:
 * States.Runtime is neither retriable nor catchable by States.ALL, as on AWS;
 * States.DataLimitExceeded is terminal too.
 */

export class StatesError extends Error {
  /** The ASL error name, e.g. "States.TaskFailed" or a task's own error type. */
  readonly error: string;
  override readonly cause: string;
  /** Whether a Retry or Catch rule of States.ALL may match it. */
  readonly matchesStatesAll: boolean;

  constructor(error: string, cause: string, matchesStatesAll = true) {
    super(cause ? `${error}: ${cause}` : error);
    this.error = error;
    this.cause = cause;
    this.matchesStatesAll = matchesStatesAll;
    this.name = error;
  }
}

export class StatesRuntime extends StatesError {
  constructor(cause: string) {
    super('States.Runtime', cause, false);
  }
}

export class StatesDataLimitExceeded extends StatesError {
  constructor(cause: string) {
    super('States.DataLimitExceeded', cause, false);
  }
}

export class StatesTaskFailed extends StatesError {
  constructor(cause: string) {
    super('States.TaskFailed', cause);
  }
}

export class StatesTimeout extends StatesError {
  constructor(cause: string) {
    super('States.Timeout', cause);
  }
}

export class StatesHeartbeatTimeout extends StatesError {
  constructor(cause: string) {
    super('States.HeartbeatTimeout', cause);
  }
}

export class StatesNoChoiceMatched extends StatesError {
  constructor(cause: string) {
    super('States.NoChoiceMatched', cause);
  }
}

export class StatesParameterPathFailure extends StatesError {
  constructor(cause: string) {
    super('States.ParameterPathFailure', cause);
  }
}

export class StatesResultPathMatchFailure extends StatesError {
  constructor(cause: string) {
    super('States.ResultPathMatchFailure', cause);
  }
}

export class StatesIntrinsicFailure extends StatesError {
  constructor(cause: string) {
    super('States.IntrinsicFailure', cause);
  }
}

export class StatesBranchFailed extends StatesError {
  constructor(cause: string) {
    super('States.BranchFailed', cause);
  }
}

export class StatesExceedToleratedFailureThreshold extends StatesError {
  constructor(cause: string) {
    super('States.ExceedToleratedFailureThreshold', cause);
  }
}

export class StatesQueryEvaluationError extends StatesError {
  constructor(cause: string) {
    super('States.QueryEvaluationError', cause);
  }
}

export class StatesItemReaderFailed extends StatesError {
  constructor(cause: string) {
    super('States.ItemReaderFailed', cause);
  }
}

/** Normalises anything thrown while evaluating a state into a StatesError. */
export function toStatesError(err: unknown): StatesError {
  if (err instanceof StatesError) return err;
  if (err instanceof Error) return new StatesRuntime(err.message);
  return new StatesRuntime(String(err));
}
