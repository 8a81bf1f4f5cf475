/*
 * Lifecycle rules as data: validation, which objects a rule selects, and what is due for an
 * object at a given time. Pure, so the decisions are tested without disks or databases.
 */
import { storageError } from './errors.js';
import { checkText } from './names.js';
import { ARCHIVE_CLASSES, type LifecycleRule, type StorageClass } from './types.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Colder classes later: a transition only ever moves an object down this list. */
const CLASS_ORDER: StorageClass[] = ['STANDARD', 'INTELLIGENT_TIERING', 'STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'];

export function isStorageClass(value: unknown): value is StorageClass {
  return typeof value === 'string' && (CLASS_ORDER as string[]).includes(value);
}

export function isArchiveClass(storageClass: StorageClass): boolean {
  return ARCHIVE_CLASSES.has(storageClass);
}

function positiveDays(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw storageError('InvalidArgument', `${what} must be a whole number of days, got ${JSON.stringify(value)}`);
  return value;
}

export function checkLifecycleRules(rules: LifecycleRule[]): LifecycleRule[] {
  if (!Array.isArray(rules) || rules.length === 0) throw storageError('MalformedXML', 'A lifecycle configuration needs at least one rule');
  if (rules.length > 1000) throw storageError('InvalidArgument', 'A lifecycle configuration has at most 1000 rules');
  const ids = new Set<string>();
  return rules.map((rule, index) => {
    const id = rule.id || `rule-${index + 1}`;
    checkText(id, 'A rule id');
    if (id.length > 255) throw storageError('InvalidArgument', 'A lifecycle rule id has at most 255 characters');
    if (ids.has(id)) throw storageError('InvalidArgument', `Two lifecycle rules are named "${id}"`);
    ids.add(id);
    if (rule.status !== 'Enabled' && rule.status !== 'Disabled') throw storageError('MalformedXML', `Lifecycle rule "${id}": status must be Enabled or Disabled`);
    const transitions = (rule.transitions ?? []).map((t) => {
      if (!isStorageClass(t.storageClass) || t.storageClass === 'STANDARD') throw storageError('InvalidArgument', `Lifecycle rule "${id}": cannot transition to storage class "${String(t.storageClass)}"`);
      return { days: positiveDays(t.days, `Lifecycle rule "${id}": transition days`), storageClass: t.storageClass };
    });
    if (new Set(transitions.map((t) => t.storageClass)).size !== transitions.length) throw storageError('InvalidArgument', `Lifecycle rule "${id}": two transitions to the same storage class`);
    const checked: LifecycleRule = { id, status: rule.status, filter: {}, transitions };
    if (rule.filter?.prefix) checked.filter.prefix = rule.filter.prefix;
    if (rule.filter?.tags && Object.keys(rule.filter.tags).length > 0) checked.filter.tags = { ...rule.filter.tags };
    if (rule.expiration) {
      const days = positiveDays(rule.expiration.days, `Lifecycle rule "${id}": expiration days`);
      if (days < 1) throw storageError('InvalidArgument', `Lifecycle rule "${id}": expiration days must be at least 1`);
      if (transitions.some((t) => t.days >= days)) throw storageError('InvalidArgument', `Lifecycle rule "${id}": expiration must come after every transition`);
      checked.expiration = { days };
    }
    if (rule.prefixOnRule) checked.prefixOnRule = true;
    if (rule.expiredObjectDeleteMarker) {
      if (checked.expiration) throw storageError('InvalidArgument', `Lifecycle rule "${id}": ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy`);
      checked.expiredObjectDeleteMarker = true;
    }
    if (rule.noncurrentVersionExpiration) {
      const noncurrentDays = positiveDays(rule.noncurrentVersionExpiration.noncurrentDays, `Lifecycle rule "${id}": NoncurrentDays`);
      if (noncurrentDays < 1) throw storageError('InvalidArgument', `Lifecycle rule "${id}": NoncurrentDays must be at least 1`);
      const newer = rule.noncurrentVersionExpiration.newerNoncurrentVersions;
      checked.noncurrentVersionExpiration = { noncurrentDays, ...(newer === undefined ? {} : { newerNoncurrentVersions: positiveDays(newer, `Lifecycle rule "${id}": NewerNoncurrentVersions`) }) };
    }
    if (rule.noncurrentVersionTransitions && rule.noncurrentVersionTransitions.length > 0) {
      checked.noncurrentVersionTransitions = rule.noncurrentVersionTransitions.map((t) => {
        if (!isStorageClass(t.storageClass) || t.storageClass === 'STANDARD') throw storageError('InvalidArgument', `Lifecycle rule "${id}": cannot transition to storage class "${String(t.storageClass)}"`);
        return { noncurrentDays: positiveDays(t.noncurrentDays, `Lifecycle rule "${id}": NoncurrentDays`), storageClass: t.storageClass };
      });
    }
    if (rule.abortIncompleteMultipartUpload) {
      checked.abortIncompleteMultipartUpload = { daysAfterInitiation: positiveDays(rule.abortIncompleteMultipartUpload.daysAfterInitiation, `Lifecycle rule "${id}": days after initiation`) };
    }
    const versionActions = checked.expiredObjectDeleteMarker || checked.noncurrentVersionExpiration || checked.noncurrentVersionTransitions;
    if (transitions.length === 0 && !checked.expiration && !checked.abortIncompleteMultipartUpload && !versionActions) throw storageError('InvalidArgument', `Lifecycle rule "${id}" has no action`);
    return checked;
  });
}

