/*
 * The one mapper from database error codes to what callers act on, shared by both backends.
 */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Serialization failures and deadlocks: the transaction may simply be run again. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '40001' || e?.code === '40P01' || e?.code === 'SQLITE_BUSY';
}

/**
 * Errors about the database as a whole rather than one row: the disk is full, I/O failed, the
 * connection is gone, the server is out of resources. Loops that isolate a poisoned row must
 * not blame a row for these: every row would fail the same way, and be given up for nothing.
 */
export function isStoreUnavailable(err: unknown): boolean {
  const code = String((err as { code?: unknown } | undefined)?.code ?? '');
  if (isTransient(err)) return true;
  if (/^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|NOMEM|CORRUPT|NOTADB)/.test(code)) return true;
  // PostgreSQL classes 08 (connection), 53 (insufficient resources), 57P (operator intervention).
  if (/^(08|53)/.test(code) || code.startsWith('57P')) return true;
  return ['ENOSPC', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EIO'].includes(code) || /Connection terminated/i.test(String((err as Error)?.message));
}

export async function withRetry<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      if (i >= attempts || !isTransient(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** i + Math.random() * 10));
    }
  }
}
