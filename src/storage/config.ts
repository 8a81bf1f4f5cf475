/*
 * How a server's object store is configured: options from the embedder, else SKYBATCH_STORAGE_*
 * environment variables (documented in README.md). The local disk needs no configuration; S3
 * needs at least a bucket.
 */
import type { Store } from '../store/database.js';
import type { BlobBackend } from './blobs/blob-backend.js';
import { S3Blobs, type S3BlobsConfig } from './blobs/s3.js';
import { ObjectStorage } from './storage.js';
import { setLongInterval } from '../util/long-timer.js';

// The longest delay Step Functions takes for a timer: far beyond any useful restore delay or
// sweep interval, and a restore's ready date stays a valid date.
const MAX_CONFIG_SECONDS = 99_999_999;
const MAX_INLINE_BYTES = 1024 * 1024;

export interface StorageConfig {
  /** Backend of new buckets: `local` (default) or `s3`. */
  backend?: 'local' | 's3';
  /** Required when any bucket uses `s3`. */
  s3?: S3BlobsConfig;
  /** Buckets whose backend differs from `backend`. */
  buckets?: Record<string, 'local' | 's3'>;
  restoreDelaySeconds?: number;
  minPartSize?: number;
  region?: string;
  /** How often the server runs the lifecycle sweep (default 60 s); 0 turns it off. */
  lifecycleIntervalSeconds?: number;
  /** Bodies up to this many bytes live in the catalogue (default 16 KiB); 0: every body is a blob. */
  inlineBytes?: number;
}

export function storageConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StorageConfig {
  const config: StorageConfig = {};
  const backend = env.SKYBATCH_STORAGE_BACKEND;
  if (backend !== undefined && backend !== '') {
    if (backend !== 'local' && backend !== 's3') throw new Error(`SKYBATCH_STORAGE_BACKEND must be "local" or "s3", got "${backend}"`);
    config.backend = backend;
  }
  if (env.SKYBATCH_STORAGE_S3_BUCKET) {
    const s3: S3BlobsConfig = { bucket: env.SKYBATCH_STORAGE_S3_BUCKET };
    if (env.SKYBATCH_STORAGE_S3_ENDPOINT) s3.endpoint = env.SKYBATCH_STORAGE_S3_ENDPOINT;
    if (env.SKYBATCH_STORAGE_S3_REGION) s3.region = env.SKYBATCH_STORAGE_S3_REGION;
    if (env.SKYBATCH_STORAGE_S3_ACCESS_KEY_ID) s3.accessKeyId = env.SKYBATCH_STORAGE_S3_ACCESS_KEY_ID;
    if (env.SKYBATCH_STORAGE_S3_SECRET_ACCESS_KEY) s3.secretAccessKey = env.SKYBATCH_STORAGE_S3_SECRET_ACCESS_KEY;
    if (env.SKYBATCH_STORAGE_S3_FORCE_PATH_STYLE) s3.forcePathStyle = env.SKYBATCH_STORAGE_S3_FORCE_PATH_STYLE === 'true';
    if (env.SKYBATCH_STORAGE_S3_PREFIX) s3.prefix = env.SKYBATCH_STORAGE_S3_PREFIX;
    config.s3 = s3;
  }
  if (env.SKYBATCH_STORAGE_BUCKET_BACKENDS) {
    config.buckets = {};
    for (const pair of env.SKYBATCH_STORAGE_BUCKET_BACKENDS.split(',').filter(Boolean)) {
      const [bucket, name] = pair.split('=').map((s) => s.trim());
      if (!bucket || (name !== 'local' && name !== 's3')) throw new Error(`SKYBATCH_STORAGE_BUCKET_BACKENDS: expected BUCKET=local|s3 pairs separated by commas, got "${pair}"`);
      config.buckets[bucket] = name;
    }
  }
  const seconds = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0) throw new Error(`${name} must be a number of seconds, got "${value}"`);
    if (number > MAX_CONFIG_SECONDS) throw new Error(`${name} must be at most ${MAX_CONFIG_SECONDS} seconds (about 3 years), got "${value}"`);
    return number;
  };
  const delay = seconds('SKYBATCH_STORAGE_RESTORE_DELAY_SECONDS');
  if (delay !== undefined) config.restoreDelaySeconds = delay;
  const interval = seconds('SKYBATCH_STORAGE_LIFECYCLE_INTERVAL_SECONDS');
  if (interval !== undefined) config.lifecycleIntervalSeconds = interval;
  if (env.SKYBATCH_STORAGE_REGION) config.region = env.SKYBATCH_STORAGE_REGION;
  const inline = env.SKYBATCH_STORAGE_INLINE_BYTES;
  if (inline !== undefined && inline !== '') {
    const bytes = Number(inline);
    // A catalogue row is no place for large bodies: 1 MiB at most.
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_INLINE_BYTES) throw new Error(`SKYBATCH_STORAGE_INLINE_BYTES must be a whole number of bytes from 0 to ${MAX_INLINE_BYTES}, got "${inline}"`);
    config.inlineBytes = bytes;
  }
  return config;
}

export function openObjectStorage(store: Store, dataDir: string, config: StorageConfig, now?: () => Date): ObjectStorage {
  const backends: Record<string, BlobBackend> = {};
  const wantsS3 = config.backend === 's3' || Object.values(config.buckets ?? {}).includes('s3');
  if (wantsS3) {
    if (!config.s3) throw new Error('The S3 storage backend needs a bucket (SKYBATCH_STORAGE_S3_BUCKET)');
    backends.s3 = new S3Blobs(config.s3);
  }
  return new ObjectStorage({
    store,
    dataDir,
    backends,
    ...(config.backend ? { defaultBackend: config.backend } : {}),
    ...(config.buckets ? { bucketBackends: config.buckets } : {}),
    ...(config.restoreDelaySeconds !== undefined ? { restoreDelaySeconds: config.restoreDelaySeconds } : {}),
    ...(config.minPartSize !== undefined ? { minPartSize: config.minPartSize } : {}),
    ...(config.region ? { region: config.region } : {}),
    ...(config.inlineBytes !== undefined ? { inlineBytes: config.inlineBytes } : {}),
    ...(now ? { now } : {}),
  });
}

const GARBAGE_EVERY_MS = 60 * 60 * 1000;

/**
 * Runs the lifecycle sweep every `intervalMs` as of the clock's now, and about hourly the
 * garbage sweep of unreferenced blobs; never two at once, errors logged. The timer does not
 * keep the process alive. Returns a stop function that waits for a sweep in progress.
 */
export function scheduleLifecycle(storage: ObjectStorage, intervalMs: number, now: () => Date = () => new Date()): () => Promise<void> {
  if (intervalMs <= 0) return async () => {};
  let running: Promise<void> | undefined;
  let lastGarbage = Date.now();
  const timer = setLongInterval(() => {
    if (running) return;
    const garbageDue = Date.now() - lastGarbage >= GARBAGE_EVERY_MS;
    running = storage
      .runLifecycle(now())
      .then(async () => {
        if (!garbageDue) return;
        lastGarbage = Date.now();
        await storage.collectGarbage();
      })
      .catch((err: unknown) => console.error('skybatch: lifecycle sweep failed:', (err as Error).message))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs).unref();
  return async () => {
    timer.clear();
    await running;
  };
}
