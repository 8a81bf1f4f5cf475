/*
 * How each kind of resource is made, changed and removed, through the platform's own
 * services (so a stack obeys the same rules as the API). `put` both creates and updates: a
 * resource that exists but no stack records is adopted (a fresh server's `local` and `default`,
 * or what someone made by hand), rather than failing the apply half-way.
 */
import type { Json } from '../asl/types.js';
import type { Platform } from '../engine/types.js';
import { BadRequestError, NotFoundError, SkybatchError } from '../errors.js';
import type { Store } from '../store/database.js';
import { deleteForm, getForm, putForm } from '../store/stacks.js';
import type { LifecycleRule, NotificationRule, StorageClass } from '../storage/types.js';
import { StorageError } from '../storage/types.js';
import type { ResourceKind } from './types.js';

type Spec = Record<string, unknown>;

export interface ResourceHandler {
  /** Whether it still exists: one deleted behind the stack's back is made again. */
  exists(name: string): Promise<boolean>;
  /** The revision an update would make, for kinds that keep revisions. */
  nextRevision?(name: string): Promise<number>;
  put(name: string, spec: Spec, stack: string): Promise<void>;
  /** Gone already is fine: the aim is that it does not exist. */
  remove(name: string, options: { force: boolean }): Promise<void>;
}

function need<T>(service: T | undefined, what: string): T {
  if (service === undefined) throw new BadRequestError(`this server runs no ${what}`);
  return service;
}

async function ignoreMissing(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof NotFoundError) return;
    if (err instanceof StorageError && err.code === 'NoSuchBucket') return;
    throw err;
  }
}

