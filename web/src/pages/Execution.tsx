/*
 * One execution: the graph with each state's status, the selected state's input and output,
 * Map iterations (progress, drill-down), the jobs it submitted and the event history.
 */
import { useMemo, useRef, useState } from 'react';
import { api, enc, get } from '../api';
import { ErrorBox, Json, Link, Loading, Progress, Status, time } from '../common';
import { StateGraph, type MapProgress } from '../graph';
import { analyse, eventDetails, iterationIO, type HistoryEvent, type StateStatus } from '../history';
import { useLive } from '../live';
import { VirtualTable } from '../VirtualTable';

interface Execution {
  id: string;
  executionArn: string;
  name: string;
  stateMachine: string;
  revision: number;
  status: string;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startDate: string;
  stopDate?: string;
  redriveCount: number;
}
interface JobRow {
  jobId: string;
  jobName: string;
  status: string;
  arrayProperties?: { size?: number; statusSummary?: Record<string, number> };
  progress?: { percent: number };
}

interface Loaded {
  execution: Execution;
  definition: unknown;
  events: HistoryEvent[];
}

/**
 * Loads the execution, and of its history only the events after those already loaded (the
 * history's page token is the last event id), so a long execution's page stays cheap to
 * refresh on every change. The definition is fetched again only for another revision.
 */
async function refresh(id: string, previous: Loaded | undefined): Promise<Loaded> {
  const execution = await get<Execution>(`/api/v1/executions/${enc(id)}`);
  const sameRevision = previous !== undefined && previous.execution.id === execution.id && previous.execution.revision === execution.revision;
  const [definition, events] = await Promise.all([
    sameRevision ? previous.definition : get<{ definition: unknown }>(`/api/v1/state-machines/${enc(execution.stateMachine)}?revision=${execution.revision}`).then((m) => m.definition),
    (async () => {
      const all: HistoryEvent[] = previous?.execution.id === execution.id ? [...previous.events] : [];
      let token: string | undefined = all.length > 0 ? String(all[all.length - 1]?.id) : undefined;
      for (;;) {
        const page = await get<{ items: HistoryEvent[]; nextToken?: string }>(`/api/v1/executions/${enc(id)}/history?limit=1000${token ? `&nextToken=${enc(token)}` : ''}`);
        all.push(...page.items);
        if (page.nextToken === undefined) return all;
        token = page.nextToken;
      }
    })(),
  ]);
  return { execution, definition, events };
}

const JOBS_SHOWN = 100;

