/*
 * Forms declared by stacks. Each field is checked here as the server checks it (type,
 * required, pattern, bounds) so mistakes show before submitting; the server checks again and
 * its per-field errors are shown next to the fields.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, enc, get } from '../api';
import { ErrorBox, Link, Loading } from '../common';
import { useLive } from '../live';
import { navigate } from '../router';
import { checkValue, type FormField, type FormSpec } from '../../../src/stack/forms.js';

/** A form as GET /api/v1/forms lists it (src/stack/form-service.ts: FormInfo). */
type Form = FormSpec & { name: string; stack: string };

/** The string pipeline's form first: it is the one most people come for. */
const FIRST = 'StringPipeline';

export function FormsPage({ selected }: { selected?: string | undefined }) {
  const { data, error } = useLive(() => get<{ items: Form[] }>('/api/v1/forms'), [], ['stateMachines']);
  if (!data) return error ? <ErrorBox error={error} /> : <Loading />;
  const forms = [...data.items].sort((a, b) => (a.name === FIRST ? -1 : b.name === FIRST ? 1 : a.name.localeCompare(b.name)));
  const form = forms.find((f) => f.name === selected) ?? forms[0];
  return (
    <section>
      <h1>Forms</h1>
      {forms.length === 0 && <p className="muted">No forms yet: apply a stack that declares one (e.g. examples/string-pipeline/stack.yaml).</p>}
      <nav className="tabs" aria-label="Forms">
        {forms.map((f) => (
          <Link key={f.name} to={`/forms/${enc(f.name)}`} className={f === form ? 'active' : ''}>
            {f.title ?? f.name}
          </Link>
        ))}
      </nav>
      {form && <FormView key={form.name} form={form} />}
    </section>
  );
}

/** The server's own check (src/stack/forms.ts), on what the field holds: one rule set for both. */
export function checkField(field: FormField, raw: string): string | undefined {
  const value = raw.trim();
  if (value === '') return field.required && field.default === undefined ? 'is required' : undefined;
  return checkValue(field, value);
}

function FormView({ form }: { form: Form }) {
  const entries = Object.entries(form.fields);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(entries.map(([name, f]) => [name, f.default === undefined ? '' : String(f.default)])));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  useEffect(() => setServerErrors({}), [values]);
  const errors = Object.fromEntries(entries.map(([name, f]) => [name, f.type === 'boolean' ? undefined : checkField(f, values[name] ?? '')]));
  const valid = Object.values(errors).every((e) => e === undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(Object.fromEntries(entries.map(([name]) => [name, true])));
    if (!valid) return;
    const body: Record<string, unknown> = {};
    for (const [name, f] of entries) {
      const raw = (values[name] ?? '').trim();
      if (raw === '') continue;
      body[name] = f.type === 'integer' || f.type === 'number' ? Number(raw) : f.type === 'boolean' ? raw === 'true' : raw;
    }
    setBusy(true);
    setError(undefined);
    api<{ id: string }>('POST', `/api/v1/forms/${enc(form.name)}/submit`, { values: body })
      .then((started) => navigate(`/executions/${enc(started.id)}`))
      .catch((err: Error) => {
        const fields = err instanceof ApiError ? (err.details as { fields?: Record<string, string> } | undefined)?.fields : undefined;
        if (fields) setServerErrors(fields);
        setError(err);
      })
      .finally(() => setBusy(false));
  };
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby={`form-${form.name}`}>
      <h2 id={`form-${form.name}`}>{form.title ?? form.name}</h2>
      {form.description && <p>{form.description}</p>}
      <p className="muted">
        Starts <Link to={`/state-machines/${enc(form.stateMachine)}`}>{form.stateMachine}</Link> (stack {form.stack}).
      </p>
      {entries.map(([name, f]) => {
        const message = serverErrors[name] ?? (touched[name] ? errors[name] : undefined);
        const id = `field-${name}`;
        return (
          <div className="field" key={name}>
            <label htmlFor={id}>
              {f.label ?? name} <code>{name}</code>
              {f.required ? ' (required)' : ''}
            </label>
            {f.type === 'boolean' ? (
              <select id={id} value={values[name] ?? ''} onChange={(e) => setValues({ ...values, [name]: e.target.value })}>
                <option value="">(default)</option>
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
            ) : (
              <input
                id={id}
                name={name}
                type={f.type === 'string' ? 'text' : 'number'}
                inputMode={f.type === 'string' ? undefined : 'numeric'}
                value={values[name] ?? ''}
                required={f.required === true}
                aria-invalid={message !== undefined}
                aria-describedby={message ? `${id}-error` : undefined}
                {...(f.min !== undefined && f.type !== 'string' ? { min: f.min } : {})}
                {...(f.max !== undefined && f.type !== 'string' ? { max: f.max } : {})}
                onChange={(e) => setValues({ ...values, [name]: e.target.value })}
                onBlur={() => setTouched({ ...touched, [name]: true })}
              />
            )}
            {message && (
              <span className="field-error" id={`${id}-error`} role="alert">
                {message}
              </span>
            )}
          </div>
        );
      })}
      <button type="submit" disabled={busy}>
        Start execution
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
