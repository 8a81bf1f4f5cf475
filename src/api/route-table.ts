/*
 * Every route the server registers, as it was declared. The OpenAPI document is built from
 * it, and the not-found handler uses it to tell "no such path" (404) from "no such method on
 * this path" (405), which fastify's router does not distinguish.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

export interface RouteEntry {
  method: string;
  url: string;
  schema: RouteOptions['schema'];
  config: RouteOptions['config'];
  pattern: RegExp;
}

export class RouteTable {
  readonly routes: RouteEntry[] = [];

  /** Records routes from now on; call before registering any. */
  attach(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        // fastify adds HEAD for every GET by itself; it is not part of the contract.
        if (method === 'HEAD') continue;
        // The S3 API is not part of the REST API's contract (its own document is S3's).
        if (route.config?.hidden === true) continue;
        this.routes.push({ method, url: route.url, schema: route.schema, config: route.config, pattern: toPattern(route.url) });
      }
    });
  }

  /** Methods with a route matching this request path (without its query string). */
  methodsFor(path: string): string[] {
    return this.routes.filter((r) => r.pattern.test(path)).map((r) => r.method);
  }
}

function toPattern(url: string): RegExp {
  const parts = url.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('/')}/?$`);
}
