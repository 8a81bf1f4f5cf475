/* x-amz-copy-source, as CopyObject and the key limits read it. */
import { S3Error } from './errors.js';

/** `/bucket/key` or `bucket/key`, URL-encoded, optionally with `?versionId=` (one version here). */
export function parseCopySource(value: string): { bucket: string; key: string } {
  const withoutVersion = value.split('?', 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(withoutVersion).replace(/^\/+/, '');
  } catch {
    throw new S3Error('InvalidArgument', 'x-amz-copy-source is not correctly URL-encoded');
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw new S3Error('InvalidArgument', 'x-amz-copy-source must be BUCKET/KEY');
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}
