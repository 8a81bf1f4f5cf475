import { useState } from 'react';
import { enc, get, query } from '../api';
import { ErrorBox, Link, Progress, Status, time, StatusFilter } from '../common';
import { useLive } from '../live';
import { usePagedList, type Page } from '../paged';
import type { JobSummary } from '../../../src/batch/types.js';
import { navigate, useLocation } from '../router';
import { VirtualTable } from '../VirtualTable';

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
  const { rows, error, more } = usePagedList(
    async (nextToken): Promise<Page<JobSummary>> => {
      if (execution !== '') {
        // An execution's jobs come in one answer, filtered here.
        const { items } = await get<Page<JobSummary>>(`/api/v1/executions/${enc(execution)}/jobs`);
        return { items: items.filter((j) => (status === '' || j.status === status) && (queue === '' || j.jobQueue === queue)) };
      }
      return get<Page<JobSummary>>(`/api/v1/jobs${query({ queue, status, limit: 500, nextToken })}`);
    },
    (j) => j.jobId,
    [queue, status, execution],
    ['jobs'],
  );
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
      <ErrorBox error={error} />
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
