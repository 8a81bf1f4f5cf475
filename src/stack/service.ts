/*
 * Plan and apply stacks. The plan compares what the file declares with what stack_resources
 * records: not recorded -> create, recorded with another hash -> update, recorded and not
 * declared -> delete, the same hash -> unchanged (so a second apply of the same file changes
 * nothing). Applying runs creates and updates in KINDS order, deletes in reverse, and records
 * each change as soon as it is made: an apply that fails half-way leaves records that match
 * what exists, and the next apply carries on from there.
 */
import { createHash } from 'node:crypto';
import type { Platform } from '../engine/types.js';
import { SkybatchError } from '../errors.js';
import type { Store } from '../store/database.js';
import { allRecords, deleteRecord, listStackNames, putRecord, recordsOfStack, type StackRecord } from '../store/stacks.js';
import { resourceHandlers } from './resources.js';
import { KINDS, formatPath, type DeclaredResource, type Plan, type PlanItem, type ResourceKind, type Stack } from './types.js';
import { validateStack } from './validate.js';

/** A stack that fails validation: every problem, as `path: message`. */
export class StackValidationError extends SkybatchError {
  constructor(readonly problems: string[]) {
    super('ValidationError', `the stack is invalid:\n${problems.join('\n')}`, { problems });
  }
}

export interface ApplyResult extends Plan {
  /** Items that could not be applied, with why; the rest were applied. */
  failed: { kind: ResourceKind; name: string; error: string }[];
}

/** Canonical JSON (sorted keys), so the same declaration always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function hashOf(resource: DeclaredResource): string {
  // The file a client read the content from is not part of the content.
  const { file: _file, script: _script, ...spec } = resource.spec;
  return createHash('sha256').update(canonical(spec)).digest('hex');
}

const order = (kind: string) => KINDS.indexOf(kind as ResourceKind);

export function createStacks(platform: Platform, store: Store) {
  const handlers = resourceHandlers(platform, store);
  // One change at a time in this server: two applies of one stack racing would both create.
  // (Servers sharing a PostgreSQL database do not coordinate applies: apply from one place.)
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };

  function parse(value: unknown, expectedName?: string): Stack {
    const { stack, problems } = validateStack(value);
    if (!stack) throw new StackValidationError(problems.map((p) => `${formatPath(p.path)}: ${p.message}`));
    if (expectedName !== undefined && stack.name !== expectedName) throw new StackValidationError([`name: the stack is "${stack.name}", but the request is for "${expectedName}"`]);
    return stack;
  }

  async function plan(stack: Stack): Promise<Plan & { hashes: Map<string, string> }> {
    const records = new Map<string, StackRecord>((await allRecords(store.db)).map((r) => [`${r.kind}/${r.name}`, r]));
    const items: PlanItem[] = [];
    const hashes = new Map<string, string>();
    const conflicts: string[] = [];
    for (const resource of stack.resources) {
      const key = `${resource.kind}/${resource.name}`;
      const hash = hashOf(resource);
      hashes.set(key, hash);
      const record = records.get(key);
      if (record && record.stack !== stack.name) {
        conflicts.push(`${resource.kind} ${resource.name}: already managed by stack "${record.stack}"`);
        continue;
      }
      // Recorded but gone (deleted by hand): made again, as a create.
      const present = record ? await handlers[resource.kind].exists(resource.name) : false;
      if (record?.hash === hash && present) {
        items.push({ action: 'unchanged', kind: resource.kind, name: resource.name });
        continue;
      }
      const action = record && present ? 'update' : 'create';
      const nextRevision = action === 'update' ? handlers[resource.kind].nextRevision : undefined;
      items.push({ action, kind: resource.kind, name: resource.name, ...(nextRevision ? { revision: await nextRevision(resource.name) } : {}) });
    }
    if (conflicts.length > 0) throw new StackValidationError(conflicts);
    for (const record of records.values()) {
      if (record.stack === stack.name && !hashes.has(`${record.kind}/${record.name}`)) items.push({ action: 'delete', kind: record.kind as ResourceKind, name: record.name });
    }
    const rank = (item: PlanItem) => (item.action === 'delete' ? KINDS.length * 2 - order(item.kind) : order(item.kind));
    items.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    return { stack: stack.name, items, hashes };
  }

  async function run(stackName: string, items: PlanItem[], declared: Map<string, DeclaredResource>, hashes: Map<string, string>, force: boolean): Promise<ApplyResult> {
    const failed: ApplyResult['failed'] = [];
    for (const item of items) {
      if (item.action === 'unchanged') continue;
      const key = `${item.kind}/${item.name}`;
      try {
        if (item.action === 'delete') {
          await handlers[item.kind].remove(item.name, { force });
          await deleteRecord(store.db, item.kind, item.name);
        } else {
          const resource = declared.get(key) as DeclaredResource;
          await handlers[item.kind].put(item.name, resource.spec, stackName);
          await putRecord(store.db, { kind: item.kind, name: item.name, stack: stackName, hash: hashes.get(key) as string });
        }
      } catch (err) {
        failed.push({ kind: item.kind, name: item.name, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return { stack: stackName, items, failed };
  }

  return {
    /** Validates (throws StackValidationError with every problem) and says what apply would do. */
    async plan(value: unknown, expectedName?: string): Promise<Plan> {
      const { stack, items } = await plan(parse(value, expectedName));
      return { stack, items };
    },
    async apply(value: unknown, expectedName?: string): Promise<ApplyResult> {
      const stack = parse(value, expectedName);
      return serially(async () => {
        const { items, hashes } = await plan(stack);
        const declared = new Map(stack.resources.map((r) => [`${r.kind}/${r.name}`, r]));
        return run(stack.name, items, declared, hashes, false);
      });
    },
    /** Deletes everything the stack manages; buckets must be empty unless `force`. */
    async destroy(stackName: string, options: { force?: boolean; dryRun?: boolean } = {}): Promise<ApplyResult> {
      const deletions = async (): Promise<PlanItem[]> => {
        const records = await recordsOfStack(store.db, stackName);
        const items: PlanItem[] = records.map((r) => ({ action: 'delete', kind: r.kind as ResourceKind, name: r.name }));
        return items.sort((a, b) => order(b.kind) - order(a.kind) || a.name.localeCompare(b.name));
      };
      if (options.dryRun) return { stack: stackName, items: await deletions(), failed: [] };
      return serially(async () => run(stackName, await deletions(), new Map(), new Map(), options.force ?? false));
    },
    async list(): Promise<{ stack: string; resources: number }[]> {
      return listStackNames(store.db);
    },
    async describe(stackName: string): Promise<{ stack: string; resources: { kind: string; name: string }[] }> {
      const records = await recordsOfStack(store.db, stackName);
      records.sort((a, b) => order(a.kind) - order(b.kind) || a.name.localeCompare(b.name));
      return { stack: stackName, resources: records.map((r) => ({ kind: r.kind, name: r.name })) };
    },
  };
}

export type StacksService = ReturnType<typeof createStacks>;
