/*
 * Request validation helpers. Ajv's type coercion is off (server.ts) because it would turn a
 * JSON body's `{"name": 123}` into "123"; query strings, whose values are always text, get
 * their numbers and booleans converted here, as their route's schema declares them.
 */
import type { FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { PATTERN_HINTS } from './schemas.js';

type PropertySchemas = Record<string, { type?: unknown } | undefined>;

export function coerceQuery(request: FastifyRequest): void {
  const properties = (request.routeOptions.schema?.querystring as { properties?: PropertySchemas } | undefined)?.properties;
  const query = request.query as Record<string, unknown> | undefined;
  if (!properties || !query) return;
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string') continue;
    const type = properties[key]?.type;
    // Anything else stays text, so the validator names the parameter and the expected type.
    if (type === 'integer' && /^-?\d{1,16}$/.test(value)) query[key] = Number(value);
    else if (type === 'boolean' && (value === 'true' || value === 'false')) query[key] = value === 'true';
  }
}

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/** One sentence naming the offending field, e.g. `body.name is required`. */
export function describeValidationError(errors: FastifySchemaValidationError[], context: string): { message: string; field: string } {
  const first = errors[0];
  const base = PART_NAMES[context] ?? context;
  if (!first) return { message: `${base} is invalid`, field: base };
  const at = base + pointerToPath(first.instancePath);
  const { params } = first;
  switch (first.keyword) {
    case 'required':
      return named(`${at}.${String(params.missingProperty)}`, 'is required');
    case 'additionalProperties':
      return named(`${at}.${String(params.additionalProperty)}`, 'is not a known field');
    case 'pattern':
      return named(at, PATTERN_HINTS[String(params.pattern)] ?? `must match ${String(params.pattern)}`);
    case 'type':
      return named(at, `must be ${String(params.type).split(',').join(' or ')}`);
    case 'enum':
      return named(at, `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`);
    default:
      return named(at, first.message ?? 'is invalid');
  }
}

function named(field: string, text: string): { message: string; field: string } {
  return { message: `${field} ${text}`, field };
}

/** `/input/items/0` -> `.input.items[0]` */
function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => {
      const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
    })
    .join('');
}
