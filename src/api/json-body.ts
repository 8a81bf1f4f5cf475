/*
 * The REST API's JSON body parser. JSON only (fastify would also take text/plain, which no
 * route here wants). An empty body is no body: clients send `Content-Type: application/json`
 * on a bodiless POST (stop, redrive), and the route's schema decides whether one was required.
 *
 * Text that cannot be stored and read back as it came is refused rather than altered: bytes
 * that are not UTF-8 (a lenient decoder would turn them into U+FFFD) and `\uD800`-style
 * escapes that leave half a surrogate pair in a string (no UTF-8 encoding exists for it, so
 * the database, logs and console would each mangle it their own way). A body nested deeper
 * than MAX_JSON_DEPTH is refused before it is parsed, by counting brackets, so that no walk
 * over it can overflow the stack.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../errors.js';
import { jsonTextDepth, MAX_JSON_DEPTH } from '../util/json-limits.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Node 20 has String.prototype.isWellFormed; the ES2023 lib TypeScript is given does not declare it.
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = typeof body === 'string' ? body : utf8.decode(body);
    } catch {
      done(new BadRequestError('the request body is not valid UTF-8'), undefined);
      return;
    }
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    if (jsonTextDepth(text) > MAX_JSON_DEPTH) {
      done(new BadRequestError(`the request body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    void parse(request, text, (err, value: unknown) => {
      if (err) done(err, undefined);
      else if (hasLoneSurrogate(value)) done(new BadRequestError('the request body has a string with a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape)'), undefined);
      else done(null, value);
    });
  });
}

/** Whether any string or key in `value` is not well-formed UTF-16. Iterative, like the depth checks. */
export function hasLoneSurrogate(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const top = stack.pop();
    if (typeof top === 'string') {
      if (!isWellFormed(top)) return true;
    } else if (Array.isArray(top)) {
      // A loop, not push(...top): a body may hold an array of half a million items.
      for (const item of top as unknown[]) stack.push(item);
    } else if (top !== null && typeof top === 'object') {
      for (const [key, child] of Object.entries(top)) {
        if (!isWellFormed(key)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}
