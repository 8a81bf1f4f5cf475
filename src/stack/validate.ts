/*
 * Checks a whole stack and reports every problem at once, each with its path in the file
 * (`functions.Job_Map.code: ...`); the CLI turns paths into file:line:column. Runs on the
 * client (before anything is sent) and again on the server (which trusts no client). The input
 * is untrusted data of any shape: nothing here throws.
 */
import { validateDefinition } from '../asl/validate/index.js';
import { memoryProblem, vcpusProblem } from '../batch/resource-requirements.js';
import { isResourceName, NAME_RULE } from '../util/names.js';
import { PROTOCOLS } from '../notify/types.js';
import type { StorageClass } from '../storage/types.js';
import { checkFields } from './forms.js';
import { KINDS, SECTIONS, type DeclaredResource, type Path, type ResourceKind, type Stack, type StackProblem } from './types.js';

const NAME = /^[A-Za-z0-9_-]{1,128}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const STORAGE_CLASSES: StorageClass[] = ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'];

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects problems for one stack. */
class Checker {
  readonly problems: StackProblem[] = [];

  report(path: Path, message: string): void {
    this.problems.push({ path, message });
  }

  /** Reports keys not in `allowed`, naming the ones that are. */
  keys(value: Rec, path: Path, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.report([...path, key], `unknown field (expected one of: ${allowed.join(', ')})`);
    }
  }

  record(value: unknown, path: Path, what: string): value is Rec {
    if (isRecord(value)) return true;
    this.report(path, `${what} must be a mapping`);
    return false;
  }

  string(value: Rec, key: string, path: Path, options: { required?: boolean; pattern?: RegExp; hint?: string; oneOf?: readonly string[] } = {}): void {
    const v = value[key];
    if (v === undefined) {
      if (options.required) this.report([...path, key], 'is required');
      return;
    }
    if (typeof v !== 'string' || v === '') this.report([...path, key], 'must be a non-empty string');
    else if (options.pattern && !options.pattern.test(v)) this.report([...path, key], `"${v}" ${options.hint ?? `must match ${options.pattern.source}`}`);
    else if (options.oneOf && !options.oneOf.includes(v)) this.report([...path, key], `"${v}" must be one of: ${options.oneOf.join(', ')}`);
  }

  integer(value: Rec, key: string, path: Path, min: number, max: number, required = false): void {
    const v = value[key];
    if (v === undefined) {
      if (required) this.report([...path, key], 'is required');
      return;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.report([...path, key], `must be an integer from ${min} to ${max}`);
  }

  /** Reports what `problemOf` finds wrong with the value, when there is one. */
  problem(value: Rec, key: string, path: Path, problemOf: (v: unknown) => string | undefined): void {
    const message = value[key] === undefined ? undefined : problemOf(value[key]);
    if (message) this.report([...path, key], message);
  }

  number(value: Rec, key: string, path: Path, min: number): void {
    const v = value[key];
    if (v !== undefined && (typeof v !== 'number' || !(v >= min))) this.report([...path, key], `must be a number of at least ${min}`);
  }

  stringMap(value: Rec, key: string, path: Path): void {
    const v = value[key];
    if (v === undefined) return;
    if (!isRecord(v)) return this.report([...path, key], 'must be a mapping of names to strings');
    for (const [k, item] of Object.entries(v)) {
      if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') this.report([...path, key, k], 'must be a string');
    }
  }

  stringList(value: Rec, key: string, path: Path): void {
    const v = value[key];
    if (v === undefined) return;
    if (!Array.isArray(v) || v.length === 0) return this.report([...path, key], 'must be a non-empty list of strings');
    v.forEach((item, i) => {
      if (typeof item !== 'string' || item === '') this.report([...path, key, i], 'must be a non-empty string');
    });
  }
}

/** Every problem of `value` as a stack; the stack itself when there are none. */
export function validateStack(value: unknown): { stack?: Stack; problems: StackProblem[] } {
  const c = new Checker();
  if (!c.record(value, [], 'a stack')) return { problems: c.problems };
  c.keys(value, [], ['name', 'description', ...KINDS.map((k) => SECTIONS[k])]);
  c.string(value, 'name', [], { required: true, pattern: NAME, hint: 'must be 1 to 128 letters, digits, "-" or "_"' });
  const resources: DeclaredResource[] = [];
  for (const kind of KINDS) {
    const section = SECTIONS[kind];
    const entries = value[section];
    if (entries === undefined || entries === null) continue;
    if (!c.record(entries, [section], section)) continue;
    for (const [name, spec] of Object.entries(entries)) {
      const path = [section, name];
      if (kind === 'bucket') {
        if (!BUCKET.test(name)) c.report(path, `bucket name "${name}" must be 3 to 63 lower-case letters, digits, "." or "-"`);
      } else if (kind === 'state-machine') {
        if (!isResourceName(name, 80)) c.report(path, `name "${name}" must be 1 to 80 ${NAME_RULE}`);
      } else if (!NAME.test(name)) c.report(path, `name "${name}" must be 1 to 128 letters, digits, "-" or "_"`);
      // An empty entry (`data:` in YAML) declares the resource with every default.
      const body = spec === null ? {} : spec;
      if (!c.record(body, path, `${kind} "${name}"`)) continue;
      CHECKS[kind](c, body, path);
      resources.push({ kind, name, spec: body });
    }
  }
  checkReferences(c, resources);
  if (c.problems.length > 0) return { problems: c.problems };
  return { stack: { name: value.name as string, resources }, problems: [] };
}

