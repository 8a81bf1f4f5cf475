/*
 * What the functions subsystem offers the API, the CLI and the Lambda integration. Shapes
 * follow Lambda's GetFunctionConfiguration / GetAlias / Invoke, in camelCase; versions are
 * strings ("1") as Lambda writes them.
 */
import type { Json } from '../asl/types.js';
import type { Page } from '../engine/types.js';

export type FunctionRuntimeName = 'nodejs20.x';

export interface PublishRequest {
  name: string;
  /** Source of an ESM module, JavaScript or TypeScript. */
  code: string;
  /** The export to call; default "handler". */
  handler?: string;
  runtime?: FunctionRuntimeName;
  /** 1-900, default 3 (Lambda's). */
  timeoutSeconds?: number;
  /** 64-10240, default 128. */
  memoryMiB?: number;
  description?: string;
}

export interface FunctionVersionInfo {
  name: string;
  /** Qualified with the version. */
  functionArn: string;
  version: string;
  handler: string;
  runtime: FunctionRuntimeName;
  timeoutSeconds: number;
  memoryMiB: number;
  description: string;
  /** Base64 SHA-256 of the source, as Lambda's CodeSha256. */
  codeSha256: string;
  createdAt: string;
}

export interface AliasInfo {
  name: string;
  aliasArn: string;
  functionName: string;
  functionVersion: string;
  createdAt: string;
  updatedAt: string;
}

export interface FunctionInfo extends FunctionVersionInfo {
  /** The version $LATEST stands for. */
  latestVersion: string;
  /** The source as published. */
  code: string;
  versions: { version: string; description: string; createdAt: string }[];
  aliases: AliasInfo[];
}

export interface FunctionSummary {
  name: string;
  /** Unqualified. */
  functionArn: string;
  latestVersion: string;
  handler: string;
  runtime: FunctionRuntimeName;
  timeoutSeconds: number;
  memoryMiB: number;
  description: string;
  lastModified: string;
}

/** A function error as Lambda reports it in the response payload. */
export interface FunctionError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** Function errors are data, as in Lambda's Invoke: only a missing function or bad request throws. */
export type InvokeResult = ({ payload: Json } | { error: FunctionError }) & { executedVersion: string; requestId: string };

export interface InvokeOptions {
  /** Version, alias or $LATEST, when the reference carries none. */
  qualifier?: string;
  /** Aborting stops the invocation (and its worker) and rejects with an AbortError. */
  signal?: AbortSignal;
}

export interface FunctionsService {
  /**
   * Publishes the next version, or returns the latest one unchanged (`created: false`) when
   * code and configuration equal it. Throws BadRequestError for bad input or code that does
   * not compile.
   */
  publish(request: PublishRequest): Promise<{ info: FunctionVersionInfo; created: boolean }>;
  describe(nameOrArn: string, qualifier?: string): Promise<FunctionInfo>;
  list(options?: { limit?: number; nextToken?: string }): Promise<Page<FunctionSummary>>;
  /** Deletes every version and alias. */
  delete(nameOrArn: string): Promise<void>;
  createAlias(name: string, alias: string, version: string | number): Promise<AliasInfo>;
  updateAlias(name: string, alias: string, version: string | number): Promise<AliasInfo>;
  /** Creates or updates. */
  putAlias(name: string, alias: string, version: string | number): Promise<{ alias: AliasInfo; created: boolean }>;
  deleteAlias(name: string, alias: string): Promise<void>;
  /** Throws NotFoundError for an unknown function or qualifier, BadRequestError for a malformed reference. */
  invoke(nameOrArn: string, payload: Json, options?: InvokeOptions): Promise<InvokeResult>;
  /** Stops the worker pools. */
  close(): Promise<void>;
}
