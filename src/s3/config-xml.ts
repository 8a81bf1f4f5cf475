/*
 * Bucket configurations between S3's XML and the store's types: lifecycle rules
 * (LifecycleConfiguration) and notification rules (NotificationConfiguration, whose Topic,
 * Queue and CloudFunction configurations all become NotificationRule with the target's ARN).
 */
import { randomUUID } from 'node:crypto';
import type { CorsRule } from '../storage/cors.js';
import type { LifecycleRule, NotificationRule, StorageClass } from '../storage/types.js';
import { S3Error } from './errors.js';
import { STORAGE_CLASSES } from './request.js';
import { child, children, text, token, type XmlNode } from './xml.js';

export function parseLifecycle(document: Record<string, XmlNode | undefined>): LifecycleRule[] {
  const root = document.LifecycleConfiguration;
  if (root === undefined) throw new S3Error('MalformedXML', 'expected a <LifecycleConfiguration> document');
  const rules = children(root, 'Rule');
  if (rules.length === 0) throw new S3Error('MalformedXML', '<LifecycleConfiguration> must hold at least one <Rule>');
  if (rules.length > 1000) throw new S3Error('InvalidArgument', 'a lifecycle configuration holds at most 1000 rules');
  const ids = new Set<string>();
  return rules.map((rule) => {
    const id = text(rule, 'ID') ?? randomUUID();
    if (ids.has(id)) throw new S3Error('InvalidArgument', `Rule ID must be unique. Found same ID for more than one rule: ${id}`);
    ids.add(id);
    const status = token(rule, 'Status');
    if (status !== 'Enabled' && status !== 'Disabled') throw new S3Error('MalformedXML', `rule ${id}: <Status> must be Enabled or Disabled`);
    const transitions = children(rule, 'Transition').map((transition) => ({ days: days(transition, 'Days', id), storageClass: storageClass(token(transition, 'StorageClass'), id) }));
    const expirationNode = child(rule, 'Expiration');
    const abortNode = child(rule, 'AbortIncompleteMultipartUpload');
    const parsed: LifecycleRule = { id, status, filter: parseFilter(rule, id), transitions };
    if (child(rule, 'Filter') === undefined && text(rule, 'Prefix') !== undefined) parsed.prefixOnRule = true;
    if (expirationNode !== undefined) {
      const marker = token(expirationNode as XmlNode, 'ExpiredObjectDeleteMarker');
      if (marker !== undefined && marker !== 'true' && marker !== 'false') throw new S3Error('MalformedXML', `rule ${id}: <ExpiredObjectDeleteMarker> must be true or false`);
      if (marker === undefined || token(expirationNode as XmlNode, 'Days') !== undefined || token(expirationNode as XmlNode, 'Date') !== undefined) parsed.expiration = { days: days(expirationNode as XmlNode, 'Days', id) };
      if (marker === 'true') parsed.expiredObjectDeleteMarker = true;
    }
    const noncurrentExpiration = child(rule, 'NoncurrentVersionExpiration') as XmlNode | undefined;
    if (noncurrentExpiration !== undefined) {
      const newer = token(noncurrentExpiration, 'NewerNoncurrentVersions');
      parsed.noncurrentVersionExpiration = { noncurrentDays: days(noncurrentExpiration, 'NoncurrentDays', id), ...(newer === undefined ? {} : { newerNoncurrentVersions: count(newer, id) }) };
    }
    const noncurrentTransitions = children(rule, 'NoncurrentVersionTransition').map((transition) => ({ noncurrentDays: days(transition, 'NoncurrentDays', id), storageClass: storageClass(token(transition, 'StorageClass'), id) }));
    if (noncurrentTransitions.length > 0) parsed.noncurrentVersionTransitions = noncurrentTransitions;
    if (abortNode !== undefined) parsed.abortIncompleteMultipartUpload = { daysAfterInitiation: days(abortNode as XmlNode, 'DaysAfterInitiation', id) };
    const versionActions = parsed.expiredObjectDeleteMarker || parsed.noncurrentVersionExpiration || parsed.noncurrentVersionTransitions;
    if (transitions.length === 0 && !parsed.expiration && !parsed.abortIncompleteMultipartUpload && !versionActions) {
      throw new S3Error('InvalidRequest', `rule ${id}: at least one action needs to be specified in a rule`);
    }
    return parsed;
  });
}

