/*
 * Shapes of an Amazon States Language definition, as the specification writes them.
 * A definition arrives as untrusted JSON: the validator checks it against these shapes,
 * and only a definition that passed validation is handed to the interpreter.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type QueryLanguage = 'JSONPath' | 'JSONata';

export interface StateMachineDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
  Version?: string;
  QueryLanguage?: QueryLanguage;
}

export type StateType = 'Task' | 'Pass' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';

export interface RetryRule {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface CatchRule {
  ErrorEquals: string[];
  Next: string;
  /** JSONPath mode */
  ResultPath?: string | null;
  /** JSONata mode */
  Output?: Json;
  Assign?: JsonObject;
}

interface BaseState {
  Type: StateType;
  Comment?: string;
  QueryLanguage?: QueryLanguage;
  Next?: string;
  End?: boolean;
  // JSONPath mode
  InputPath?: string | null;
  OutputPath?: string | null;
  // JSONata mode
  Output?: Json;
  // both
  Assign?: JsonObject;
}

export interface TaskState extends BaseState {
  Type: 'Task';
  Resource: string;
  Parameters?: Json;
  Arguments?: Json;
  ResultPath?: string | null;
  ResultSelector?: JsonObject;
  Retry?: RetryRule[];
  Catch?: CatchRule[];
  TimeoutSeconds?: number | string;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number | string;
  HeartbeatSecondsPath?: string;
  Credentials?: Json;
}

export interface PassState extends BaseState {
  Type: 'Pass';
  Result?: Json;
  ResultPath?: string | null;
  Parameters?: Json;
}

export interface ChoiceRule {
  Variable?: string;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  /** JSONata mode */
  Condition?: string;
  Next?: string;
  Output?: Json;
  Assign?: JsonObject;
  [operator: string]: unknown;
}

export interface ChoiceState extends BaseState {
  Type: 'Choice';
  Choices: ChoiceRule[];
  Default?: string;
}

export interface WaitState extends BaseState {
  Type: 'Wait';
  Seconds?: number | string;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
}

export interface SucceedState extends BaseState {
  Type: 'Succeed';
}

export interface FailState extends BaseState {
  Type: 'Fail';
  Error?: string;
  ErrorPath?: string;
  Cause?: string;
  CausePath?: string;
}

export interface SubMachine {
  StartAt: string;
  States: Record<string, State>;
  Comment?: string;
  QueryLanguage?: QueryLanguage;
  ProcessorConfig?: { Mode?: 'INLINE' | 'DISTRIBUTED'; ExecutionType?: 'STANDARD' | 'EXPRESS' };
}

export interface ParallelState extends BaseState {
  Type: 'Parallel';
  Branches: SubMachine[];
  Parameters?: Json;
  Arguments?: Json;
  ResultPath?: string | null;
  ResultSelector?: JsonObject;
  Retry?: RetryRule[];
  Catch?: CatchRule[];
}

export interface ItemBatcher {
  MaxItemsPerBatch?: number;
  MaxItemsPerBatchPath?: string;
  MaxInputBytesPerBatch?: number;
  MaxInputBytesPerBatchPath?: string;
  BatchInput?: Json;
}

export interface MapState extends BaseState {
  Type: 'Map';
  ItemProcessor?: SubMachine;
  /** legacy name of ItemProcessor */
  Iterator?: SubMachine;
  ItemsPath?: string;
  /** JSONata mode */
  Items?: Json;
  ItemSelector?: Json;
  /** legacy name of ItemSelector */
  Parameters?: Json;
  ItemBatcher?: ItemBatcher;
  ItemReader?: Json;
  ResultWriter?: Json;
  MaxConcurrency?: number | string;
  MaxConcurrencyPath?: string;
  ToleratedFailurePercentage?: number | string;
  ToleratedFailurePercentagePath?: string;
  ToleratedFailureCount?: number | string;
  ToleratedFailureCountPath?: string;
  Label?: string;
  ResultPath?: string | null;
  ResultSelector?: JsonObject;
  Retry?: RetryRule[];
  Catch?: CatchRule[];
}

export type State = TaskState | PassState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;
