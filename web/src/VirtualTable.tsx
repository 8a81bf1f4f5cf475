/*
 * A table whose rows are rendered only while visible, so 10,000 rows cost what a screenful
 * does. Rows are fixed height; the header stays outside the scrolling area.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';

export interface Column<T> {
  header: string;
  width: string;
  cell: (row: T) => ReactNode;
}

const ROW_HEIGHT = 34;

export function VirtualTable<T>({ rows, columns, rowKey, label, height = 480, onEnd }: { rows: T[]; columns: Column<T>[]; rowKey: (row: T) => string; label: string; height?: number; onEnd?: () => void }) {
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => parent.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1];
  if (onEnd && last && last.index >= rows.length - 5) queueMicrotask(onEnd);
  const template = columns.map((c) => c.width).join(' ');
  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={rows.length}>
      <div className="vrow vhead" role="row" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div role="columnheader" key={c.header}>
            {c.header}
          </div>
        ))}
      </div>
      <div ref={parent} className="vbody" role="rowgroup" style={{ maxHeight: height }} tabIndex={0} aria-label={`${label} rows`}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = rows[item.index] as T;
            return (
              <div key={rowKey(row)} className="vrow" role="row" aria-rowindex={item.index + 1} style={{ gridTemplateColumns: template, position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}>
                {columns.map((c) => (
                  <div role="cell" key={c.header}>
                    {c.cell(row)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
