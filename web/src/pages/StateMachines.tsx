import { useMemo, useState, type FormEvent } from 'react';
import { stringify } from 'yaml';
import { api, enc, get } from '../api';
import { ErrorBox, Link, Loading, time } from '../common';
import { StateGraph } from '../graph';
import { useLive } from '../live';
import { navigate } from '../router';

interface Summary {
  name: string;
  revision: number;
  updatedAt: string;
}
interface Machine extends Summary {
  stateMachineArn: string;
  definition: unknown;
}

export function StateMachinesPage() {
  const { data, error } = useLive(() => get<{ items: Summary[] }>('/api/v1/state-machines?limit=1000'), [], ['stateMachines']);
  return (
    <section>
      <h1>State machines</h1>
      <ErrorBox error={error} />
      {!data ? (
        <Loading />
      ) : (
        <table>
          <thead>
            <tr><th>Name</th><th>Revision</th><th>Updated</th></tr>
          </thead>
          <tbody>
            {data.items.map((m) => (
              <tr key={m.name}>
                <td><Link to={`/state-machines/${enc(m.name)}`}>{m.name}</Link></td>
                <td>{m.revision}</td>
                <td>{time(m.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function StateMachinePage({ name }: { name: string }) {
  const [revision, setRevision] = useState<number>();
  const [format, setFormat] = useState<'graph' | 'json' | 'yaml'>('graph');
  const { data, error } = useLive(
    async () => {
      const [machine, revisions] = await Promise.all([
        get<Machine>(`/api/v1/state-machines/${enc(name)}${revision === undefined ? '' : `?revision=${revision}`}`),
        get<{ items?: { revision: number; createdAt: string }[] } | { revision: number; createdAt: string }[]>(`/api/v1/state-machines/${enc(name)}/revisions`),
      ]);
      return { machine, revisions: Array.isArray(revisions) ? revisions : (revisions.items ?? []) };
    },
    [name, revision],
    ['stateMachines'],
  );
  const text = useMemo(() => (data ? (format === 'yaml' ? stringify(data.machine.definition) : JSON.stringify(data.machine.definition, null, 2)) : ''), [data, format]);
  if (!data) return error ? <ErrorBox error={error} /> : <Loading />;
  return (
    <section>
      <h1>State machine {data.machine.name}</h1>
      <p className="muted">
        {data.machine.stateMachineArn} · <Link to={`/executions?stateMachine=${enc(name)}`}>executions</Link>
      </p>
      <div className="filters">
        <label>
          Revision
          <select value={revision ?? data.machine.revision} onChange={(e) => setRevision(Number(e.target.value))}>
            {data.revisions.map((r) => (
              <option key={r.revision} value={r.revision}>{`${r.revision} (${time(r.createdAt)})`}</option>
            ))}
          </select>
        </label>
        <fieldset className="segmented">
          <legend>Show as</legend>
          {(['graph', 'json', 'yaml'] as const).map((f) => (
            <label key={f}>
              <input type="radio" name="format" value={f} checked={format === f} onChange={() => setFormat(f)} /> {f.toUpperCase()}
            </label>
          ))}
        </fieldset>
      </div>
      {format === 'graph' ? <StateGraph definition={data.machine.definition} /> : <pre className="json" aria-label={`Definition as ${format}`} tabIndex={0}>{text}</pre>}
      <StartExecution name={name} />
    </section>
  );
}

function StartExecution({ name }: { name: string }) {
  const [input, setInput] = useState('{}');
  const [executionName, setExecutionName] = useState('');
  const [error, setError] = useState<Error>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (err) {
      setError(new Error(`the input is not JSON: ${(err as Error).message}`));
      return;
    }
    api<{ id: string }>('POST', '/api/v1/executions', { stateMachine: name, input: parsed, ...(executionName ? { name: executionName } : {}) }).then(
      (e) => navigate(`/executions/${enc(e.id)}`),
      (err: Error) => setError(err),
    );
  };
  return (
    <form className="form" onSubmit={submit}>
      <h2>Start an execution</h2>
      <div className="field">
        <label htmlFor="exec-name">Name (optional; a second start with the same name returns the first)</label>
        <input id="exec-name" value={executionName} onChange={(e) => setExecutionName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="exec-input">Input (JSON)</label>
        <textarea id="exec-input" rows={6} value={input} onChange={(e) => setInput(e.target.value)} />
      </div>
      <button type="submit">Start</button>
      <ErrorBox error={error} />
    </form>
  );
}