async function exists(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (err) {
    if (err instanceof NotFoundError || (err instanceof SkybatchError && err.code === 'NotFound')) return false;
    if (err instanceof StorageError && err.code === 'NoSuchBucket') return false;
    throw err;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const strings = (v: unknown): Record<string, string> | undefined => (v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : undefined);

/** Drops undefined values, which exactOptionalPropertyTypes keeps out of requests. */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

export function resourceHandlers(platform: Platform, store: Store): Record<ResourceKind, ResourceHandler> {
  const batch = () => need(platform.batch, 'batch scheduler').resources;
  const functions = () => need(platform.functions, 'functions');
  const storage = () => need(platform.storage, 'object store');
  const notifications = () => need(platform.notifications, 'notifications');

  return {
    'compute-environment': {
      exists: (name) => exists(() => batch().computeEnvironments.describe(name)),
      async put(name, spec) {
        const request = defined({
          executor: str(spec.executor) as 'local' | 'slurm' | undefined,
          capacityType: str(spec.capacityType) as 'ON_DEMAND' | 'SPOT' | undefined,
          state: str(spec.state) as 'ENABLED' | 'DISABLED' | undefined,
          maxVcpus: num(spec.maxVcpus),
          maxMemoryMiB: num(spec.maxMemoryMiB),
        });
        const envs = batch().computeEnvironments;
        if (await exists(() => envs.describe(name))) await envs.update(name, request);
        else await envs.create({ name, ...request });
      },
      remove: (name) => ignoreMissing(() => batch().computeEnvironments.delete(name)),
    },
    'job-queue': {
      exists: (name) => exists(() => batch().queues.describe(name)),
      async put(name, spec) {
        const request = defined({
          priority: num(spec.priority),
          state: str(spec.state) as 'ENABLED' | 'DISABLED' | undefined,
          computeEnvironments: Array.isArray(spec.computeEnvironments) ? spec.computeEnvironments.map(String) : undefined,
          schedulingPolicy: str(spec.schedulingPolicy) as 'FIFO' | 'FAIR_SHARE' | undefined,
        });
        const queues = batch().queues;
        if (await exists(() => queues.describe(name))) await queues.update(name, request);
        else await queues.create({ name, ...request });
      },
      remove: (name) => ignoreMissing(() => batch().queues.delete(name)),
    },
    'job-definition': {
      exists: async (name) => (await batch().definitions.list({ name, status: 'ACTIVE' })).length > 0,
      async nextRevision(name) {
        const revisions = await batch().definitions.list({ name });
        return Math.max(0, ...revisions.map((d) => d.revision)) + 1;
      },
      async put(name, spec) {
        const command = Array.isArray(spec.command) ? spec.command.map(String) : str(spec.command);
        const attempts = num(spec.attempts);
        await batch().definitions.register({
          name,
          ...defined({
            command,
            image: str(spec.image),
            environment: strings(spec.environment),
            vcpus: num(spec.vcpus),
            memory: num(spec.memory),
            parameters: strings(spec.parameters),
            timeoutSeconds: num(spec.timeoutSeconds),
            retryStrategy: attempts === undefined ? undefined : { attempts },
          }),
        });
      },
      // Deregistering keeps the revisions that running jobs use readable, as AWS Batch does.
      remove: (name) => ignoreMissing(() => batch().definitions.deregister(name)),
    },
    function: {
      exists: (name) => exists(() => functions().describe(name)),
      async nextRevision(name) {
        try {
          return Number((await functions().describe(name)).latestVersion) + 1;
        } catch (err) {
          if (err instanceof NotFoundError) return 1;
          throw err;
        }
      },
      async put(name, spec) {
        await functions().publish({
          name,
          code: String(spec.code),
          ...defined({ handler: str(spec.handler), timeoutSeconds: num(spec.timeoutSeconds), memoryMiB: num(spec.memoryMiB), description: str(spec.description) }),
        });
      },
      remove: (name) => ignoreMissing(() => functions().delete(name)),
    },
    topic: {
      exists: (name) => exists(() => notifications().describeTopic(name)),
      async put(name, spec) {
        const service = notifications();
        await service.createTopic(name);
        const wanted = (Array.isArray(spec.subscriptions) ? spec.subscriptions : []) as { protocol: string; endpoint: string }[];
        const current = [];
        let nextToken: string | undefined;
        do {
          const page = await service.listSubscriptions({ topic: name, limit: 100, ...(nextToken === undefined ? {} : { nextToken }) });
          current.push(...page.items);
          nextToken = page.nextToken;
        } while (nextToken !== undefined);
        const key = (s: { protocol: string; endpoint: string }) => `${s.protocol} ${s.endpoint}`;
        const wantedKeys = new Set(wanted.map(key));
        for (const sub of current) if (!wantedKeys.has(key(sub))) await service.unsubscribe(sub.subscriptionId);
        const currentKeys = new Set(current.map(key));
        for (const sub of wanted) if (!currentKeys.has(key(sub))) await service.subscribe({ topic: name, protocol: sub.protocol, endpoint: sub.endpoint });
      },
      remove: (name) => ignoreMissing(() => notifications().deleteTopic(name)),
    },
    'state-machine': {
      exists: (name) => exists(() => platform.stateMachines.describe(name)),
      async nextRevision(name) {
        try {
          return (await platform.stateMachines.describe(name)).revision + 1;
        } catch (err) {
          if (err instanceof NotFoundError) return 1;
          throw err;
        }
      },
      async put(name, spec) {
        if (await exists(() => platform.stateMachines.describe(name))) await platform.stateMachines.update(name, { definition: spec.definition });
        else await platform.stateMachines.create({ name, definition: spec.definition });
      },
      remove: (name) => ignoreMissing(() => platform.stateMachines.delete(name)),
    },
    bucket: {
      exists: (name) => exists(() => storage().headBucket(name)),
      async put(name, spec) {
        const s = storage();
        try {
          await s.createBucket(name);
        } catch (err) {
          if (!(err instanceof StorageError && err.code === 'BucketAlreadyOwnedByYou')) throw err;
        }
        const rules = lifecycleRules(spec.lifecycle);
        if (rules.length > 0) await s.putLifecycle(name, rules);
        else await ignoreMissing(() => s.deleteLifecycle(name));
        await s.putNotification(name, notificationRules(spec.notifications));
      },
      async remove(name, { force }) {
        const s = storage();
        if (force) {
          for (;;) {
            const page = await listOrNone(() => s.listObjects({ bucket: name, maxKeys: 1000 }));
            if (!page || page.objects.length === 0) break;
            for (const object of page.objects) await s.deleteObject(name, object.key);
          }
        }
        try {
          await s.deleteBucket(name);
        } catch (err) {
          if (err instanceof StorageError && err.code === 'NoSuchBucket') return;
          if (err instanceof StorageError && err.code === 'BucketNotEmpty') throw new BadRequestError(`bucket "${name}" is not empty: empty it first, or destroy with --force`);
          throw err;
        }
      },
    },
    form: {
      exists: async (name) => (await getForm(store.db, name)) !== undefined,
      put: (name, spec, stack) => putForm(store.db, name, stack, JSON.stringify(spec)),
      remove: (name) => deleteForm(store.db, name),
    },
  };
}

async function listOrNone<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof StorageError && err.code === 'NoSuchBucket') return undefined;
    throw err;
  }
}

function lifecycleRules(value: unknown): LifecycleRule[] {
  if (!Array.isArray(value)) return [];
  return (value as Spec[]).map((rule) => {
    const transitions = (Array.isArray(rule.transitions) ? rule.transitions : []) as { days: number; storageClass: StorageClass }[];
    const expiration = num(rule.expirationDays);
    const prefix = str(rule.prefix);
    return {
      id: String(rule.id),
      status: 'Enabled',
      filter: prefix === undefined ? {} : { prefix },
      transitions: transitions.map((t) => ({ days: t.days, storageClass: t.storageClass })),
      ...(expiration === undefined ? {} : { expiration: { days: expiration } }),
    };
  });
}

function notificationRules(value: unknown): NotificationRule[] {
  if (!Array.isArray(value)) return [];
  return (value as Spec[]).map((rule, i) => {
    const prefix = str(rule.prefix);
    const suffix = str(rule.suffix);
    return {
      id: str(rule.id) ?? `rule-${i + 1}`,
      events: (rule.events as Json[]).map(String),
      filter: defined({ prefix, suffix }),
      targetArn: String(rule.target),
    };
  });
}
