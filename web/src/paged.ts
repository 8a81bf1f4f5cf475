/*
 * A list the server returns a page at a time: the first page is live (fetched again when one
 * of `topics` changes), the next ones are fetched as the list is scrolled to its end (`more`).
 * A live reload keeps the pages already scrolled to: a busy cluster changes every second, and
 * dropping them would throw the reader back to the top each time. New filters (`deps`) drop them.
 */
import { useCallback, useRef, useState } from 'react';
import { useLive, type Topic } from './live';

export interface Page<T> {
  items: T[];
  nextToken?: string | undefined;
}

export function usePagedList<T>(fetchPage: (nextToken: string | undefined) => Promise<Page<T>>, keyOf: (item: T) => string, deps: unknown[], topics: Topic[]): { rows: T[]; error: Error | undefined; more: () => void } {
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const filters = JSON.stringify(deps);
  const [extra, setExtra] = useState<Page<T> & { filters: string }>({ filters, items: [] });
  const first = useLive(
    async () => {
      const page = await fetchRef.current(undefined);
      setExtra((prev) => (prev.filters === filters && prev.items.length > 0 ? prev : { filters, items: [], nextToken: page.nextToken }));
      return page;
    },
    deps,
    topics,
  );
  const [loading, setLoading] = useState(false);
  const more = useCallback(() => {
    if (extra.nextToken === undefined || loading) return;
    setLoading(true);
    void fetchRef
      .current(extra.nextToken)
      .then((page) => setExtra((prev) => (prev.filters === filters ? { filters, items: [...prev.items, ...page.items], nextToken: page.nextToken } : prev)))
      .finally(() => setLoading(false));
  }, [extra.nextToken, loading, filters]);
  const firstItems = first.data?.items ?? [];
  // Items added since the extra pages were fetched push older ones from the first page into them.
  const onFirst = new Set(firstItems.map(keyOf));
  const rows = [...firstItems, ...(extra.filters === filters ? extra.items.filter((item) => !onFirst.has(keyOf(item))) : [])];
  return { rows, error: first.error, more };
}
