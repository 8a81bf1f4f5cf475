/* Executions: start (idempotent by name), describe, list, history, stop, redrive. */
import { randomUUID } from 'node:crypto';
import type { Json } from '../asl/types.js';
import { BadRequestError, ConflictError, NotFoundError, PayloadTooLargeError } from '../errors.js';
import type { Store } from '../store/database.js';
import { isUniqueViolation } from '../store/errors.js';
import * as q from '../store/executions.js';
import { readHistory } from '../store/history.js';
import { enqueue } from '../store/inbox.js';
import { jsonDepthProblem } from '../util/json-limits.js';
import { getStateMachine } from '../store/state-machines.js';
import type { Engine } from './engine.js';
import { ACCOUNT, REGION, stateMachineArn, stateMachineName } from './state-machines.js';
import type { ExecutionInfo, Executions, ExecutionStatus, ExecutionSummary } from './types.js';
import { isResourceName, NAME_RULE } from '../util/names.js';

export const MAX_INPUT_BYTES = 256 * 1024;

export function executionArn(stateMachine: string, name: string): string {
  return `arn:aws:states:${REGION}:${ACCOUNT}:execution:${stateMachine}:${name}`;
}

function toInfo(row: q.ExecutionRow): ExecutionInfo {
  const info: ExecutionInfo = {
    id: row.id,
    executionArn: executionArn(row.state_machine, row.name),
    name: row.name,
    stateMachine: row.state_machine,
    stateMachineArn: stateMachineArn(row.state_machine),
    revision: row.revision,
    status: row.status as ExecutionStatus,
    input: JSON.parse(row.input) as Json,
    startDate: row.start_date,
    redriveCount: row.redrive_count,
  };
  if (row.output !== null) info.output = JSON.parse(row.output) as Json;
  if (row.error !== null) info.error = row.error;
  if (row.cause !== null) info.cause = row.cause;
  if (row.stop_date !== null) info.stopDate = row.stop_date;
  return info;
}

