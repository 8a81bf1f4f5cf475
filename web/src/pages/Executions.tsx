import { useState } from 'react';
import { get, query } from '../api';
import { ErrorBox, Link, Status, time, StatusFilter } from '../common';
import { usePagedList, type Page } from '../paged';
import { useLocation } from '../router';
import { VirtualTable } from '../VirtualTable';

interface ExecutionSummary {
  id: string;
  name: string;
  stateMachine: string;
  status: string;
  startDate: string;
  stopDate?: string;
}

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

export function ExecutionsPage() {
  const { search } = useLocation();
  const [status, setStatus] = useState('');
  const [stateMachine, setStateMachine] = useState(search.get('stateMachine') ?? '');
  const { rows, error, more } = usePagedList(
    (nextToken) => get<Page<ExecutionSummary>>(`/api/v1/executions${query({ status, stateMachine, limit: 200, nextToken })}`),
    (r) => r.id,
    [status, stateMachine],
    ['executions'],
  );
  return (
    <section>
      <h1>Executions</h1>
      <div className="filters">
        <StatusFilter value={status} statuses={STATUSES} onChange={setStatus} />
        <label>
          State machine
          <input value={stateMachine} onChange={(e) => setStateMachine(e.target.value)} placeholder="any" />
        </label>
      </div>
      <ErrorBox error={error} />
      <VirtualTable
        label="Executions"
        rows={rows}
        rowKey={(r) => r.id}
        onEnd={more}
        columns={[
          { header: 'Name', width: '2fr', cell: (r) => <Link to={`/executions/${encodeURIComponent(r.id)}`}>{r.name}</Link> },
          { header: 'State machine', width: '1.5fr', cell: (r) => r.stateMachine },
          { header: 'Status', width: '1fr', cell: (r) => <Status value={r.status} /> },
          { header: 'Started', width: '1.4fr', cell: (r) => time(r.startDate) },
          { header: 'Stopped', width: '1.4fr', cell: (r) => time(r.stopDate) },
        ]}
      />
    </section>
  );
}