function parseFilter(rule: XmlNode, id: string): LifecycleRule['filter'] {
  const filter = child(rule, 'Filter') as XmlNode | undefined;
  // The rule-level <Prefix> is the older form of <Filter><Prefix>.
  const legacyPrefix = text(rule, 'Prefix');
  if (filter === undefined) return legacyPrefix ? { prefix: legacyPrefix } : {};
  const and = child(filter, 'And') as XmlNode | undefined;
  const source = and ?? filter;
  const prefix = text(source, 'Prefix');
  const tags: Record<string, string> = {};
  for (const tag of children(source, 'Tag')) {
    const key = text(tag, 'Key');
    if (key === undefined) throw new S3Error('MalformedXML', `rule ${id}: a <Tag> needs a <Key>`);
    tags[key] = text(tag, 'Value') ?? '';
  }
  if (child(source, 'ObjectSizeGreaterThan') !== undefined || child(source, 'ObjectSizeLessThan') !== undefined) {
    throw new S3Error('NotImplemented', `rule ${id}: object size filters are not supported`);
  }
  return { ...(prefix ? { prefix } : {}), ...(Object.keys(tags).length > 0 ? { tags } : {}) };
}

function days(node: XmlNode, name: string, id: string): number {
  const value = token(node, name);
  if (value === undefined) {
    if (token(node, 'Date') !== undefined) throw new S3Error('NotImplemented', `rule ${id}: only <Days> is supported, not <Date>`);
    throw new S3Error('MalformedXML', `rule ${id}: <${name}> is required`);
  }
  const number = Number(value);
  if (!/^\d{1,6}$/.test(value)) throw new S3Error('InvalidArgument', `rule ${id}: <${name}> must be a whole number of days, not "${value}"`);
  return number;
}

function count(value: string, id: string): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 100) throw new S3Error('InvalidArgument', `rule ${id}: <NewerNoncurrentVersions> must be a whole number from 1 to 100`);
  return Number(value);
}

function storageClass(value: string | undefined, id: string): StorageClass {
  if (value === undefined || !(STORAGE_CLASSES as readonly string[]).includes(value) || value === 'STANDARD') {
    throw new S3Error('InvalidArgument', `rule ${id}: <StorageClass> must be one of ${STORAGE_CLASSES.filter((c) => c !== 'STANDARD').join(', ')}`);
  }
  return value as StorageClass;
}

export function lifecycleXml(rules: LifecycleRule[]): Record<string, unknown> {
  return {
    LifecycleConfiguration: {
      Rule: rules.map((rule) => {
        const tags = Object.entries(rule.filter.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
        const prefix = rule.filter.prefix ?? '';
        const filter = tags.length === 0 ? { Prefix: prefix } : tags.length === 1 && prefix === '' ? { Tag: tags[0] } : { And: { Prefix: prefix, Tag: tags } };
        const expiration = { ...(rule.expiration ? { Days: rule.expiration.days } : {}), ...(rule.expiredObjectDeleteMarker ? { ExpiredObjectDeleteMarker: true } : {}) };
        const noncurrent = rule.noncurrentVersionExpiration;
        return {
          ID: rule.id,
          // The older form (a prefix on the rule) reads back as it was written.
          ...(rule.prefixOnRule && tags.length === 0 ? { Prefix: prefix } : { Filter: filter }),
          Status: rule.status,
          ...(rule.transitions.length > 0 ? { Transition: rule.transitions.map((t) => ({ Days: t.days, StorageClass: t.storageClass })) } : {}),
          ...(Object.keys(expiration).length > 0 ? { Expiration: expiration } : {}),
          ...(rule.noncurrentVersionTransitions ? { NoncurrentVersionTransition: rule.noncurrentVersionTransitions.map((t) => ({ NoncurrentDays: t.noncurrentDays, StorageClass: t.storageClass })) } : {}),
          ...(noncurrent ? { NoncurrentVersionExpiration: { NoncurrentDays: noncurrent.noncurrentDays, ...(noncurrent.newerNoncurrentVersions ? { NewerNoncurrentVersions: noncurrent.newerNoncurrentVersions } : {}) } } : {}),
          ...(rule.abortIncompleteMultipartUpload ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: rule.abortIncompleteMultipartUpload.daysAfterInitiation } } : {}),
        };
      }),
    },
  };
}

/** Element names per configuration kind: the list element and the one holding the ARN. */
const NOTIFICATION_KINDS = [
  ['TopicConfiguration', 'Topic'],
  ['QueueConfiguration', 'Queue'],
  ['CloudFunctionConfiguration', 'CloudFunction'],
  ['LambdaFunctionConfiguration', 'CloudFunction'],
] as const;

