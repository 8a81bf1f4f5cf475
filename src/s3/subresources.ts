/*
 * The bucket sub-resources S3 routes by (`?lifecycle`, `?cors`...), in one place: the
 * dispatcher answers the supported ones and 501s the rest, and the key limits tell a
 * bucket's configuration from a listing of its keys by them.
 */

/** Bucket configurations this server reads and writes. */
export const BUCKET_CONFIGURATIONS = ['cors', 'lifecycle', 'notification', 'location', 'versioning'] as const;

/** Bucket sub-resources answered with 501 NotImplemented. */
export const UNSUPPORTED_BUCKET_SUBRESOURCES = ['acl', 'policy', 'policyStatus', 'tagging', 'analytics', 'inventory', 'metrics', 'intelligent-tiering', 'website', 'encryption', 'replication', 'logging', 'object-lock', 'accelerate', 'requestPayment', 'ownershipControls', 'publicAccessBlock'];

/** True for a sub-resource that names something about the bucket rather than listing its keys. */
export function namesBucketConfiguration(query: URLSearchParams): boolean {
  return BUCKET_CONFIGURATIONS.some((name) => query.has(name)) || UNSUPPORTED_BUCKET_SUBRESOURCES.some((name) => query.has(name));
}
