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
