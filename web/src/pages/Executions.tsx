import { useCallback, useState } from 'react';
import { get, query } from '../api';
import { ErrorBox, Link, Status, time, StatusFilter } from '../common';
import { useLive } from '../live';
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
interface Page<T> {
  items: T[];
  nextToken?: string;
}

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

export function ExecutionsPage() {
  const { search } = useLocation();
  const [status, setStatus] = useState('');
  const [stateMachine, setStateMachine] = useState(search.get('stateMachine') ?? '');
  const [extra, setExtra] = useState<{ items: ExecutionSummary[]; nextToken?: string | undefined }>({ items: [] });
  const first = useLive(
    async () => {
      const page = await get<Page<ExecutionSummary>>(`/api/v1/executions${query({ status, stateMachine, limit: 200 })}`);
      setExtra({ items: [], nextToken: page.nextToken });
      return page;
    },
    [status, stateMachine],
    ['executions'],
  );
  const [loading, setLoading] = useState(false);
  const more = useCallback(() => {
    const token = extra.nextToken;
    if (token === undefined || loading) return;
    setLoading(true);
    void get<Page<ExecutionSummary>>(`/api/v1/executions${query({ status, stateMachine, limit: 200, nextToken: token })}`)
      .then((page) => setExtra((prev) => ({ items: [...prev.items, ...page.items], nextToken: page.nextToken })))
      .finally(() => setLoading(false));
  }, [extra.nextToken, loading, status, stateMachine]);
  const rows = [...(first.data?.items ?? []), ...extra.items];
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
      <ErrorBox error={first.error} />
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
