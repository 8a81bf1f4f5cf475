import { describe, expect, it } from 'vitest';
import { checkCorsRules, matchCors, type CorsRule } from '../../src/storage/cors.js';

const rules: CorsRule[] = [
  { id: 'a', allowedOrigins: ['https://*.example.com'], allowedMethods: ['PUT'], allowedHeaders: ['Content-*'], exposeHeaders: [] },
  { id: 'b', allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] },
];

describe('CORS rules', () => {
  it('match origin, method and every requested header, first rule first', () => {
    expect(matchCors(rules, 'https://app.example.com', 'PUT', ['content-type'])?.id).toBe('a');
    expect(matchCors(rules, 'https://example.com', 'PUT')).toBeUndefined();
    expect(matchCors(rules, 'https://app.example.com', 'PUT', ['content-type', 'authorization'])).toBeUndefined();
    expect(matchCors(rules, 'https://anything.test', 'GET')?.id).toBe('b');
    expect(matchCors(rules, 'https://anything.test', 'DELETE')).toBeUndefined();
  });

  it('are validated as S3 does', () => {
    expect(() => checkCorsRules([])).toThrow(/at least one/);
    expect(() => checkCorsRules([{ allowedOrigins: ['*'], allowedMethods: ['PATCH'], allowedHeaders: [], exposeHeaders: [] }])).toThrow(/unsupported HTTP method/);
    expect(() => checkCorsRules([{ allowedOrigins: ['*.*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] }])).toThrow(/more than one wildcard/);
    expect(() => checkCorsRules([{ allowedOrigins: [], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] }])).toThrow(/required/);
    expect(checkCorsRules(rules)).toEqual(rules);
  });
});
