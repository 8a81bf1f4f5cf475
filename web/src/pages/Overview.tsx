import { get } from '../api';
import { ErrorBox, Link, Loading, Status, time } from '../common';
import { useLive } from '../live';

interface Overview {
  executions: Record<string, number>;
  jobs: Record<string, number>;
  queues: { name: string; state: string; depth: Record<string, number> }[];
  computeEnvironments: { name: string; maxVcpus: number; busyVcpus: number; state: string }[];
  recentFailures: {
    executions: { id: string; name: string; stateMachine: string; stopDate?: string }[];
    jobs: { jobId: string; jobName: string; statusReason?: string; stoppedAt?: number }[];
  };
  throughput: { minute: string; executionsEnded: number; jobsSubmitted: number }[];
}

export function OverviewPage() {
  const { data, error } = useLive(() => get<Overview>('/api/v1/overview'), [], ['executions', 'jobs']);
  return (
    <section>
      <h1>Overview</h1>
      <ErrorBox error={error} />
      {!data ? (
        <Loading />
      ) : (
        <>
          <div className="cards">
            {(['RUNNING', 'FAILED', 'SUCCEEDED'] as const).map((status) => (
              <div className="card" key={status}>
                <div className="card-label">Executions {status.toLowerCase()}</div>
                <div className="card-value" data-testid={`executions-${status}`}>{data.executions[status] ?? 0}</div>
              </div>
            ))}
            {(['RUNNING', 'FAILED', 'SUCCEEDED'] as const).map((status) => (
              <div className="card" key={`job-${status}`}>
                <div className="card-label">Jobs {status.toLowerCase()}</div>
                <div className="card-value">{data.jobs[status] ?? 0}</div>
              </div>
            ))}
          </div>
          <div className="columns">
            <div>
              <h2>Queue depth</h2>
              <table>
                <thead>
                  <tr><th>Queue</th><th>Submitted</th><th>Pending</th><th>Runnable</th><th>Starting</th><th>Running</th></tr>
                </thead>
                <tbody>
                  {data.queues.map((q) => (
                    <tr key={q.name}>
                      <td><Link to={`/jobs?queue=${encodeURIComponent(q.name)}`}>{q.name}</Link></td>
                      {['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'].map((s) => <td key={s}>{q.depth[s] ?? 0}</td>)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div>
              <h2>Busy vCPUs</h2>
              <table>
                <thead><tr><th>Compute environment</th><th>Busy</th><th>Max</th></tr></thead>
                <tbody>
                  {data.computeEnvironments.map((ce) => (
                    <tr key={ce.name}><td>{ce.name}</td><td>{ce.busyVcpus}</td><td>{ce.maxVcpus}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <h2>Throughput (last hour, per minute)</h2>
          <Chart points={data.throughput} />
          <h2>Recent failures</h2>
          <ul className="plain">
            {data.recentFailures.executions.map((e) => (
              <li key={e.id}><Status value="FAILED" /> execution <Link to={`/executions/${encodeURIComponent(e.id)}`}>{e.name}</Link> of {e.stateMachine} {time(e.stopDate)}</li>
            ))}
            {data.recentFailures.jobs.map((j) => (
              <li key={j.jobId}><Status value="FAILED" /> job <Link to={`/jobs/${encodeURIComponent(j.jobId)}`}>{j.jobName}</Link> {j.statusReason ?? ''} {time(j.stoppedAt)}</li>
            ))}
            {data.recentFailures.executions.length + data.recentFailures.jobs.length === 0 && <li className="muted">None.</li>}
          </ul>
        </>
      )}
    </section>
  );
}

/** Two series as bars in one SVG: no chart library for two dozen bars. */
function Chart({ points }: { points: Overview['throughput'] }) {
  const max = Math.max(1, ...points.map((p) => Math.max(p.executionsEnded, p.jobsSubmitted)));
  const width = 720;
  const height = 120;
  const step = width / Math.max(1, points.length);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height + 16}`} role="img" aria-label="Executions ended and jobs submitted per minute over the last hour">
        {points.map((p, i) => {
          const jh = (p.jobsSubmitted / max) * height;
          const eh = (p.executionsEnded / max) * height;
          return (
            <g key={p.minute}>
              <rect x={i * step + 1} y={height - jh} width={step / 2 - 1} height={jh} className="bar-jobs"><title>{`${p.minute}: ${p.jobsSubmitted} jobs submitted`}</title></rect>
              <rect x={i * step + step / 2} y={height - eh} width={step / 2 - 1} height={eh} className="bar-executions"><title>{`${p.minute}: ${p.executionsEnded} executions ended`}</title></rect>
            </g>
          );
        })}
        <text x={0} y={height + 14} className="axis">{points[0]?.minute.slice(11) ?? ''}</text>
        <text x={width} y={height + 14} textAnchor="end" className="axis">{points[points.length - 1]?.minute.slice(11) ?? ''}</text>
      </svg>
      <figcaption><span className="key bar-jobs" /> jobs submitted <span className="key bar-executions" /> executions ended (max {max}/min)</figcaption>
    </figure>
  );
}
