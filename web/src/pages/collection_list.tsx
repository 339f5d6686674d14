// A list page of one collection (proposals, samples, instruments): a table, an optional
// text filter, and paging, all in the URL.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Doc } from "../api/types";
import { ErrorMessage } from "../components/error_message";
import { Pager } from "../components/pager";
import { useApi } from "../components/use_api";
import { navigate, useLocation } from "../router";

export interface Column {
  label: string;
  cell: (d: Doc) => ComponentChildren;
}

export interface Page {
  items: Doc[];
  total?: number;
}

interface Props {
  title: string;
  what: string;
  columns: Column[];
  load: (skip: number, limit: number, text: string, signal: AbortSignal) => Promise<Page>;
  searchable?: boolean;
  intro?: ComponentChildren;
}

const PAGE = 25;

export function CollectionList({ title, what, columns, load, searchable, intro }: Props) {
  const loc = useLocation();
  const text = loc.search.get("q") ?? "";
  const page = Math.max(1, Number(loc.search.get("page")) || 1);
  const [draft, setDraft] = useState(text);
  useEffect(() => setDraft(text), [text]);
  const data = useApi((signal) => load((page - 1) * PAGE, PAGE, text, signal), [loc.path, text, page]);
  const href = (p: number, q = text) => {
    const s = new URLSearchParams();
    if (q) s.set("q", q);
    if (p > 1) s.set("page", String(p));
    return loc.path + (s.toString() ? "?" + s.toString() : "");
  };
  const total = data.data?.total ?? (data.data && data.data.items.length < PAGE ? (page - 1) * PAGE + data.data.items.length : undefined);
  return (
    <div>
      <h1>{title}</h1>
      {intro}
      {searchable && (
        <form role="search" class="inline" onSubmit={(e) => { e.preventDefault(); navigate(href(1, draft)); }}>
          <label for="list-q">Search {title.toLowerCase()}</label>
          <input id="list-q" type="search" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
          <button type="submit">Search</button>
        </form>
      )}
      {data.error ? <ErrorMessage error={data.error} what={what} /> : null}
      {data.data && data.data.items.length === 0 && <p>No {title.toLowerCase()} to show{text ? ` for “${text}”` : ""}.</p>}
      {data.data && data.data.items.length > 0 && (
        <div class="table-scroll">
          <table class="list">
            <caption class="visually-hidden">{title}, page {page}</caption>
            <thead><tr>{columns.map((c) => <th scope="col" key={c.label}>{c.label}</th>)}</tr></thead>
            <tbody>
              {data.data.items.map((d, i) => <tr key={i}>{columns.map((c) => <td key={c.label}>{c.cell(d)}</td>)}</tr>)}
            </tbody>
          </table>
        </div>
      )}
      {!data.data && data.loading && <p class="loading">Loading…</p>}
      <Pager page={page} pageSize={PAGE} total={total} hrefFor={(p) => href(p)} label={`${title} pages`} />
    </div>
  );
}
