/*
 * Buckets and objects: browse by prefix, upload by drag and drop (or a file picker),
 * download, storage class and restore status, the bucket's lifecycle rules.
 */
import { useCallback, useState, type DragEvent } from 'react';
import { enc, get, objectUrl, putObject, query } from '../api';
import { ErrorBox, Link, Loading, bytes, time } from '../common';
import { useLive } from '../live';
import { useLocation } from '../router';
import { VirtualTable } from '../VirtualTable';

interface ObjectInfo {
  key: string;
  size: number;
  lastModified: string;
  storageClass: string;
  restore?: { ongoing: boolean; expiresAt?: string };
}
interface Listing {
  items: ObjectInfo[];
  commonPrefixes: string[];
  nextToken?: string;
}

export function ObjectsPage() {
  const { path } = useLocation();
  const rest = path.slice('/objects'.length).replace(/^\//, '');
  const slash = rest.indexOf('/');
  const bucket = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).split('/').map(decodeURIComponent).join('/');
  const buckets = useLive(() => get<{ items: { name: string }[] }>('/api/v1/buckets'), [], ['objects']);
  return (
    <section>
      <h1>Objects</h1>
      <ErrorBox error={buckets.error} />
      <nav className="tabs" aria-label="Buckets">
        {(buckets.data?.items ?? []).map((b) => (
          <Link key={b.name} to={`/objects/${enc(b.name)}`} className={b.name === bucket ? 'active' : ''}>
            {b.name}
          </Link>
        ))}
      </nav>
      {bucket === '' ? <p className="muted">Choose a bucket.</p> : <BucketView key={bucket} bucket={bucket} prefix={prefix} />}
    </section>
  );
}

const prefixPath = (bucket: string, prefix: string) => `/objects/${enc(bucket)}/${prefix.split('/').map(enc).join('/')}`;

function BucketView({ bucket, prefix }: { bucket: string; prefix: string }) {
  const listing = useLive(() => get<Listing>(`/api/v1/buckets/${enc(bucket)}/objects${query({ prefix, delimiter: '/', limit: 1000 })}`), [bucket, prefix], ['objects']);
  const lifecycle = useLive(() => get<{ rules: unknown[] }>(`/api/v1/buckets/${enc(bucket)}/lifecycle`).catch(() => ({ rules: [] })), [bucket], []);
  const [uploading, setUploading] = useState<string>();
  const [error, setError] = useState<Error>();
  const [over, setOver] = useState(false);
  const upload = useCallback(
    async (files: FileList | null) => {
      if (!files) return;
      setError(undefined);
      try {
        for (const file of Array.from(files)) {
          setUploading(file.name);
          await putObject(bucket, `${prefix}${file.name}`, file);
        }
      } catch (err) {
        setError(err as Error);
      } finally {
        setUploading(undefined);
        listing.reload();
      }
    },
    [bucket, prefix, listing],
  );
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    void upload(event.dataTransfer.files);
  };
  const crumbs = prefix.split('/').filter(Boolean);
  const rows: ({ kind: 'prefix'; key: string } | ({ kind: 'object' } & ObjectInfo))[] = [
    ...(listing.data?.commonPrefixes ?? []).map((p) => ({ kind: 'prefix' as const, key: p })),
    ...(listing.data?.items ?? []).map((o) => ({ kind: 'object' as const, ...o })),
  ];
  return (
    <>
      <p className="crumbs">
        <Link to={`/objects/${enc(bucket)}`}>{bucket}</Link>
        {crumbs.map((c, i) => (
          <span key={i}>
            {' / '}
            <Link to={prefixPath(bucket, `${crumbs.slice(0, i + 1).join('/')}/`)}>{c}</Link>
          </span>
        ))}
      </p>
      <div className={`dropzone${over ? ' over' : ''}`} data-testid="dropzone" onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={onDrop}>
        <label htmlFor="upload">Drop files here to upload them to {bucket}/{prefix}, or choose files:</label>
        <input id="upload" type="file" multiple onChange={(e) => void upload(e.target.files)} />
        {uploading && <p className="muted">Uploading {uploading}…</p>}
      </div>
      <ErrorBox error={error ?? listing.error} />
      {!listing.data ? (
        <Loading />
      ) : (
        <VirtualTable
          label={`Objects in ${bucket}/${prefix}`}
          rows={rows}
          rowKey={(r) => `${r.kind}:${r.key}`}
          columns={[
            { header: 'Key', width: '3fr', cell: (r) => (r.kind === 'prefix' ? <Link to={prefixPath(bucket, r.key)}>{r.key.slice(prefix.length)}</Link> : <span className="object-key">{r.key.slice(prefix.length)}</span>) },
            { header: 'Size', width: '1fr', cell: (r) => (r.kind === 'object' ? bytes(r.size) : '') },
            { header: 'Storage class', width: '1.2fr', cell: (r) => (r.kind === 'object' ? r.storageClass : '') },
            { header: 'Restore', width: '1.2fr', cell: (r) => (r.kind === 'object' && r.restore ? (r.restore.ongoing ? 'in progress' : `restored until ${time(r.restore.expiresAt)}`) : '') },
            { header: 'Modified', width: '1.4fr', cell: (r) => (r.kind === 'object' ? time(r.lastModified) : '') },
            { header: 'Download', width: '1fr', cell: (r) => (r.kind === 'object' ? <a href={objectUrl(bucket, r.key)} download={r.key.split('/').pop()} aria-label={`Download ${r.key}`}>Download</a> : '') },
          ]}
        />
      )}
      <h2>Lifecycle rules</h2>
      {lifecycle.data && lifecycle.data.rules.length > 0 ? <pre className="json" aria-label="Lifecycle rules" tabIndex={0}>{JSON.stringify(lifecycle.data.rules, null, 2)}</pre> : <p className="muted">None.</p>}
    </>
  );
}