export function ruleSelects(rule: LifecycleRule, key: string, tags: Record<string, string>): boolean {
  if (rule.filter.prefix && !key.startsWith(rule.filter.prefix)) return false;
  for (const [name, value] of Object.entries(rule.filter.tags ?? {})) if (tags[name] !== value) return false;
  return true;
}

/**
 * When a rule will expire an object, as S3 announces it in x-amz-expiration: the object's
 * time plus the rule's days, rounded up to the next midnight UTC; the earliest rule wins.
 */
export function plannedExpiration(rules: LifecycleRule[], object: { key: string; tags: Record<string, string>; lastModifiedMs: number }): { date: Date; ruleId: string } | undefined {
  let planned: { date: Date; ruleId: string } | undefined;
  for (const rule of rules) {
    if (rule.status !== 'Enabled' || !rule.expiration || !ruleSelects(rule, object.key, object.tags)) continue;
    const due = object.lastModifiedMs + rule.expiration.days * DAY_MS;
    const date = new Date(Math.floor(due / DAY_MS) * DAY_MS + DAY_MS);
    if (!planned || date < planned.date) planned = { date, ruleId: rule.id };
  }
  return planned;
}

export type LifecycleAction = { kind: 'expire' } | { kind: 'transition'; storageClass: StorageClass } | { kind: 'none' };

/** What `rules` ask of an object last modified at `lastModifiedMs`, as of `nowMs`. */
export function dueAction(rules: LifecycleRule[], object: { key: string; tags: Record<string, string>; storageClass: StorageClass; lastModifiedMs: number }, nowMs: number): LifecycleAction {
  const age = nowMs - object.lastModifiedMs;
  let coldest: StorageClass | undefined;
  for (const rule of rules) {
    if (rule.status !== 'Enabled' || !ruleSelects(rule, object.key, object.tags)) continue;
    if (rule.expiration && age >= rule.expiration.days * DAY_MS) return { kind: 'expire' };
    for (const transition of rule.transitions) {
      if (age >= transition.days * DAY_MS && (!coldest || colder(transition.storageClass, coldest))) coldest = transition.storageClass;
    }
  }
  if (coldest && colder(coldest, object.storageClass)) return { kind: 'transition', storageClass: coldest };
  return { kind: 'none' };
}

function colder(a: StorageClass, b: StorageClass): boolean {
  return CLASS_ORDER.indexOf(a) > CLASS_ORDER.indexOf(b);
}
