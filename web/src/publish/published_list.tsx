// The published data list (/published): records of datasets published under a DOI, newest
// first, with their state. The API decides what each visitor sees: public, registered and
// amended records for everyone, and a signed-in user's own private records too.
import { api, qs } from "../api/client";
import { session } from "../api/session";
import type { PublishedRecord } from "../api/types";
import { ErrorMessage } from "../components/error_message";
import { date } from "../components/format";
import { Pager } from "../components/pager";
import { useApi } from "../components/use_api";
import { useObservable } from "../observable";
import { publishedUrl, useLocation } from "../router";

const PAGE = 25;

// What a record's state means to the people reading the list.
export const STATE_TEXT: Record<string, string> = {
  private: "draft, seen only by you",
  public: "public, DOI not registered yet",
  registered: "DOI registered",
  amended: "DOI registered, being amended",
};

export function PublishedList() {
  const user = useObservable(session);
  const loc = useLocation();
  const page = Math.max(1, Number(loc.search.get("page")) || 1);
  const text = loc.search.get("q") ?? "";
  const where = text ? { title: { $regex: text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), $options: "i" } } : undefined;
  const filter = { where, limits: { skip: (page - 1) * PAGE, limit: PAGE, order: "createdAt:desc" } };
  const list = useApi((signal) => api<PublishedRecord[]>("/api/v4/publisheddata" + qs({ filter }), { signal }), [page, text, user?.token]);
  const count = useApi((signal) => api<{ count: number }>("/api/v4/publisheddata/count" + qs({ filter: { where } }), { signal }), [text, user?.token]);
  const hrefFor = (p: number) => "/published" + qs({ q: text || undefined, page: p > 1 ? String(p) : undefined });

  return (
    <div>
      <h1>Published data</h1>
      <p class="muted">
        Datasets published under a DOI, newest first. {user ? "Your drafts are listed too; nobody else sees them." : ""}
      </p>
      <form role="search" method="get" action="/published">
        <label for="published-q">Title contains</label> <input id="published-q" name="q" type="search" defaultValue={text} />{" "}
        <button type="submit">Search</button>
      </form>
      {list.error ? <ErrorMessage error={list.error} what="published data list" /> : null}
      {count.data && <p id="published-count">{count.data.count.toLocaleString("en")} records</p>}
      {list.loading && !list.data && <p class="loading">Loading…</p>}
      {list.data && list.data.length === 0 && <p>Nothing {text ? "matches" : "is published yet"}.</p>}
      <ul class="published">
        {(list.data ?? []).map((r) => (
          <li key={r.doi}>
            <h2 class="h3"><a href={publishedUrl(r.doi)}>{r.title || r.doi}</a></h2>
            <p class="meta">
              <span>DOI <code>{r.doi}</code></span>
              <span class={`state state-${r.status}`}>{STATE_TEXT[r.status] ?? r.status}</span>
              <span>{(r.datasetPids ?? []).length} datasets</span>
              <span>{r.registeredTime ? "registered " + date(r.registeredTime) : "created " + date(r.createdAt)}</span>
            </p>
          </li>
        ))}
      </ul>
      <Pager page={page} pageSize={PAGE} total={count.data?.count} hrefFor={hrefFor} label="Published data pages" />
    </div>
  );
}