export function parseNotification(document: Record<string, XmlNode | undefined>): NotificationRule[] {
  const root = document.NotificationConfiguration;
  // An empty configuration (<NotificationConfiguration/>) turns notifications off.
  if (root === undefined) throw new S3Error('MalformedXML', 'expected a <NotificationConfiguration> document');
  const rules: NotificationRule[] = [];
  for (const [list, arnElement] of NOTIFICATION_KINDS) {
    for (const configuration of children(root, list)) {
      const id = text(configuration, 'Id') ?? randomUUID();
      const targetArn = token(configuration, arnElement) ?? (list === 'LambdaFunctionConfiguration' ? token(configuration, 'Function') : undefined);
      if (targetArn === undefined) throw new S3Error('InvalidArgument', `${list} ${id}: <${arnElement}> (the target ARN) is required`);
      const events = children(configuration, 'Event').map((event) => {
        if (typeof event !== 'string') throw new S3Error('MalformedXML', `${list} ${id}: <Event> must hold text`);
        return event.trim();
      });
      if (events.length === 0) throw new S3Error('InvalidArgument', `${list} ${id}: at least one <Event> is required`);
      const filter: NotificationRule['filter'] = {};
      const key = child(child(configuration, 'Filter'), 'S3Key') as XmlNode | undefined;
      for (const rule of children(key, 'FilterRule')) {
        const name = token(rule, 'Name')?.toLowerCase();
        const value = text(rule, 'Value') ?? '';
        if (name !== 'prefix' && name !== 'suffix') throw new S3Error('InvalidArgument', `${list} ${id}: FilterRule names must be prefix or suffix`);
        if (filter[name] !== undefined) throw new S3Error('InvalidArgument', `${list} ${id}: the ${name} filter rule is given twice`);
        filter[name] = value;
      }
      rules.push({ id, events, filter, targetArn });
    }
  }
  return rules;
}

export function notificationXml(rules: NotificationRule[]): Record<string, unknown> {
  const grouped: Record<string, unknown[]> = {};
  for (const rule of rules) {
    const service = rule.targetArn.split(':')[2];
    const [list, arnElement] = service === 'sns' ? NOTIFICATION_KINDS[0] : service === 'lambda' ? NOTIFICATION_KINDS[2] : NOTIFICATION_KINDS[1];
    const filterRules = Object.entries(rule.filter).map(([Name, Value]) => ({ Name, Value }));
    (grouped[list] ??= []).push({
      Id: rule.id,
      [arnElement]: rule.targetArn,
      Event: rule.events,
      ...(filterRules.length > 0 ? { Filter: { S3Key: { FilterRule: filterRules } } } : {}),
    });
  }
  return { NotificationConfiguration: grouped };
}

export function parseCors(document: Record<string, XmlNode | undefined>): CorsRule[] {
  const root = document.CORSConfiguration;
  if (root === undefined) throw new S3Error('MalformedXML', 'expected a <CORSConfiguration> document');
  const values = (rule: XmlNode, name: string) => children(rule, name).map((value) => (typeof value === 'string' ? value.trim() : ''));
  return children(root, 'CORSRule').map((rule) => {
    const id = text(rule, 'ID');
    const maxAge = token(rule, 'MaxAgeSeconds');
    if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) throw new S3Error('MalformedXML', '<MaxAgeSeconds> must be a whole number of seconds');
    return {
      ...(id === undefined ? {} : { id }),
      allowedOrigins: values(rule, 'AllowedOrigin'),
      allowedMethods: values(rule, 'AllowedMethod'),
      allowedHeaders: values(rule, 'AllowedHeader'),
      exposeHeaders: values(rule, 'ExposeHeader'),
      ...(maxAge === undefined ? {} : { maxAgeSeconds: Number(maxAge) }),
    };
  });
}

export function corsXml(rules: CorsRule[]): Record<string, unknown> {
  return {
    CORSConfiguration: {
      CORSRule: rules.map((rule) => ({
        ...(rule.id === undefined ? {} : { ID: rule.id }),
        AllowedHeader: rule.allowedHeaders,
        AllowedMethod: rule.allowedMethods,
        AllowedOrigin: rule.allowedOrigins,
        ExposeHeader: rule.exposeHeaders,
        ...(rule.maxAgeSeconds === undefined ? {} : { MaxAgeSeconds: rule.maxAgeSeconds }),
      })),
    },
  };
}
