/* Entity tags as HTTP compares them, for read preconditions and conditional writes alike. */

/** True when `list` (ETags quoted or not, weak or strong, comma-separated, or `*`) names `etag` (quoted, as stored). */
export function etagMatches(list: string, etag: string): boolean {
  return list.split(',').some((raw) => {
    const tag = raw.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag || `"${tag}"` === etag;
  });
}