export function createExecutions(store: Store, engine: Engine): Executions {
  const { db } = store;

  const find = async (idOrArn: string): Promise<q.ExecutionRow> => {
    const arn = /^arn:aws:states:[^:]*:[^:]*:execution:([^:]+):([^:]+)$/.exec(idOrArn);
    const row = arn ? await q.findExecutionByName(db, arn[1] as string, arn[2] as string) : await q.findExecution(db, idOrArn);
    if (!row) throw new NotFoundError(`execution "${idOrArn}" does not exist`);
    return row;
  };

  return {
    async start({ stateMachine, name, input }) {
      const machine = stateMachineName(stateMachine);
      const executionName = name ?? randomUUID();
      if (!isResourceName(executionName, 80)) throw new BadRequestError(`execution name "${executionName}" must be 1 to 80 ${NAME_RULE}`);
      const given: Json = input === undefined ? {} : input;
      const tooDeep = jsonDepthProblem(given, 'execution input');
      if (tooDeep) throw new BadRequestError(tooDeep);
      const inputText = JSON.stringify(given);
      if (Buffer.byteLength(inputText) > MAX_INPUT_BYTES) throw new PayloadTooLargeError(`execution input is ${Buffer.byteLength(inputText)} bytes; the limit is ${MAX_INPUT_BYTES}`);
      // A generated name is new by construction; only a caller's name can repeat.
      if (name !== undefined) {
        const existing = await q.findExecutionByName(db, machine, executionName);
        if (existing) return { execution: toInfo(existing), created: false };
      }
      const sm = await getStateMachine(db, machine);
      if (!sm) throw new NotFoundError(`state machine "${machine}" does not exist`);
      const id = randomUUID();
      const now = Date.now();
      const row: q.ExecutionRow = {
        id,
        name: executionName,
        state_machine: machine,
        revision: sm.revision,
        status: 'RUNNING',
        input: inputText,
        output: null,
        error: null,
        cause: null,
        start_date: new Date(now).toISOString(),
        stop_date: null,
        redrive_count: 0,
        state: '',
        last_event_id: 0,
      };
      try {
        await db.transaction().execute(async (trx) => {
          await q.insertExecution(trx, row);
          await enqueue(trx, [
            {
              executionId: id,
              availableAt: now,
              event: {
                type: 'StartExecution',
                input: given,
                context: { executionId: executionArn(machine, executionName), executionName, stateMachineId: stateMachineArn(machine), stateMachineName: machine, roleArn: sm.role_arn },
              },
            },
          ]);
        });
      } catch (err) {
        // Two starts with one name raced: the other one won, and its execution is the answer.
        if (!isUniqueViolation(err)) throw err;
        const winner = await q.findExecutionByName(db, machine, executionName);
        if (!winner) throw err;
        return { execution: toInfo(winner), created: false };
      }
      engine.wake();
      return { execution: toInfo(row), created: true };
    },

    async describe(id) {
      return toInfo(await find(id));
    },

    async list(options = {}) {
      const limit = options.limit ?? 100;
      let before: { startDate: string; id: string } | undefined;
      if (options.nextToken !== undefined) {
        const [startDate, id] = Buffer.from(options.nextToken, 'base64url').toString().split('\n');
        if (!startDate || !id) throw new BadRequestError('nextToken is not valid');
        before = { startDate, id };
      }
      const rows = await q.listExecutions(db, { stateMachine: options.stateMachine === undefined ? undefined : stateMachineName(options.stateMachine), status: options.status, limit: limit + 1, before });
      const items: ExecutionSummary[] = rows.slice(0, limit).map((r) => {
        const s: ExecutionSummary = { id: r.id, executionArn: executionArn(r.state_machine, r.name), name: r.name, stateMachine: r.state_machine, status: r.status as ExecutionStatus, startDate: r.start_date };
        if (r.stop_date !== null) s.stopDate = r.stop_date;
        return s;
      });
      const last = rows[limit - 1];
      return rows.length > limit && last ? { items, nextToken: Buffer.from(`${last.start_date}\n${last.id}`).toString('base64url') } : { items };
    },

    async history(idOrArn, options = {}) {
      const row = await find(idOrArn);
      const limit = options.limit ?? 1000;
      const reverse = options.reverse ?? false;
      const token = options.nextToken === undefined ? undefined : Number(options.nextToken);
      if (token !== undefined && !Number.isInteger(token)) throw new BadRequestError('nextToken is not valid');
      const window: { after?: number; before?: number } = {};
      if (token !== undefined) window[reverse ? 'before' : 'after'] = token;
      const events = await readHistory(db, row.id, { ...window, limit: limit + 1, reverse });
      const items = events.slice(0, limit);
      const last = items[items.length - 1];
      return events.length > limit && last ? { items, nextToken: String(last.id) } : { items };
    },

    async stop(idOrArn, options = {}) {
      const row = await find(idOrArn);
      if (row.status !== 'RUNNING') throw new ConflictError(`execution "${row.name}" is ${row.status}, not RUNNING`);
      const event = { type: 'StopExecution' as const, ...(options.error === undefined ? {} : { error: options.error }), ...(options.cause === undefined ? {} : { cause: options.cause }) };
      if (!(await engine.applyNow(row.id, event))) {
        // Not started yet: the stop waits in the inbox behind the start event.
        await enqueue(db, [{ executionId: row.id, event, availableAt: Date.now() }]);
        engine.wake();
      }
      return toInfo(await find(row.id));
    },

    async redrive(idOrArn) {
      const row = await find(idOrArn);
      if (!['FAILED', 'TIMED_OUT', 'ABORTED'].includes(row.status)) throw new ConflictError(`execution "${row.name}" is ${row.status}; only FAILED, TIMED_OUT or ABORTED executions can be redriven`);
      await engine.applyNow(row.id, { type: 'RedriveExecution' });
      return toInfo(await find(row.id));
    },
  };
}
