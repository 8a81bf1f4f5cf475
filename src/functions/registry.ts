/*
 * Functions, their immutable versions and aliases, as Lambda keeps them: every publish that
 * changes something adds version N+1, $LATEST is the newest version, an alias names one.
 */
import { createHash } from 'node:crypto';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import type { Store } from '../store/database.js';
import { isUniqueViolation, withRetry } from '../store/errors.js';
import * as q from '../store/functions.js';
import { checkAliasName, checkFunctionName, functionArn, LATEST, parseFunctionRef } from './arn.js';
import { compileFunction } from './compile.js';
import type { ModuleFiles } from './files.js';
import type { AliasInfo, FunctionInfo, FunctionsService, FunctionSummary, FunctionVersionInfo, PublishRequest } from './types.js';

/** Well above any handler one writes inline; the API's body limit refuses larger requests first. */
export const MAX_CODE_BYTES = 1024 * 1024;
const HANDLER = /^(?:index\.)?([A-Za-z_$][A-Za-z0-9_$]*)$/;

export interface ResolvedVersion {
  config: q.VersionConfig;
  /** The ARN as the caller named it, qualifier included: the handler's context.invokedFunctionArn. */
  invokedArn: string;
}

export type Registry = Omit<FunctionsService, 'invoke' | 'close'> & {
  /** Throws NotFoundError for an unknown function, version or alias. */
  resolve(ref: string, qualifier?: string): Promise<ResolvedVersion>;
  /** Import URL of a version's module, written to disk on first use. */
  moduleUrl(config: q.VersionConfig): Promise<string>;
};

function integer(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new BadRequestError(`${field} must be an integer from ${min} to ${max}`);
  return value;
}

function checkPublish(request: PublishRequest): Omit<q.NewVersion, 'module' | 'created_at'> {
  checkFunctionName(request.name);
  if (typeof request.code !== 'string' || request.code.trim() === '') throw new BadRequestError('code must be the source of an ES module');
  if (Buffer.byteLength(request.code) > MAX_CODE_BYTES) throw new BadRequestError(`code must be at most ${MAX_CODE_BYTES} bytes`);
  const handler = HANDLER.exec(request.handler ?? 'handler')?.[1];
  if (handler === undefined) throw new BadRequestError(`handler "${request.handler}" must be the name of an export, e.g. "handler"`);
  if ((request.runtime ?? 'nodejs20.x') !== 'nodejs20.x') throw new BadRequestError(`runtime "${request.runtime}" is not supported; use nodejs20.x`);
  const description = request.description ?? '';
  if (typeof description !== 'string' || description.length > 256) throw new BadRequestError('description must be text of at most 256 characters');
  return {
    name: request.name,
    code: request.code,
    code_sha256: createHash('sha256').update(request.code).digest('base64'),
    handler,
    runtime: 'nodejs20.x',
    timeout_seconds: integer(request.timeoutSeconds, 'timeoutSeconds', 1, 900, 3),
    memory_mib: integer(request.memoryMiB, 'memoryMiB', 64, 10240, 128),
    description,
  };
}

function versionNumber(version: string | number): number {
  const n = typeof version === 'number' ? version : /^[1-9][0-9]{0,9}$/.test(version) ? Number(version) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new BadRequestError(`version "${version}" must be a published version number (an alias cannot point to $LATEST)`);
  return n;
}

function versionInfo(c: q.VersionConfig): FunctionVersionInfo {
  return {
    name: c.name,
    functionArn: functionArn(c.name, String(c.version)),
    version: String(c.version),
    handler: c.handler,
    runtime: 'nodejs20.x',
    timeoutSeconds: c.timeout_seconds,
    memoryMiB: c.memory_mib,
    description: c.description,
    codeSha256: c.code_sha256,
    createdAt: c.created_at,
  };
}

function aliasInfo(row: q.FunctionAliasesTable): AliasInfo {
  return { name: row.alias, aliasArn: functionArn(row.name, row.alias), functionName: row.name, functionVersion: String(row.version), createdAt: row.created_at, updatedAt: row.updated_at };
}

/** Two first publishes of one name race on its primary key: the loser simply runs again. */
async function publishWithRetry(db: q.Db, row: q.NewVersion, same: (latest: q.VersionConfig) => boolean): Promise<{ version: number; created: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withRetry(() => q.publishVersion(db, row, same));
    } catch (err) {
      if (attempt >= 3 || !isUniqueViolation(err)) throw err;
    }
  }
}