const CHECKS: Record<ResourceKind, (c: Checker, spec: Rec, path: Path) => void> = {
  'compute-environment'(c, spec, path) {
    c.keys(spec, path, ['executor', 'capacityType', 'state', 'maxVcpus', 'maxMemoryMiB']);
    c.string(spec, 'executor', path, { oneOf: ['local', 'slurm'] });
    c.string(spec, 'capacityType', path, { oneOf: ['ON_DEMAND', 'SPOT'] });
    c.string(spec, 'state', path, { oneOf: ['ENABLED', 'DISABLED'] });
    c.number(spec, 'maxVcpus', path, 0.001);
    c.integer(spec, 'maxMemoryMiB', path, 4, Number.MAX_SAFE_INTEGER);
  },
  'job-queue'(c, spec, path) {
    c.keys(spec, path, ['priority', 'state', 'computeEnvironments', 'schedulingPolicy']);
    c.integer(spec, 'priority', path, 0, 1000);
    c.string(spec, 'state', path, { oneOf: ['ENABLED', 'DISABLED'] });
    c.string(spec, 'schedulingPolicy', path, { oneOf: ['FIFO', 'FAIR_SHARE'] });
    c.stringList(spec, 'computeEnvironments', path);
  },
  'job-definition'(c, spec, path) {
    c.keys(spec, path, ['command', 'script', 'image', 'environment', 'vcpus', 'memory', 'timeoutSeconds', 'attempts', 'parameters']);
    const command = spec.command;
    if (command === undefined && spec.script === undefined && spec.image === undefined) c.report([...path, 'command'], 'is required (or script, or an image)');
    if (command !== undefined && spec.script !== undefined) c.report([...path, 'script'], 'give command or script, not both');
    if (Array.isArray(command)) c.stringList(spec, 'command', path);
    else if (command !== undefined) c.string(spec, 'command', path);
    c.string(spec, 'script', path);
    if (typeof spec.script === 'string' && command === undefined) c.report([...path, 'script'], 'was not read: send its content as "command" (skybatch apply does)');
    c.string(spec, 'image', path);
    c.stringMap(spec, 'environment', path);
    c.stringMap(spec, 'parameters', path);
    c.problem(spec, 'vcpus', path, vcpusProblem);
    c.problem(spec, 'memory', path, memoryProblem);
    c.integer(spec, 'timeoutSeconds', path, 1, 14 * 24 * 3600);
    c.integer(spec, 'attempts', path, 1, 10);
  },
  function(c, spec, path) {
    c.keys(spec, path, ['file', 'code', 'handler', 'timeoutSeconds', 'memoryMiB', 'description']);
    sourceOf(c, spec, path, 'code');
    c.string(spec, 'handler', path, { pattern: /^[A-Za-z_$][\w$]*$/, hint: 'must be the name of an export' });
    c.integer(spec, 'timeoutSeconds', path, 1, 900);
    c.integer(spec, 'memoryMiB', path, 64, 10240);
    c.string(spec, 'description', path);
  },
  topic(c, spec, path) {
    c.keys(spec, path, ['subscriptions']);
    const subs = spec.subscriptions;
    if (subs === undefined) return;
    if (!Array.isArray(subs)) return c.report([...path, 'subscriptions'], 'must be a list');
    subs.forEach((sub, i) => {
      const p = [...path, 'subscriptions', i];
      if (!c.record(sub, p, 'a subscription')) return;
      c.keys(sub, p, ['protocol', 'endpoint']);
      c.string(sub, 'protocol', p, { required: true, oneOf: PROTOCOLS });
      c.string(sub, 'endpoint', p, { required: true });
    });
  },
  'state-machine'(c, spec, path) {
    c.keys(spec, path, ['file', 'definition']);
    if (!sourceOf(c, spec, path, 'definition')) return;
    for (const problem of validateDefinition(spec.definition)) {
      // ASL paths name states (`States.Split.Next`); below `definition` they are file paths too.
      const inner = problem.path === '(root)' ? [] : problem.path.split('.');
      c.report([...path, 'definition', ...inner], problem.message);
    }
  },
  bucket(c, spec, path) {
    c.keys(spec, path, ['lifecycle', 'notifications']);
    const rules = spec.lifecycle;
    if (rules !== undefined && !Array.isArray(rules)) c.report([...path, 'lifecycle'], 'must be a list of rules');
    if (Array.isArray(rules)) {
      rules.forEach((rule, i) => {
        const p = [...path, 'lifecycle', i];
        if (!c.record(rule, p, 'a lifecycle rule')) return;
        c.keys(rule, p, ['id', 'prefix', 'transitions', 'expirationDays']);
        c.string(rule, 'id', p, { required: true });
        if (rule.prefix !== undefined && typeof rule.prefix !== 'string') c.report([...p, 'prefix'], 'must be a string');
        c.integer(rule, 'expirationDays', p, 1, 100_000);
        const transitions = rule.transitions;
        if (transitions !== undefined && !Array.isArray(transitions)) c.report([...p, 'transitions'], 'must be a list');
        if (Array.isArray(transitions)) {
          transitions.forEach((t, j) => {
            const tp = [...p, 'transitions', j];
            if (!c.record(t, tp, 'a transition')) return;
            c.keys(t, tp, ['days', 'storageClass']);
            c.integer(t, 'days', tp, 0, 100_000, true);
            c.string(t, 'storageClass', tp, { required: true, oneOf: STORAGE_CLASSES });
          });
        }
        if (transitions === undefined && rule.expirationDays === undefined) c.report(p, 'a rule needs transitions or expirationDays');
      });
    }
    const notifications = spec.notifications;
    if (notifications !== undefined && !Array.isArray(notifications)) c.report([...path, 'notifications'], 'must be a list');
    if (Array.isArray(notifications)) {
      notifications.forEach((rule, i) => {
        const p = [...path, 'notifications', i];
        if (!c.record(rule, p, 'an event trigger')) return;
        c.keys(rule, p, ['id', 'events', 'prefix', 'suffix', 'target']);
        c.string(rule, 'id', p);
        c.stringList(rule, 'events', p);
        if (rule.events === undefined) c.report([...p, 'events'], 'is required (e.g. [s3:ObjectCreated:*])');
        c.string(rule, 'prefix', p);
        c.string(rule, 'suffix', p);
        c.string(rule, 'target', p, { required: true, pattern: /^arn:aws:(states|batch|lambda|sns):/, hint: 'must be a states, batch, lambda or sns ARN' });
      });
    }
  },
  form(c, spec, path) {
    c.keys(spec, path, ['stateMachine', 'title', 'description', 'fields', 'input']);
    c.string(spec, 'stateMachine', path, { required: true });
    c.string(spec, 'title', path);
    c.string(spec, 'description', path);
    if (spec.fields === undefined) c.report([...path, 'fields'], 'is required');
    else for (const p of checkFields(spec.fields)) c.report([...path, 'fields', ...p.path], p.message);
    if (spec.input === undefined) c.report([...path, 'input'], 'is required: the state machine input, with ${FIELD} where a field goes');
  },
};