export function ExecutionPage({ id }: { id: string }) {
  const loaded = useRef<Loaded | undefined>(undefined);
  const { data, error, reload } = useLive(
    async () => {
      loaded.current = await refresh(id, loaded.current);
      return loaded.current;
    },
    [id],
    ['executions'],
  );
  const jobs = useLive(() => get<{ items: JobRow[] }>(`/api/v1/executions/${enc(id)}/jobs?limit=${JOBS_SHOWN}`).then((r) => r.items), [id], ['jobs']);
  const [selected, setSelected] = useState<string>();
  const [iteration, setIteration] = useState<string>();
  const [typeFilter, setTypeFilter] = useState('');
  const [stateFilter, setStateFilter] = useState('');
  const [actionError, setActionError] = useState<Error>();
  const analysis = useMemo(() => (data ? analyse(data.events, data.execution.status) : undefined), [data]);
  if (!data || !analysis) return error ? <ErrorBox error={error} /> : <Loading />;
  const { execution, events } = data;
  const statuses = new Map<string, StateStatus>([...analysis.states].map(([name, view]) => [name, view.status]));
  const maps = new Map<string, MapProgress>(
    [...analysis.iterations].map(([name, group]) => {
      const all = [...group.values()];
      const count = (status: string) => all.filter((i) => i.status === status).length;
      return [name, { done: count('succeeded'), failed: count('failed') + count('aborted'), running: count('running'), total: all.length }];
    }),
  );
  const act = (action: 'stop' | 'redrive') => {
    setActionError(undefined);
    api('POST', `/api/v1/executions/${enc(execution.id)}/${action}`, action === 'stop' ? {} : undefined).then(reload, (err: Error) => setActionError(err));
  };
  const view = selected ? analysis.states.get(selected) : undefined;
  const mapIterations = selected ? analysis.iterations.get(selected) : undefined;
  const shown = events.filter(
    (e) =>
      (typeFilter === '' || e.type.toLowerCase().includes(typeFilter.toLowerCase())) &&
      (stateFilter === '' || analysis.stateOf.get(e.id) === stateFilter) &&
      (iteration === undefined || analysis.iterationOf.get(e.id) === iteration),
  );
  return (
    <section>
      <h1>
        Execution {execution.name} <Status value={execution.status} />
      </h1>
      <p className="muted">
        <Link to={`/state-machines/${enc(execution.stateMachine)}`}>{execution.stateMachine}</Link> revision {execution.revision} · started {time(execution.startDate)}
        {execution.stopDate ? ` · stopped ${time(execution.stopDate)}` : ''}
        {execution.redriveCount > 0 ? ` · redriven ${execution.redriveCount}×` : ''}
      </p>
      <div className="actions">
        <button type="button" onClick={() => act('stop')} disabled={execution.status !== 'RUNNING'}>
          Stop
        </button>
        <button type="button" onClick={() => act('redrive')} disabled={!['FAILED', 'TIMED_OUT', 'ABORTED'].includes(execution.status)}>
          Redrive
        </button>
      </div>
      <ErrorBox error={actionError ?? error} />
      {execution.error && (
        <p className="error">
          {execution.error}: {execution.cause}
        </p>
      )}
      <div className="columns">
        <StateGraph definition={data.definition} statuses={statuses} maps={maps} selected={selected} onSelect={(s) => { setSelected(s); setIteration(undefined); }} />
        <div className="state-panel">
          <label>
            State
            <select value={selected ?? ''} onChange={(e) => { setSelected(e.target.value || undefined); setIteration(undefined); }}>
              <option value="">(execution)</option>
              {[...analysis.states.keys()].map((name) => (
                <option key={name} value={name}>{name}</option>
              ))}
            </select>
          </label>
          {!selected ? (
            <>
              <h2>Input</h2>
              <Json value={execution.input} label="Execution input" />
              {execution.output !== undefined && (
                <>
                  <h2>Output</h2>
                  <Json value={execution.output} label="Execution output" />
                </>
              )}
            </>
          ) : (
            <>
              <h2>
                {selected} <Status value={view?.status ?? 'not-started'} />
              </h2>
              {view?.error && <p className="error">{view.error}: {view.cause}</p>}
              {mapIterations && <MapIterations name={selected} iterations={[...mapIterations.values()]} selected={iteration} onSelect={setIteration} />}
              {iteration && <IterationIO io={iterationIO(events, analysis, iteration)} name={iteration} />}
              <h3>Input</h3>
              {view?.input !== undefined ? <Json value={view.input} label={`Input of ${selected}`} /> : <p className="muted">Not entered yet.</p>}
              <h3>Output</h3>
              {view?.output !== undefined ? <Json value={view.output} label={`Output of ${selected}`} /> : <p className="muted">No output yet.</p>}
            </>
          )}
        </div>
      </div>
      {jobs.data && jobs.data.length > 0 && (
        <>
          <h2>Jobs</h2>
          {jobs.data.length === JOBS_SHOWN && (
            <p className="muted">
              The newest {JOBS_SHOWN}; <Link to={`/jobs?execution=${enc(execution.id)}`}>all of them</Link> on the jobs page.
            </p>
          )}
          <ul className="plain jobs-of-execution">
            {jobs.data.map((j) => (
              <li key={j.jobId}>
                <Status value={j.status} /> <Link to={`/jobs/${enc(j.jobId)}`}>{j.jobName}</Link>
                {j.arrayProperties?.statusSummary && ` (array of ${j.arrayProperties.size ?? 0}: ${Object.entries(j.arrayProperties.statusSummary).map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ')})`}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Event history{iteration ? ` of iteration ${iteration}` : ''}</h2>
      <div className="filters">
        <label>
          Event type contains
          <input value={typeFilter} onChange={(e) => setTypeFilter(e.target.value)} />
        </label>
        <label>
          State
          <select value={stateFilter} onChange={(e) => setStateFilter(e.target.value)}>
            <option value="">any</option>
            {[...analysis.states.keys()].map((name) => (
              <option key={name} value={name}>{name}</option>
            ))}
          </select>
        </label>
        {iteration && (
          <button type="button" onClick={() => setIteration(undefined)}>
            Show all iterations
          </button>
        )}
      </div>
      <VirtualTable
        label="Event history"
        rows={shown}
        rowKey={(e) => String(e.id)}
        columns={[
          { header: 'ID', width: '60px', cell: (e) => e.id },
          { header: 'Type', width: '1.3fr', cell: (e) => e.type },
          { header: 'State', width: '1fr', cell: (e) => analysis.stateOf.get(e.id) ?? '' },
          { header: 'Time', width: '1fr', cell: (e) => time(e.timestamp) },
          { header: 'Details', width: '3fr', cell: (e) => <span className="ellipsis" title={JSON.stringify(eventDetails(e))}>{JSON.stringify(eventDetails(e))}</span> },
        ]}
      />
    </section>
  );
}

function IterationIO({ io, name }: { io: { input?: string; output?: string }; name: string }) {
  return (
    <div data-testid="iteration-io">
      <h3>Iteration {name.split('#').pop()}: input</h3>
      {io.input !== undefined ? <Json value={io.input} label={`Input of iteration ${name}`} /> : <p className="muted">Not started.</p>}
      <h3>Iteration {name.split('#').pop()}: output</h3>
      {io.output !== undefined ? <Json value={io.output} label={`Output of iteration ${name}`} /> : <p className="muted">No output yet.</p>}
    </div>
  );
}

function MapIterations({ name, iterations, selected, onSelect }: { name: string; iterations: { index: number; status: string }[]; selected: string | undefined; onSelect: (key: string) => void }) {
  const count = (s: string) => iterations.filter((i) => i.status === s).length;
  const done = count('succeeded');
  const failed = count('failed') + count('aborted');
  const total = iterations.length;
  return (
    <div className="map-iterations" data-testid="map-iterations">
      <h3>Map iterations</h3>
      <p>
        <span data-testid="map-done">{done}</span> done, {failed} failed, {count('running')} running of {total}
      </p>
      <Progress percent={total === 0 ? 0 : ((done + failed) / total) * 100} label={`Iterations of ${name} finished`} />
      <VirtualTable
        label={`Iterations of ${name}`}
        height={200}
        rows={iterations.sort((a, b) => a.index - b.index)}
        rowKey={(i) => String(i.index)}
        columns={[
          { header: 'Index', width: '1fr', cell: (i) => (
            <button type="button" className={`link${selected === `${name}#${i.index}` ? ' active' : ''}`} onClick={() => onSelect(`${name}#${i.index}`)}>
              Iteration {i.index}
            </button>
          ) },
          { header: 'Status', width: '1fr', cell: (i) => <Status value={i.status} /> },
        ]}
      />
    </div>
  );
}
