/*
 * The task registry a server runs with: the caller's own resources first (tests, embedders),
 * then the built-in integrations. Each integration is a TaskRegistry of its own that answers
 * only for its resources, so adding one is appending it to the list below.
 *
 * `.waitForTaskToken` is not handled here although it applies to every resource: the code
 * that runs is the base integration's, unchanged, and what differs is the fate of the task
 * row once it returns (parked, not completed). Rows belong to the dispatcher, so the suffix is
 * stripped there (see callbackBase in src/engine/task-dispatcher.ts); a registry that saw the
 * suffix would need a back channel to tell the dispatcher not to complete the task.
 */
import type { Executions } from '../engine/types.js';
import type { TaskRegistry } from '../engine/task-registry.js';
import type { ExecutionWatch } from './execution-watch.js';
import { statesIntegration } from './states.js';

/** One registry from several: the first part that resolves a resource wins. */
export function composeRegistry(parts: readonly TaskRegistry[]): TaskRegistry {
  return (resource) => {
    for (const part of parts) {
      const handler = part(resource);
      if (handler) return handler;
    }
    return undefined;
  };
}

/** What the built-in integrations need from the platform. */
export interface IntegrationDeps {
  executions: Executions;
  /** Tells when executions end, for `.sync` waits. */
  watch: ExecutionWatch;
}

export function builtInIntegrations(deps: IntegrationDeps): TaskRegistry[] {
  return [statesIntegration(deps)];
}
