/*
 * What an access key may do. A key is unlimited (the default pair, and every key made without
 * limits) or limited when it is made:
 * - `readOnly`: reads only (GET, HEAD, listings); no object writes or deletes, no bucket
 *   creation, deletion or configuration;
 * - `buckets`: only these buckets exist for it (ListBuckets shows only them);
 * - `prefixes` (with `buckets`): only keys under one of these prefixes, in those buckets; a
 *   listing must ask for a prefix under one of them. Bucket-wide writes (configurations,
 *   creating or deleting the bucket) need a key without prefixes.
 * Decisions are pure: an operation in, allowed or the reason it is not.
 */
export interface AccessLimits {
  readOnly?: boolean;
  buckets?: string[];
  prefixes?: string[];
}

/**
 * `object`: one key (read or write); `list`: keys under a prefix; `bucket`: the bucket itself
 * (read: HEAD, location, configurations; write: create, delete, configure).
 */
export type Access =
  | { kind: 'object'; write: boolean; bucket: string; key: string }
  | { kind: 'list'; bucket: string; prefix: string }
  | { kind: 'bucket'; write: boolean; bucket: string };

/** Undefined when allowed; otherwise why not, for AccessDenied's message. */
export function refusal(limits: AccessLimits | undefined, access: Access): string | undefined {
  if (!limits) return undefined;
  const writes = access.kind !== 'list' && access.write;
  if (writes && limits.readOnly) return 'this access key is read-only';
  if (limits.buckets && !limits.buckets.includes(access.bucket)) return `this access key is not allowed to use bucket ${access.bucket}`;
  const prefixes = limits.prefixes;
  if (!prefixes || prefixes.length === 0) return undefined;
  if (access.kind === 'object') return prefixes.some((p) => access.key.startsWith(p)) ? undefined : `this access key is limited to keys under ${prefixes.map((p) => JSON.stringify(p)).join(', ')}`;
  if (access.kind === 'list') return prefixes.some((p) => access.prefix.startsWith(p)) ? undefined : `this access key may list only under ${prefixes.map((p) => JSON.stringify(p)).join(', ')}: ask for such a prefix`;
  return access.write ? 'this access key is limited to prefixes: it cannot change the bucket itself' : undefined;
}

/** The buckets ListBuckets shows to a key. */
export function visibleBucket(limits: AccessLimits | undefined, bucket: string): boolean {
  return !limits?.buckets || limits.buckets.includes(bucket);
}

/** Problems with limits asked for at creation, in words; empty when they are fine. */
export function limitsProblems(limits: AccessLimits): string[] {
  const problems: string[] = [];
  const buckets = limits.buckets ?? [];
  const prefixes = limits.prefixes ?? [];
  for (const bucket of buckets) if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) problems.push(`"${bucket}" is not a bucket name`);
  for (const prefix of prefixes) {
    if (prefix === '') problems.push('a prefix must not be empty (leave prefixes out to allow every key)');
    if (prefix.includes('\0') || Buffer.byteLength(prefix) > 1024) problems.push('a prefix is text of at most 1024 bytes without NUL');
  }
  if (prefixes.length > 0 && buckets.length === 0) problems.push('prefixes need buckets: name the buckets the prefixes are in');
  if (buckets.length > 100 || prefixes.length > 100) problems.push('at most 100 buckets and 100 prefixes');
  return problems;
}

/** True when the key can do something only an unlimited key can. */
export function isLimited(limits: AccessLimits | undefined): boolean {
  return limits !== undefined && (limits.readOnly === true || limits.buckets !== undefined || limits.prefixes !== undefined);
}
