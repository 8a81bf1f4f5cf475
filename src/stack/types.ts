/*
 * A stack file declares resources by kind and name. On the wire (REST) a stack is the same
 * object as the file, with every file it names read and inlined by the client: a function's
 * `file` becomes `code`, a state machine's `file` becomes `definition`, a job definition's
 * `script` becomes its `command`. So the server never reads the client's disk, and apply
 * works against a remote server.
 */

/** In apply order: what a later kind refers to exists by the time it is made. Deletes run in reverse. */
export const KINDS = ['compute-environment', 'job-queue', 'job-definition', 'function', 'topic', 'state-machine', 'bucket', 'form'] as const;
export type ResourceKind = (typeof KINDS)[number];

/** The stack file's section for each kind. */
export const SECTIONS: Record<ResourceKind, string> = {
  'compute-environment': 'computeEnvironments',
  'job-queue': 'jobQueues',
  'job-definition': 'jobDefinitions',
  function: 'functions',
  topic: 'topics',
  'state-machine': 'stateMachines',
  bucket: 'buckets',
  form: 'forms',
};

export type Path = (string | number)[];

export interface StackProblem {
  path: Path;
  message: string;
}

/** One resource as declared, its spec normalised (defaults left to the services). */
export interface DeclaredResource {
  kind: ResourceKind;
  name: string;
  spec: Record<string, unknown>;
}

export interface Stack {
  name: string;
  resources: DeclaredResource[];
}

export type PlanAction = 'create' | 'update' | 'delete' | 'unchanged';

export interface PlanItem {
  action: PlanAction;
  kind: ResourceKind;
  name: string;
  /** Updates of revisioned kinds: the revision (or function version) the apply will make. */
  revision?: number;
}

export interface Plan {
  stack: string;
  items: PlanItem[];
}

export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(root)' : out;
}