/** `file` (read by the client) or the inlined content; reports when neither is there. */
function sourceOf(c: Checker, spec: Rec, path: Path, inlined: 'code' | 'definition'): boolean {
  const has = spec[inlined] !== undefined;
  if (spec.file !== undefined && typeof spec.file !== 'string') c.report([...path, 'file'], 'must be a path relative to the stack file');
  if (!has && spec.file === undefined) c.report([...path, inlined], `is required (or file)`);
  // The client reads `file` and sends the content; one that did not is told so (and the CLI,
  // which could not read the file, has already said why, at this same path).
  if (!has && typeof spec.file === 'string') c.report([...path, 'file'], `was not read: send its content as "${inlined}" (skybatch apply does)`);
  if (!has) return false;
  if (inlined === 'code' && (typeof spec.code !== 'string' || spec.code === '')) c.report([...path, 'code'], 'must be the source of an ES module');
  return true;
}

/** Names the stack refers to that it does not declare; `local` and `default` always exist. */
function checkReferences(c: Checker, resources: DeclaredResource[]): void {
  const declared = (kind: ResourceKind) => new Set(resources.filter((r) => r.kind === kind).map((r) => r.name));
  const environments = declared('compute-environment').add('local');
  const machines = declared('state-machine');
  for (const r of resources) {
    const path = [SECTIONS[r.kind], r.name];
    if (r.kind === 'job-queue' && Array.isArray(r.spec.computeEnvironments)) {
      r.spec.computeEnvironments.forEach((name, i) => {
        if (typeof name === 'string' && !environments.has(name)) c.report([...path, 'computeEnvironments', i], `compute environment "${name}" is not declared in this stack`);
      });
    }
    if (r.kind === 'form' && typeof r.spec.stateMachine === 'string' && !machines.has(r.spec.stateMachine)) {
      c.report([...path, 'stateMachine'], `state machine "${r.spec.stateMachine}" is not declared in this stack`);
    }
  }
}
