/*
 * Object events into the outbox. Each catalogue change writes, in its own transaction, one
 * `object_event_outbox` row per notification rule it matches, carrying the S3 event message
 * the rule's target receives; the dispatcher (elsewhere) delivers rows at least once.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.js';
import { storageError } from './errors.js';
import { checkText } from './names.js';
import type { NotificationRule, ObjectChange } from './types.js';

export const EVENT_NAMES = [
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:LifecycleExpiration:*',
  's3:LifecycleExpiration:Delete',
  's3:LifecycleExpiration:DeleteMarkerCreated',
  's3:LifecycleTransition',
  's3:ObjectRestore:*',
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectRestore:Delete',
] as const;

const TARGET_ARN = /^arn:aws[a-z-]*:(states|batch|lambda|sns):[^:\0]*:[^:\0]*:[^\0]+$/;

export function checkNotificationRules(rules: NotificationRule[]): NotificationRule[] {
  if (!Array.isArray(rules)) throw storageError('MalformedXML', 'The notification configuration must be a list of rules');
  const ids = new Set<string>();
  return rules.map((rule, index) => {
    const id = rule.id || `rule-${index + 1}`;
    checkText(id, 'A rule id');
    if (ids.has(id)) throw storageError('InvalidArgument', `Two notification rules are named "${id}"`);
    ids.add(id);
    if (!Array.isArray(rule.events) || rule.events.length === 0) throw storageError('InvalidArgument', `Notification rule "${id}" names no event`);
    for (const event of rule.events) {
      if (!(EVENT_NAMES as readonly string[]).includes(event)) throw storageError('InvalidArgument', `Notification rule "${id}": unknown event "${event}"`);
    }
    if (typeof rule.targetArn !== 'string' || !TARGET_ARN.test(rule.targetArn)) {
      throw storageError('InvalidArgument', `Notification rule "${id}": the target must be a states, batch, lambda or sns ARN, got "${String(rule.targetArn)}"`);
    }
    const filter: NotificationRule['filter'] = {};
    if (rule.filter?.prefix) filter.prefix = rule.filter.prefix;
    if (rule.filter?.suffix) filter.suffix = rule.filter.suffix;
    return { id, events: [...rule.events], filter, targetArn: rule.targetArn };
  });
}

/** `s3:ObjectCreated:*` matches every `ObjectCreated:...`; names without `*` match exactly. */
export function ruleMatches(rule: NotificationRule, change: ObjectChange): boolean {
  const name = `s3:${change.eventName}`;
  const eventMatches = rule.events.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern));
  if (!eventMatches) return false;
  if (rule.filter.prefix && !change.key.startsWith(rule.filter.prefix)) return false;
  if (rule.filter.suffix && !change.key.endsWith(rule.filter.suffix)) return false;
  return true;
}

/** Keys in event records are URL-encoded as S3 does: form encoding, `/` left as is. */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/gi, '/');
}

let sequence = 0;

/** Hex, growing with time (and within a millisecond): ordering events of one key, as S3's. */
function sequencer(eventTime: string): string {
  sequence = (sequence + 1) % 0x10000;
  return Date.parse(eventTime).toString(16).toUpperCase().padStart(12, '0') + sequence.toString(16).toUpperCase().padStart(4, '0');
}

export function eventMessage(change: ObjectChange, rule: NotificationRule, region: string): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: change.eventTime,
        eventName: change.eventName,
        userIdentity: { principalId: 'skybatch' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: {},
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: rule.id,
          bucket: { name: change.bucket, ownerIdentity: { principalId: 'skybatch' }, arn: `arn:aws:s3:::${change.bucket}` },
          object: { key: encodeEventKey(change.key), size: change.size, eTag: change.etag.replace(/"/g, ''), sequencer: sequencer(change.eventTime) },
        },
      },
    ],
  });
}

/** Writes the change's outbox rows within `trx`; returns how many rules matched. */
export async function recordEvent(trx: Transaction<Database>, change: ObjectChange, region: string): Promise<number> {
  const rows = await trx.selectFrom('storage_notification_rules').select('body').where('bucket', '=', change.bucket).orderBy('position').execute();
  const matching = rows.map((row) => JSON.parse(row.body) as NotificationRule).filter((rule) => ruleMatches(rule, change));
  if (matching.length === 0) return 0;
  await trx
    .insertInto('object_event_outbox')
    .values(
      matching.map((rule) => ({
        bucket: change.bucket,
        rule_id: rule.id,
        target_arn: rule.targetArn,
        message: eventMessage(change, rule, region),
        created_at: change.eventTime,
        // Deliverable at once by the wall clock, even when the change happened at an injected time
        // (a lifecycle run `--now` in the future must not hold its events back until then).
        available_at: Date.now(),
      })),
    )
    .execute();
  return matching.length;
}
