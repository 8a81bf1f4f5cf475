import { useCallback, useState } from 'react';
import { enc, get, query } from '../api';
import { ErrorBox, Link, Progress, Status, time, StatusFilter } from '../common';
import { useLive } from '../live';
import { navigate, useLocation } from '../router';
import { VirtualTable } from '../VirtualTable';

interface JobSummary {
  jobId: string;
  jobName: string;
  jobQueue: string;
  status: string;
  statusReason?: string;
  createdAt: number;
  arrayProperties?: { size?: number; index?: number };
  progress?: { percent: number };
}
interface Page {
  items: JobSummary[];
  nextToken?: string;
}

const STATUSES = ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'];

/**
 * An array job's children by status. Rows render only while in view (VirtualTable), so this
 * asks for the few array jobs on screen, not for every one in the list.
 */
function ArrayCounts({ jobId, size }: { jobId: string; size: number }) {
  const { data } = useLive(() => get<{ arrayProperties?: { statusSummary?: Record<string, number> } }>(`/api/v1/jobs/${enc(jobId)}`), [jobId], ['jobs']);
  const summary = data?.arrayProperties?.statusSummary;
  if (!summary) return <span>{size} children</span>;
  return (
    <span title={`${size} children`}>
      {Object.entries(summary)
        .filter(([, n]) => n > 0)
        .map(([status, n]) => `${n} ${status.toLowerCase()}`)
        .join(', ')}
    </span>
  );
}

/** Jobs by queue and status (server-side pages, fetched as the list scrolls), or an execution's jobs. */
export function JobsPage() {
  const { search } = useLocation();
  const [queue, setQueue] = useState(search.get('queue') ?? '');
  const [status, setStatus] = useState(search.get('status') ?? '');
  const [execution, setExecution] = useState(search.get('execution') ?? '');
  // The pages fetched by scrolling, for the filters they were fetched with. A live reload of the
  // first page keeps them (a busy cluster changes every second: resetting would throw the reader
  // back to the top each time); new filters drop them.
  const filters = `${queue}\n${status}\n${execution}`;
  const [extra, setExtra] = useState<{ filters: string; items: JobSummary[]; nextToken?: string | undefined }>({ filters, items: [] });
  const first = useLive(
    async (): Promise<Page> => {
      if (execution !== '') {
        const { items } = await get<Page>(`/api/v1/executions/${enc(execution)}/jobs`);
        setExtra({ filters, items: [] });
        return { items: items.filter((j) => (status === '' || j.status === status) && (queue === '' || j.jobQueue === queue)) };
      }
      const page = await get<Page>(`/api/v1/jobs${query({ queue, status, limit: 500 })}`);
      setExtra((prev) => (prev.filters === filters && prev.items.length > 0 ? prev : { filters, items: [], nextToken: page.nextToken }));
      return page;
    },
    [queue, status, execution],
    ['jobs'],
  );
  const [loading, setLoading] = useState(false);
  const more = useCallback(() => {
    if (extra.nextToken === undefined || loading) return;
    setLoading(true);
    void get<Page>(`/api/v1/jobs${query({ queue, status, limit: 500, nextToken: extra.nextToken })}`)
      .then((page) => setExtra((prev) => ({ filters: prev.filters, items: [...prev.items, ...page.items], nextToken: page.nextToken })))
      .finally(() => setLoading(false));
  }, [extra.nextToken, loading, queue, status]);
  const firstItems = first.data?.items ?? [];
  // Jobs submitted since the extra pages were fetched push older ones from the first page into them.
  const onFirst = new Set(firstItems.map((j) => j.jobId));
  const rows = [...firstItems, ...(extra.filters === filters ? extra.items.filter((j) => !onFirst.has(j.jobId)) : [])];
  return (
    <section>
      <h1>Jobs</h1>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); navigate(`/jobs${query({ queue, status, execution })}`); }}>
        <label>
          Queue
          <input value={queue} onChange={(e) => setQueue(e.target.value)} placeholder="any" />
        </label>
        <StatusFilter value={status} statuses={STATUSES} onChange={setStatus} />
        <label>
          Execution
          <input value={execution} onChange={(e) => setExecution(e.target.value)} placeholder="any (id or ARN)" />
        </label>
      </form>
      <ErrorBox error={first.error} />
      <VirtualTable
        label="Jobs"
        rows={rows}
        rowKey={(r) => r.jobId}
        onEnd={more}
        height={560}
        columns={[
          { header: 'Name', width: '2fr', cell: (r) => <Link to={`/jobs/${enc(r.jobId)}`}>{r.jobName}</Link> },
          { header: 'Queue', width: '1fr', cell: (r) => r.jobQueue },
          { header: 'Status', width: '1fr', cell: (r) => <Status value={r.status} /> },
          { header: 'Array children', width: '1.4fr', cell: (r) => (r.arrayProperties?.size !== undefined ? <ArrayCounts jobId={r.jobId} size={r.arrayProperties.size} /> : '') },
          { header: 'Progress', width: '1fr', cell: (r) => (r.progress ? <Progress percent={r.progress.percent} label={`Progress of ${r.jobName}`} /> : '') },
          { header: 'Created', width: '1.3fr', cell: (r) => time(r.createdAt) },
        ]}
      />
    </section>
  );
}
