/*
 * Text from outside (an endpoint's answer, an exception's message) stored as a reason or a
 * result. PostgreSQL's text type cannot hold NUL, so one such byte in a webhook's error body
 * would make the row unwritable and its work undeliverable forever; and a reason needs no
 * megabytes. Stored reasons are for people: NUL is shown as \0 and the length is bounded.
 */
export const MAX_STORED_REASON = 4000;

export function storableText(text: string, max = MAX_STORED_REASON): string {
  const clean = text.includes('\u0000') ? text.replaceAll('\u0000', '\\0') : text;
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
