/*
 * Submission forms: fields a person fills in (type, required, pattern, bounds, default) and the
 * state machine input they make. `input` is any JSON with `${FIELD}` in its strings; every
 * placeholder becomes the field's value as text, so a template decides the input's shape
 * (4.1's input carries SPLIT_NUM as the string "10000", as the AWS original did).
 */
import type { Json } from '../asl/types.js';
import type { Path, StackProblem } from './types.js';

export type FieldType = 'string' | 'integer' | 'number' | 'boolean';

export interface FormField {
  type: FieldType;
  label?: string;
  required?: boolean;
  pattern?: string;
  min?: number;
  max?: number;
  default?: string | number | boolean;
}

export interface FormSpec {
  stateMachine: string;
  title?: string;
  description?: string;
  fields: Record<string, FormField>;
  input: Json;
}

const TYPES: FieldType[] = ['string', 'integer', 'number', 'boolean'];
const FIELD_KEYS = ['type', 'label', 'required', 'pattern', 'min', 'max', 'default'];
const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** Problems of a form's `fields`, with paths below it. */
export function checkFields(fields: unknown): StackProblem[] {
  const problems: StackProblem[] = [];
  const report = (path: Path, message: string) => problems.push({ path, message });
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return [{ path: [], message: 'must be a mapping of field names to fields' }];
  for (const [name, field] of Object.entries(fields as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) report([name], 'a field name must be 1 to 64 letters, digits or "_"');
    if (typeof field !== 'object' || field === null || Array.isArray(field)) {
      report([name], 'must be a mapping (type, required, pattern, min, max, default)');
      continue;
    }
    const f = field as Record<string, unknown>;
    for (const key of Object.keys(f)) if (!FIELD_KEYS.includes(key)) report([name, key], `unknown field (expected one of: ${FIELD_KEYS.join(', ')})`);
    if (!TYPES.includes(f.type as FieldType)) report([name, 'type'], `must be one of: ${TYPES.join(', ')}`);
    if (f.pattern !== undefined) {
      if (typeof f.pattern !== 'string') report([name, 'pattern'], 'must be a regular expression');
      else {
        try {
          new RegExp(f.pattern, 'u');
        } catch (err) {
          report([name, 'pattern'], `is not a regular expression: ${(err as Error).message}`);
        }
      }
    }
    for (const key of ['min', 'max'] as const) if (f[key] !== undefined && typeof f[key] !== 'number') report([name, key], 'must be a number');
    if (f.required !== undefined && typeof f.required !== 'boolean') report([name, 'required'], 'must be true or false');
    if (f.default !== undefined && TYPES.includes(f.type as FieldType)) {
      const error = checkValue(f as unknown as FormField, f.default);
      if (error) report([name, 'default'], error);
    }
  }
  return problems;
}

/**
 * Why `value` does not fit `field`, or undefined when it does. Numbers may come as text, as
 * form posts send them. The console runs this same function in the browser.
 */
export function checkValue(field: FormField, value: unknown): string | undefined {
  if (field.type === 'boolean') return typeof value === 'boolean' || value === 'true' || value === 'false' ? undefined : 'must be true or false';
  if (field.type === 'integer' || field.type === 'number') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n)) return `must be ${field.type === 'integer' ? 'an integer' : 'a number'}`;
    if (field.type === 'integer' && !Number.isInteger(n)) return 'must be an integer';
    if (field.min !== undefined && n < field.min) return `must be at least ${field.min}`;
    if (field.max !== undefined && n > field.max) return `must be at most ${field.max}`;
    return undefined;
  }
  if (typeof value !== 'string') return 'must be text';
  if (field.pattern !== undefined && !new RegExp(field.pattern, 'u').test(value)) return `must match ${field.pattern}`;
  // For text, min and max bound its length in characters (code points: an emoji is one).
  const length = [...value.trim()].length;
  if (field.min !== undefined && length < field.min) return `must be at least ${field.min} characters`;
  if (field.max !== undefined && length > field.max) return `must be at most ${field.max} characters`;
  return undefined;
}

/**
 * The state machine input for submitted values, or every field's error. Unknown fields are
 * errors too: a typo must not silently fall back to a default.
 */
export function renderSubmission(form: FormSpec, values: Record<string, unknown>): { input: Json } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const text: Record<string, string> = {};
  for (const name of Object.keys(values)) if (!(name in form.fields)) errors[name] = 'is not a field of this form';
  for (const [name, field] of Object.entries(form.fields)) {
    const given = values[name];
    const value = given === undefined || given === '' ? field.default : given;
    if (value === undefined) {
      if (field.required) errors[name] = 'is required';
      text[name] = '';
      continue;
    }
    const error = checkValue(field, value);
    if (error) errors[name] = error;
    else text[name] = String(value).trim();
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { input: fill(form.input, text) };
}

function fill(template: Json, values: Record<string, string>): Json {
  if (typeof template === 'string') return template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
  if (Array.isArray(template)) return template.map((item) => fill(item, values));
  if (template !== null && typeof template === 'object') return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fill(v, values)]));
  return template;
}
