/*
 * AWS Signature Version 4 verification, as S3 does it, with node:crypto only.
 *
 * Two ways a request carries a signature:
 *   - the Authorization header: `AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/s3/aws4_request,
 *     SignedHeaders=a;b;c, Signature=HEX`, with x-amz-date and x-amz-content-sha256 headers;
 *   - a presigned URL: the same fields as X-Amz-* query parameters, the payload UNSIGNED-PAYLOAD,
 *     valid for X-Amz-Expires seconds from X-Amz-Date.
 * The server recomputes the signature from the request and the secret it keeps for the key id.
 * The body is not read here: a declared x-amz-content-sha256 is checked while the body streams
 * (see payload.ts), so a 5 GiB upload is never held to be hashed first.
 *
 * Canonical URI and query are rebuilt from the decoded request (decode, then encode as AWS
 * does), so clients that escape differently (`~`, `*`, `'`) still verify.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { receivedHeaderText } from './header-text.js';
import { S3Error } from './errors.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** The region of the S3 API: a credential scope must name it (GetBucketLocation answers it too). */
export const S3_REGION = 'us-east-1';

/** A SigV4 signature as every AWS signer writes it: hex SHA-256 HMAC, lower case. */
const SIGNATURE = /^[0-9a-f]{64}$/;

/** The query parameters of a presigned URL; each may appear once. */
const QUERY_AUTH_PARAMETERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token'];

/** S3 refuses header-signed requests more than 15 minutes off the server's clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** S3's limit for X-Amz-Expires: seven days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received (request.url). */
  url: string;
  /** Lower-case names; node joins repeated headers with ", ". */
  headers: Record<string, string | string[] | undefined>;
}

/** What a verified signature tells the rest of the request: who, and how the body is framed. */
export interface VerifiedRequest {
  accessKeyId: string;
  /** The x-amz-content-sha256 value (header auth) or UNSIGNED-PAYLOAD (presigned). */
  payloadHash: string;
  /** Needed to check aws-chunked chunk signatures, which chain from the request's signature. */
  signingKey: Buffer;
  signature: string;
  amzDate: string;
  scope: string;
}

export type SecretLookup = (accessKeyId: string) => Promise<string | undefined>;

interface Credentials {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
  presigned: boolean;
  expiresSeconds?: number;
}

/** Whether the request carries any SigV4 signature (header or query). */
export function isSigned(request: SignedRequest): boolean {
  return header(request, 'authorization') !== undefined || queryOf(request.url).has('X-Amz-Signature');
}

