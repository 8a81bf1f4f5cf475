/*
 * The functions service the platform exposes: the registry (database) plus the runtime
 * (worker threads), joined by invoke.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Json } from '../asl/types.js';
import { PayloadTooLargeError } from '../errors.js';
import type { Store } from '../store/database.js';
import { ModuleFiles } from './files.js';
import { createRegistry } from './registry.js';
import { FunctionRuntime, type RuntimeOptions } from './runtime.js';
import type { FunctionsService } from './types.js';

/** Lambda's limit on a synchronous invocation's payload. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export interface FunctionsOptions {
  dataDir: string;
  runtime?: RuntimeOptions;
}

export function createFunctions(store: Store, options: FunctionsOptions): FunctionsService {
  const registry = createRegistry(store, new ModuleFiles(join(options.dataDir, 'functions')));
  const runtime = new FunctionRuntime(options.runtime);

  return {
    publish: registry.publish,
    describe: registry.describe,
    list: registry.list,
    delete: registry.delete,
    createAlias: registry.createAlias,
    updateAlias: registry.updateAlias,
    putAlias: registry.putAlias,
    deleteAlias: registry.deleteAlias,

    async invoke(nameOrArn, payload: Json, invokeOptions = {}) {
      const size = Buffer.byteLength(JSON.stringify(payload) ?? '');
      if (size > MAX_PAYLOAD_BYTES) throw new PayloadTooLargeError(`the payload is ${size} bytes; at most ${MAX_PAYLOAD_BYTES} are allowed`);
      const { config, invokedArn } = await registry.resolve(nameOrArn, invokeOptions.qualifier);
      const url = await registry.moduleUrl(config);
      const requestId = randomUUID();
      const target = {
        url,
        handler: config.handler,
        name: config.name,
        version: config.version,
        invokedFunctionArn: invokedArn,
        memoryMiB: config.memory_mib,
        timeoutSeconds: config.timeout_seconds,
        requestId,
      };
      const result = await runtime.run(target, payload, invokeOptions.signal);
      return { ...result, executedVersion: String(config.version), requestId };
    },

    close: () => runtime.close(),
  };
}