export function createRegistry(store: Store, files: ModuleFiles): Registry {
  const db = q.functionsDb(store.db);

  const existing = async (name: string): Promise<q.FunctionsTable> => {
    const fn = await q.getFunction(db, name);
    if (!fn) throw new NotFoundError(`function "${name}" does not exist`);
    return fn;
  };

  const existingVersion = async (name: string, version: number): Promise<q.VersionConfig> => {
    const config = await q.getVersion(db, name, version);
    if (!config) throw new NotFoundError(`function "${name}" has no version ${version}`);
    return config;
  };

  const resolve = async (ref: string, qualifier?: string): Promise<ResolvedVersion> => {
    const { name, qualifier: chosen } = parseFunctionRef(ref, qualifier);
    let version: number;
    if (chosen === undefined || chosen === LATEST) version = (await existing(name)).latest_version;
    else if (/^[0-9]+$/.test(chosen)) version = Number(chosen);
    else {
      const alias = await q.getAlias(db, name, chosen);
      if (!alias) {
        await existing(name);
        throw new NotFoundError(`function "${name}" has no alias "${chosen}"`);
      }
      version = alias.version;
    }
    const config = await q.getVersion(db, name, version);
    if (!config) {
      await existing(name);
      throw new NotFoundError(`function "${name}" has no version ${version}`);
    }
    return { config, invokedArn: functionArn(name, chosen) };
  };

  const insertAlias = async (name: string, alias: string, version: number): Promise<AliasInfo> => {
    const now = new Date().toISOString();
    const row = { name, alias, version, created_at: now, updated_at: now };
    try {
      await q.insertAlias(db, row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`function "${name}" already has an alias "${alias}"`);
      throw err;
    }
    return aliasInfo(row);
  };

  const updateAlias = async (name: string, alias: string, version: number): Promise<AliasInfo | undefined> => {
    const updated = await q.updateAlias(db, { name, alias, version, updated_at: new Date().toISOString() });
    const row = updated ? await q.getAlias(db, name, alias) : undefined;
    return row && aliasInfo(row);
  };

  /** Validates the names and the version an alias is to point at. */
  const aliasTarget = async (name: string, alias: string, version: string | number): Promise<number> => {
    checkFunctionName(name);
    checkAliasName(alias);
    const n = versionNumber(version);
    await existing(name);
    await existingVersion(name, n);
    return n;
  };

  return {
    resolve,

    moduleUrl: (config) =>
      files.ensure(config.name, config.version, config.code_sha256, async () => {
        const code = await q.getCode(db, config.name, config.version);
        if (!code) throw new NotFoundError(`function "${config.name}" has no version ${config.version}`);
        return code.module;
      }),

    async publish(request) {
      const checked = checkPublish(request);
      const { module } = await compileFunction(checked.code, checked.handler);
      const row: q.NewVersion = { ...checked, module, created_at: new Date().toISOString() };
      const same = (latest: q.VersionConfig) =>
        latest.code_sha256 === row.code_sha256 && latest.handler === row.handler && latest.runtime === row.runtime && latest.timeout_seconds === row.timeout_seconds && latest.memory_mib === row.memory_mib && latest.description === row.description;
      const { version, created } = await publishWithRetry(db, row, same);
      // Written now for this server; other servers write it when they first run the version.
      await files.ensure(row.name, version, row.code_sha256, async () => module);
      return { info: versionInfo(await existingVersion(row.name, version)), created };
    },

    async describe(nameOrArn, qualifier) {
      const { config } = await resolve(nameOrArn, qualifier);
      const [fn, code, versions, aliases] = await Promise.all([existing(config.name), q.getCode(db, config.name, config.version), q.listVersions(db, config.name), q.listAliases(db, config.name)]);
      const info: FunctionInfo = {
        ...versionInfo(config),
        latestVersion: String(fn.latest_version),
        code: code?.code ?? '',
        versions: versions.map((v) => ({ version: String(v.version), description: v.description, createdAt: v.created_at })),
        aliases: aliases.map(aliasInfo),
      };
      return info;
    },

    async list(options = {}) {
      const limit = options.limit ?? 100;
      const rows = await q.listFunctions(db, { limit: limit + 1, after: options.nextToken });
      const items: FunctionSummary[] = rows.slice(0, limit).map((r) => ({
        name: r.name,
        functionArn: functionArn(r.name),
        latestVersion: String(r.version),
        handler: r.handler,
        runtime: 'nodejs20.x',
        timeoutSeconds: r.timeout_seconds,
        memoryMiB: r.memory_mib,
        description: r.description,
        lastModified: r.updated_at,
      }));
      const last = items[items.length - 1];
      return rows.length > limit && last ? { items, nextToken: last.name } : { items };
    },

    async delete(nameOrArn) {
      const { name, qualifier } = parseFunctionRef(nameOrArn);
      if (qualifier !== undefined) throw new BadRequestError('deleting a single version is not supported: delete the function, or move its aliases');
      if (!(await q.deleteFunction(db, name))) throw new NotFoundError(`function "${name}" does not exist`);
      await files.remove(name);
    },

    async createAlias(name, alias, version) {
      return insertAlias(name, alias, await aliasTarget(name, alias, version));
    },

    async updateAlias(name, alias, version) {
      const updated = await updateAlias(name, alias, await aliasTarget(name, alias, version));
      if (!updated) throw new NotFoundError(`function "${name}" has no alias "${alias}"`);
      return updated;
    },

    async putAlias(name, alias, version) {
      const n = await aliasTarget(name, alias, version);
      const updated = await updateAlias(name, alias, n);
      if (updated) return { alias: updated, created: false };
      try {
        return { alias: await insertAlias(name, alias, n), created: true };
      } catch (err) {
        // Created by someone else since: this request then updates it.
        if (!(err instanceof ConflictError)) throw err;
        const again = await updateAlias(name, alias, n);
        if (!again) throw err;
        return { alias: again, created: false };
      }
    },

    async deleteAlias(name, alias) {
      checkFunctionName(name);
      if (!(await q.deleteAlias(db, name, alias))) {
        await existing(name);
        throw new NotFoundError(`function "${name}" has no alias "${alias}"`);
      }
    },
  };
}
