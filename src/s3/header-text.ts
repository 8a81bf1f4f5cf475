/*
 * Header values beyond ASCII. Node reads header bytes as latin1, one character per byte, but
 * clients differ in what they put on the wire: boto3 and curl send UTF-8 bytes (and sign the
 * same UTF-8), the JS SDK sends a latin1 byte for `é` yet signs its UTF-8. Reading the bytes as
 * UTF-8 when they are valid UTF-8, and as latin1 otherwise, recovers what both clients signed.
 *
 * S3 keeps user metadata as text: values that are not US-ASCII are returned as RFC 2047
 * encoded words (`=?UTF-8?B?...?=`), which every HTTP stack carries unchanged, and encoded
 * words a client sends are decoded before they are stored.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The text a client meant by a header value as Node received it. */
export function receivedHeaderText(value: string): string {
  if (!/[\x80-\xff]/.test(value)) return value;
  try {
    return UTF8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

const ENCODED_WORD = /=\?utf-8\?([bq])\?([^?]*)\?=/gi;

/** A metadata value as it is stored: encoded words decoded. */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 6.2).
  return value.replace(/(\?=)\s+(?==\?)/g, '$1').replace(ENCODED_WORD, (word, encoding: string, text: string) => {
    try {
      const bytes = encoding.toLowerCase() === 'b' ? Buffer.from(text, 'base64') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
      return UTF8.decode(bytes);
    } catch {
      return word;
    }
  });
}

/** A stored metadata value as a header can carry it. */
export function mailSafe(value: string): string {
  if (Buffer.byteLength(value, 'utf8') === value.length) return value;
  return `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}
