// Previous / next paging with the position; pages are links, so they are in the URL.
interface Props {
  page: number;
  pageSize: number;
  total: number | undefined;
  hrefFor: (page: number) => string;
  label: string;
}

export function Pager({ page, pageSize, total, hrefFor, label }: Props) {
  const last = total === undefined ? undefined : Math.max(1, Math.ceil(total / pageSize));
  const hasNext = last === undefined ? true : page < last;
  return (
    <nav class="pager" aria-label={label}>
      {page > 1 ? <a href={hrefFor(1)} aria-label="First page">«</a> : <span aria-hidden="true">«</span>}
      {page > 1 ? <a href={hrefFor(page - 1)} rel="prev">‹ Previous</a> : <span class="disabled">‹ Previous</span>}
      <span aria-current="page">
        Page {page}
        {last !== undefined && ` of ${last.toLocaleString("en")}`}
      </span>
      {hasNext ? <a href={hrefFor(page + 1)} rel="next">Next ›</a> : <span class="disabled">Next ›</span>}
      {last !== undefined && page < last ? <a href={hrefFor(last)} aria-label="Last page">»</a> : <span aria-hidden="true">»</span>}
    </nav>
  );
}
