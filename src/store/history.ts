/* History events, stored as one batch row per interpreter step. */
import type { Kysely } from 'kysely';
import type { HistoryEvent } from '../asl/interpreter/protocol.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export interface HistoryBatch {
  executionId: string;
  events: HistoryEvent[];
}

export async function appendHistory(db: Db, batches: HistoryBatch[]): Promise<void> {
  const rows = batches
    .filter((b) => b.events.length > 0)
    .map((b) => ({
      execution_id: b.executionId,
      first_event_id: (b.events[0] as HistoryEvent).id,
      last_event_id: (b.events[b.events.length - 1] as HistoryEvent).id,
      events: JSON.stringify(b.events),
    }));
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('history').values(rows.slice(i, i + 500)).execute();
}

/** Events after `after` (or before it, in reverse), at most `limit`. */
export async function readHistory(db: Db, executionId: string, options: { after?: number; before?: number; limit: number; reverse: boolean }): Promise<HistoryEvent[]> {
  let q = db.selectFrom('history').select(['events']).where('execution_id', '=', executionId);
  if (options.reverse) {
    if (options.before !== undefined) q = q.where('first_event_id', '<', options.before);
    q = q.orderBy('first_event_id', 'desc');
  } else {
    if (options.after !== undefined) q = q.where('last_event_id', '>', options.after);
    q = q.orderBy('first_event_id', 'asc');
  }
  const out: HistoryEvent[] = [];
  // Batches vary in size, so read a few at a time until the page is full.
  for (let offset = 0; out.length < options.limit; offset += 20) {
    const rows = await q.limit(20).offset(offset).execute();
    for (const row of rows) {
      let events = JSON.parse(row.events) as HistoryEvent[];
      if (options.reverse) {
        events = events.reverse();
        if (options.before !== undefined) events = events.filter((e) => e.id < (options.before as number));
      } else if (options.after !== undefined) {
        events = events.filter((e) => e.id > (options.after as number));
      }
      out.push(...events);
    }
    if (rows.length < 20) break;
  }
  return out.slice(0, options.limit);
}
