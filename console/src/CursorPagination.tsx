import Pagination from '@cloudscape-design/components/pagination';
import type { useCursorPages } from './paging';

/** Cloudscape's open-ended pagination driven by the API's cursors (see useCursorPages). */
export function CursorPagination({
  pages,
}: {
  pages: Pick<ReturnType<typeof useCursorPages>, 'currentPageIndex' | 'pagesCount' | 'openEnd' | 'goTo'>;
}) {
  return (
    <Pagination
      currentPageIndex={pages.currentPageIndex}
      pagesCount={pages.pagesCount}
      openEnd={pages.openEnd}
      onChange={(event) => pages.goTo(event.detail.currentPageIndex)}
      ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }}
    />
  );
}
