/*
 * A bucket's CORS rules, as S3's CORSConfiguration: which origins may call which methods with
 * which headers, which response headers their scripts may read, and for how long a browser
 * may keep a preflight's answer. Matching is pure; the rules live with the bucket's other
 * rules (src/storage/rules.ts).
 */
import { storageError } from './errors.js';

export interface CorsRule {
  id?: string;
  /** Origins, each with at most one `*` wildcard (`*` alone: any origin). */
  allowedOrigins: string[];
  allowedMethods: string[];
  /** Request headers a preflight may ask for, case-insensitive, at most one `*` each. */
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

export const CORS_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const;

export function checkCorsRules(rules: CorsRule[]): CorsRule[] {
  if (!Array.isArray(rules) || rules.length === 0) throw storageError('MalformedXML', 'A CORS configuration needs at least one CORSRule');
  if (rules.length > 100) throw storageError('InvalidArgument', 'A CORS configuration has at most 100 rules');
  return rules.map((rule, index) => {
    const what = `CORS rule ${rule.id ?? index + 1}`;
    if (rule.allowedOrigins.length === 0 || rule.allowedMethods.length === 0) throw storageError('MalformedXML', `${what}: AllowedOrigin and AllowedMethod are required`);
    for (const method of rule.allowedMethods) {
      if (!(CORS_METHODS as readonly string[]).includes(method)) throw storageError('InvalidRequest', `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
    }
    for (const origin of rule.allowedOrigins) if (origin.split('*').length > 2) throw storageError('InvalidRequest', `AllowedOrigin "${origin}" can not have more than one wildcard.`);
    for (const header of rule.allowedHeaders) if (header.split('*').length > 2) throw storageError('InvalidRequest', `AllowedHeader "${header}" can not have more than one wildcard.`);
    if (rule.maxAgeSeconds !== undefined && (!Number.isInteger(rule.maxAgeSeconds) || rule.maxAgeSeconds < 0)) throw storageError('MalformedXML', `${what}: MaxAgeSeconds must be a whole number`);
    return { ...(rule.id === undefined ? {} : { id: rule.id }), allowedOrigins: rule.allowedOrigins, allowedMethods: rule.allowedMethods, allowedHeaders: rule.allowedHeaders, exposeHeaders: rule.exposeHeaders, ...(rule.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: rule.maxAgeSeconds }) };
  });
}

function wildcard(pattern: string, value: string, caseless: boolean): boolean {
  const [p, v] = caseless ? [pattern.toLowerCase(), value.toLowerCase()] : [pattern, value];
  const star = p.indexOf('*');
  if (star === -1) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

/** The first rule that allows `origin` to send `method` with `headers` (as S3 picks it). */
export function matchCors(rules: CorsRule[], origin: string, method: string, headers: string[] = []): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((allowed) => wildcard(allowed, origin, false)) &&
      rule.allowedMethods.includes(method) &&
      headers.every((asked) => rule.allowedHeaders.some((allowed) => wildcard(allowed, asked, true))),
  );
}
