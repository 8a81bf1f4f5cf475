/* State machines: validated definitions with a new revision on every update. */
import { parseDefinition, DefinitionSyntaxError } from '../asl/parse.js';
import type { StateMachineDefinition } from '../asl/types.js';
import { formatProblem, validateDefinition } from '../asl/validate/index.js';
import { BadRequestError, ConflictError, InvalidDefinitionError, NotFoundError } from '../errors.js';
import type { Store } from '../store/database.js';
import { isUniqueViolation } from '../store/errors.js';
import * as q from '../store/state-machines.js';
import type { StateMachineInfo, StateMachines, StateMachineSummary } from './types.js';
import { isResourceName, NAME_RULE } from '../util/names.js';

export const ACCOUNT = '000000000000';
export const REGION = 'local';

export function stateMachineArn(name: string): string {
  return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
}

/** Accepts a plain name or a state machine ARN (optionally with a :version suffix). */
export function stateMachineName(nameOrArn: string): string {
  const m = /^arn:aws:states:[^:]*:[^:]*:stateMachine:([^:]+)(:\d+)?$/.exec(nameOrArn);
  return m ? (m[1] as string) : nameOrArn;
}

/** Parses (when given text) and validates a definition, or throws InvalidDefinitionError. */
export function checkDefinition(definition: unknown): StateMachineDefinition {
  let value = definition;
  if (typeof definition === 'string') {
    try {
      value = parseDefinition(definition);
    } catch (err) {
      if (err instanceof DefinitionSyntaxError) throw new InvalidDefinitionError([err.message]);
      throw err;
    }
  }
  const problems = validateDefinition(value);
  if (problems.length > 0) throw new InvalidDefinitionError(problems.map(formatProblem));
  return value as StateMachineDefinition;
}

export function createStateMachines(store: Store): StateMachines {
  const { db } = store;

  const describe = async (nameOrArn: string, revision?: number): Promise<StateMachineInfo> => {
    const name = stateMachineName(nameOrArn);
    const row = await q.getStateMachine(db, name);
    if (!row) throw new NotFoundError(`state machine "${name}" does not exist`);
    const rev = revision ?? row.revision;
    const text = await q.getDefinition(db, name, rev);
    if (text === undefined) throw new NotFoundError(`state machine "${name}" has no revision ${rev}`);
    return {
      name,
      stateMachineArn: stateMachineArn(name),
      revision: rev,
      definition: JSON.parse(text) as StateMachineDefinition,
      roleArn: row.role_arn,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  };

  return {
    async create({ name, definition, roleArn }) {
      if (!isResourceName(name, 80)) throw new BadRequestError(`state machine name "${name}" must be 1 to 80 ${NAME_RULE}`);
      const checked = checkDefinition(definition);
      const now = new Date().toISOString();
      try {
        await db.transaction().execute((trx) => q.insertStateMachine(trx, { name, roleArn: roleArn ?? `arn:aws:iam::${ACCOUNT}:role/skybatch`, definition: JSON.stringify(checked), now }));
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError(`state machine "${name}" already exists`);
        throw err;
      }
      return describe(name);
    },

    async update(nameOrArn, { definition }) {
      const name = stateMachineName(nameOrArn);
      const checked = checkDefinition(definition);
      const revision = await db.transaction().execute((trx) => q.addRevision(trx, name, JSON.stringify(checked), new Date().toISOString()));
      if (revision === undefined) throw new NotFoundError(`state machine "${name}" does not exist`);
      return describe(name, revision);
    },

    describe,

    async list(options = {}) {
      const limit = options.limit ?? 100;
      const rows = await q.listStateMachines(db, { limit: limit + 1, after: options.nextToken });
      const items: StateMachineSummary[] = rows.slice(0, limit).map((r) => ({
        name: r.name,
        stateMachineArn: stateMachineArn(r.name),
        revision: r.revision,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      }));
      return rows.length > limit ? { items, nextToken: items[items.length - 1]?.name as string } : { items };
    },

    async revisions(nameOrArn) {
      const name = stateMachineName(nameOrArn);
      if (!(await q.getStateMachine(db, name))) throw new NotFoundError(`state machine "${name}" does not exist`);
      return (await q.listRevisions(db, name)).map((r) => ({ revision: r.revision, createdAt: r.created_at }));
    },

    async delete(nameOrArn) {
      const name = stateMachineName(nameOrArn);
      if (!(await q.deleteStateMachine(db, name))) throw new NotFoundError(`state machine "${name}" does not exist`);
    },
  };
}
