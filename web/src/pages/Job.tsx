/*
 * One job: status, attempts with exit codes, progress, array children's counts, and its log,
 * streamed as the job writes it (GET /api/v1/jobs/:id/logs?follow=true).
 */
import { useEffect, useRef, useState } from 'react';
import { api, enc, get } from '../api';
import { ErrorBox, Link, Loading, Progress, Status, time } from '../common';
import { useLive } from '../live';
import type { JobDetail } from '../../../src/batch/types.js';

/** GET /api/v1/jobs/:id: AWS Batch's job description. */
type Job = JobDetail;

const MAX_LOG_CHARS = 2_000_000;

export function JobPage({ id }: { id: string }) {
  const { data: job, error, reload } = useLive(() => get<Job>(`/api/v1/jobs/${enc(id)}`), [id], ['jobs']);
  const [actionError, setActionError] = useState<Error>();
  if (!job) return error ? <ErrorBox error={error} /> : <Loading />;
  const live = !['SUCCEEDED', 'FAILED'].includes(job.status);
  const terminate = () => api('POST', `/api/v1/jobs/${enc(job.jobId)}/terminate`, {}).then(reload, (err: Error) => setActionError(err));
  const isParent = job.arrayProperties?.size !== undefined && job.arrayProperties.index === undefined;
  return (
    <section>
      <h1>
        Job {job.jobName} <Status value={job.status} />
      </h1>
      <p className="muted">
        {job.jobId} · queue <Link to={`/jobs?queue=${enc(job.jobQueue)}`}>{job.jobQueue}</Link> · {job.jobDefinition} · created {time(job.createdAt)}
      </p>
      {job.statusReason && <p>Status reason: {job.statusReason}</p>}
      {job.container.exitCode !== undefined && <p>Exit code: {job.container.exitCode}</p>}
      {job.progress && (
        <div>
          <Progress percent={job.progress.percent} label={`Progress of ${job.jobName}`} /> {job.progress.message}
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={() => void terminate()} disabled={!live}>
          Terminate
        </button>
      </div>
      <ErrorBox error={actionError} />
      {isParent && job.arrayProperties?.statusSummary && (
        <>
          <h2>Array children ({job.arrayProperties.size})</h2>
          <ul className="plain">
            {Object.entries(job.arrayProperties.statusSummary).map(([status, n]) => (
              <li key={status}>
                <Status value={status} /> {n}
              </li>
            ))}
          </ul>
          <p>
            {Array.from({ length: Math.min(job.arrayProperties.size ?? 0, 50) }, (_, i) => (
              <Link key={i} to={`/jobs/${enc(`${job.jobId}:${i}`)}`} className="chip">{`#${i}`}</Link>
            ))}
          </p>
        </>
      )}
      <h2>Attempts</h2>
      <table>
        <thead>
          <tr><th>#</th><th>Started</th><th>Stopped</th><th>Exit code</th><th>Reason</th></tr>
        </thead>
        <tbody>
          {job.attempts.map((a, i) => (
            <tr key={i}>
              <td>{i + 1}</td>
              <td>{time(a.startedAt)}</td>
              <td>{time(a.stoppedAt)}</td>
              <td>{a.container?.exitCode ?? ''}</td>
              <td>{a.statusReason ?? a.container?.reason ?? ''}</td>
            </tr>
          ))}
          {job.attempts.length === 0 && (
            <tr><td colSpan={5} className="muted">No attempt yet.</td></tr>
          )}
        </tbody>
      </table>
      {!isParent && <JobLog jobId={job.jobId} />}
    </section>
  );
}

function JobLog({ jobId }: { jobId: string }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<'streaming' | 'ended' | 'error'>('streaming');
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const abort = new AbortController();
    setText('');
    setState('streaming');
    (async () => {
      const response = await fetch(`/api/v1/jobs/${enc(jobId)}/logs?follow=true`, { signal: abort.signal, credentials: 'same-origin' });
      if (!response.ok || !response.body) throw new Error(`log: HTTP ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        // Only the tail of a huge log is kept: the page must stay responsive.
        setText((prev) => (prev + value).slice(-MAX_LOG_CHARS));
      }
      setState('ended');
    })().catch(() => {
      if (!abort.signal.aborted) setState('error');
    });
    return () => abort.abort();
  }, [jobId]);
  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <>
      <h2>
        Log <span className="muted">({state === 'streaming' ? 'live' : state === 'ended' ? 'complete' : 'unavailable'})</span>
      </h2>
      <pre ref={pre} className="log" data-testid="job-log" aria-label="Job log" tabIndex={0}>
        {text}
      </pre>
    </>
  );
}
