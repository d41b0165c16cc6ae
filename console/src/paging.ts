import { useCallback, useEffect, useState } from 'react';
import type { Page } from './api';

/**
 * Pages through a list with the API's opaque cursors: page 1 has no cursor, page n+1 the
 * `nextCursor` of page n. Cloudscape's open-ended pagination shows "more" while there is one.
 */
export function useCursorPages<T>(load: (cursor?: string) => Promise<Page<T>>, key: string) {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [pageIndex, setPageIndex] = useState(0);
  const [items, setItems] = useState<T[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const [generation, setGeneration] = useState(0);

  // A new query (filters changed) starts again at page 1.
  // biome-ignore lint/correctness/useExhaustiveDependencies: key names the query
  useEffect(() => {
    setCursors([undefined]);
    setPageIndex(0);
  }, [key]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: load changes with key
  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    load(cursors[pageIndex]).then(
      (page) => {
        if (!current) return;
        setItems(page.items);
        setNextCursor(page.nextCursor);
        setCursors((known) => (page.nextCursor && known.length === pageIndex + 1 ? [...known, page.nextCursor] : known));
        setLoading(false);
      },
      (failure) => {
        if (!current) return;
        setItems([]);
        setNextCursor(null);
        setError(failure);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [key, pageIndex, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return {
    items,
    loading,
    error,
    currentPageIndex: pageIndex + 1,
    pagesCount: Math.max(cursors.length, pageIndex + 1),
    openEnd: nextCursor !== null,
    goTo: (pageNumber: number) => setPageIndex(Math.min(Math.max(pageNumber - 1, 0), cursors.length - 1)),
    reload,
  };
}
