/*
 * Live updates: one EventSource per tab on /api/v1/events; pages say which topics they show
 * and reload when one changes. Reloads are coalesced, so a burst of changes costs one fetch.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export type Topic = 'executions' | 'jobs' | 'deliveries' | 'objects' | 'stateMachines';

type Listener = (topics: Topic[]) => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;

const ALL_TOPICS: Topic[] = ['executions', 'jobs', 'deliveries', 'objects', 'stateMachines'];

function connect(): void {
  if (source) return;
  source = new EventSource('/api/v1/events');
  // The server watches for changes from `ready` on: what changed before (since the page's first
  // fetch, or while disconnected: a server restart, the network) was never announced.
  source.addEventListener('ready', () => {
    for (const listener of listeners) listener(ALL_TOPICS);
  });
  source.addEventListener('change', (event) => {
    const { topics } = JSON.parse((event as MessageEvent<string>).data) as { topics: Topic[] };
    for (const listener of listeners) listener(topics);
  });
}

export function onChange(listener: Listener): () => void {
  connect();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const COALESCE_MS = 300;

/**
 * Loads data with `load`, again whenever `deps` change or one of `topics` changes on the
 * server. Keeps showing the previous data while reloading.
 */
export function useLive<T>(load: () => Promise<T>, deps: unknown[], topics: Topic[]): { data: T | undefined; error: Error | undefined; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    loadRef.current().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
      },
      (err: unknown) => {
        if (mine === generation.current) setError(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }, []);
  useEffect(reload, deps);
  const topicKey = topics.join(',');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = onChange((changed) => {
      if (!changed.some((t) => topicKey.split(',').includes(t)) || timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        reload();
      }, COALESCE_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [topicKey, reload]);
  return { data, error, reload };
}