export async function verifyRequest(request: SignedRequest, lookup: SecretLookup, now: Date, region = S3_REGION): Promise<VerifiedRequest> {
  const credentials = parseCredentials(request);
  if (credentials.region !== region) {
    // AWS's own wording, which clients (and people) recognise.
    throw credentials.presigned
      ? new S3Error('AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; the region '${credentials.region}' is wrong; expecting '${region}'`)
      : new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${credentials.region}' is wrong; expecting '${region}'`);
  }
  if (credentials.service !== 's3') throw new S3Error('SignatureDoesNotMatch', `the credential scope names service "${credentials.service}", not s3`);
  if (credentials.amzDate.slice(0, 8) !== credentials.date) throw new S3Error('SignatureDoesNotMatch', 'the credential scope date does not match X-Amz-Date');
  const requestTime = parseAmzDate(credentials.amzDate);
  if (credentials.presigned) {
    const expires = credentials.expiresSeconds ?? 0;
    if (now.getTime() > requestTime.getTime() + expires * 1000) throw new S3Error('AccessDenied', 'Request has expired');
    if (requestTime.getTime() - now.getTime() > MAX_CLOCK_SKEW_MS) throw new S3Error('AccessDenied', 'Request is not valid yet');
  } else if (Math.abs(now.getTime() - requestTime.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', 'The difference between the request time and the server time is too large.');
  }
  const secret = await lookup(credentials.accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');

  const scope = `${credentials.date}/${credentials.region}/${credentials.service}/aws4_request`;
  const canonical = canonicalRequest(request, credentials);
  const stringToSign = [ALGORITHM, credentials.amzDate, scope, sha256Hex(canonical)].join('\n');
  const signingKey = deriveSigningKey(secret, credentials.date, credentials.region, credentials.service);
  const expected = hmac(signingKey, stringToSign).toString('hex');
  if (!sameHex(expected, credentials.signature)) {
    throw new S3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  return { accessKeyId: credentials.accessKeyId, payloadHash: credentials.payloadHash, signingKey, signature: expected, amzDate: credentials.amzDate, scope };
}

export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

export function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Constant-time comparison of two hex strings, case included (signers write lower case). */
export function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function parseCredentials(request: SignedRequest): Credentials {
  const authorization = header(request, 'authorization');
  if (authorization !== undefined) return parseAuthorizationHeader(request, authorization);
  return parsePresignedQuery(request);
}

function parseAuthorizationHeader(request: SignedRequest, authorization: string): Credentials {
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    const algorithm = authorization.split(' ', 1)[0] ?? '';
    // SigV2 ("AWS AKID:sig") is long deprecated; say so instead of a generic mismatch.
    throw new S3Error('InvalidRequest', `unsupported authorization type "${algorithm}": use AWS Signature Version 4 (${ALGORITHM})`);
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    // Which of two would be checked is an accident of parsing: refuse the ambiguity instead.
    if (fields.has(name)) throw new S3Error('AuthorizationHeaderMalformed', `the Authorization header must carry ${name} only once`);
    fields.set(name, part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw new S3Error('AuthorizationHeaderMalformed', 'the Authorization header must carry Credential, SignedHeaders and Signature');
  }
  const amzDate = header(request, 'x-amz-date') ?? dateHeaderAsAmz(header(request, 'date'));
  if (amzDate === undefined) throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  const payloadHash = header(request, 'x-amz-content-sha256');
  if (payloadHash === undefined) throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  checkSignatureFormat(signature, 'AuthorizationHeaderMalformed');
  return { ...splitCredential(credential, 'AuthorizationHeaderMalformed'), signedHeaders: signedHeaders.split(';'), signature, amzDate, payloadHash, presigned: false };
}

function parsePresignedQuery(request: SignedRequest): Credentials {
  const query = queryOf(request.url);
  for (const name of QUERY_AUTH_PARAMETERS) {
    if (query.getAll(name).length > 1) throw new S3Error('AuthorizationQueryParametersError', `${name} must appear only once in the query string`);
  }
  const algorithm = query.get('X-Amz-Algorithm');
  if (algorithm !== ALGORITHM) throw new S3Error('AuthorizationQueryParametersError', `X-Amz-Algorithm only supports "${ALGORITHM}"`);
  const credential = query.get('X-Amz-Credential');
  const amzDate = query.get('X-Amz-Date');
  const expires = query.get('X-Amz-Expires');
  const signedHeaders = query.get('X-Amz-SignedHeaders');
  const signature = query.get('X-Amz-Signature');
  if (credential === null || amzDate === null || expires === null || signedHeaders === null || signature === null) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  checkSignatureFormat(signature, 'AuthorizationQueryParametersError');
  const expiresSeconds = Number(expires);
  if (!/^\d+$/.test(expires) || expiresSeconds > MAX_PRESIGN_SECONDS) {
    throw new S3Error('AuthorizationQueryParametersError', `X-Amz-Expires must be a number of seconds from 0 to ${MAX_PRESIGN_SECONDS}`);
  }
  return {
    ...splitCredential(credential, 'AuthorizationQueryParametersError'),
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    payloadHash: header(request, 'x-amz-content-sha256') ?? UNSIGNED_PAYLOAD,
    presigned: true,
    expiresSeconds,
  };
}

function checkSignatureFormat(signature: string, code: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError'): void {
  if (!SIGNATURE.test(signature)) throw new S3Error(code, 'the Signature must be 64 lower-case hexadecimal digits');
}

function splitCredential(credential: string, code: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError') {
  const parts = credential.split('/');
  const [accessKeyId, date, region, service, terminator] = parts;
  if (parts.length !== 5 || !accessKeyId || !date || !region || !service || terminator !== 'aws4_request' || !/^\d{8}$/.test(date)) {
    throw new S3Error(code, `the Credential must be ACCESS_KEY_ID/YYYYMMDD/REGION/s3/aws4_request, not "${credential}"`);
  }
  return { accessKeyId, date, region, service };
}

function parseAmzDate(text: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  const date = match ? new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) throw new S3Error('AccessDenied', `X-Amz-Date must be YYYYMMDDTHHMMSSZ, not "${text}"`);
  return date;
}

/** Old clients sign with the HTTP Date header instead of x-amz-date. */
function dateHeaderAsAmz(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function canonicalRequest(request: SignedRequest, credentials: Credentials): string {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
  const headers = credentials.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(request, name)}\n`).join('');
  return [request.method, canonicalPath(rawPath), canonicalQuery(rawQuery, credentials.presigned), headers, credentials.signedHeaders.join(';'), credentials.payloadHash].join('\n');
}

function canonicalHeaderValue(request: SignedRequest, name: string): string {
  const value = request.headers[name];
  if (value === undefined) {
    // Node keeps Host as a header; anything else signed but absent cannot have been sent.
    throw new S3Error('SignatureDoesNotMatch', `the signed header "${name}" is missing from the request`);
  }
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => receivedHeaderText(v).trim().replace(/ +/g, ' ')).join(',');
}

/** S3 signs the path as sent, each segment URI-encoded once (no normalisation of `.` or `//`). */
function canonicalPath(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => uriEncode(safeDecode(segment)))
    .join('/');
}

function canonicalQuery(rawQuery: string, presigned: boolean): string {
  if (rawQuery === '') return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : safeDecode(part.slice(eq + 1));
    if (presigned && name === 'X-Amz-Signature') continue;
    pairs.push([uriEncode(name), uriEncode(value)]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** RFC 3986 encoding as SigV4 defines it: only A-Z a-z 0-9 - _ . ~ stay as they are. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(text: string): string {
  try {
    // In a query string, + is a literal plus for SigV4 (clients send a space as %20).
    return decodeURIComponent(text);
  } catch {
    throw new S3Error('InvalidURI', 'Couldn\'t parse the specified URI.');
  }
}

function queryOf(url: string): URLSearchParams {
  const queryStart = url.indexOf('?');
  return new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
}

function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
