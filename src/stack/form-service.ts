/*
 * Forms as the API serves them: list, describe, and submit, which checks every field on the
 * server (whatever the console already checked) and starts the form's state machine.
 */
import type { Json } from '../asl/types.js';
import type { ExecutionInfo, Platform } from '../engine/types.js';
import { NotFoundError, SkybatchError } from '../errors.js';
import type { Store } from '../store/database.js';
import { getForm, listForms } from '../store/stacks.js';
import { renderSubmission, type FormSpec } from './forms.js';

export interface FormInfo extends FormSpec {
  name: string;
  stack: string;
  updatedAt: string;
}

/** A submission with bad fields: `details.fields` maps each field to what is wrong with it. */
export class FormFieldsError extends SkybatchError {
  constructor(fields: Record<string, string>) {
    const lines = Object.entries(fields).map(([name, error]) => `${name}: ${error}`);
    super('ValidationError', `the form has ${lines.length} invalid field${lines.length === 1 ? '' : 's'}: ${lines.join('; ')}`, { fields, problems: lines });
  }
}

const info = (row: { name: string; stack: string; body: string; updated_at: string }): FormInfo => ({ name: row.name, stack: row.stack, updatedAt: row.updated_at, ...(JSON.parse(row.body) as FormSpec) });

export function createForms(platform: Platform, store: Store) {
  async function describe(name: string): Promise<FormInfo> {
    const row = await getForm(store.db, name);
    if (!row) throw new NotFoundError(`form "${name}" does not exist`);
    return info(row);
  }
  return {
    async list(): Promise<FormInfo[]> {
      return (await listForms(store.db)).map(info);
    },
    describe,
    async submit(name: string, values: Record<string, unknown>, executionName?: string): Promise<{ execution: ExecutionInfo; created: boolean; input: Json }> {
      const form = await describe(name);
      const rendered = renderSubmission(form, values);
      if ('errors' in rendered) throw new FormFieldsError(rendered.errors);
      const started = await platform.executions.start({ stateMachine: form.stateMachine, input: rendered.input, ...(executionName === undefined ? {} : { name: executionName }) });
      return { ...started, input: rendered.input };
    },
  };
}

export type FormsService = ReturnType<typeof createForms>;
