// The home page: text search, scientific conditions with units, facets with counts, sort and
// paging. The URL holds the whole query; every change is a navigation, so back/forward and
// bookmarks work. Typing never blocks: the URL (and so the search) follows the text box
// after a pause, and an older request is aborted when a newer one starts.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, qs } from "../api/client";
import type { Dataset, FacetResult } from "../api/types";
import { ErrorMessage } from "../components/error_message";
import { Pager } from "../components/pager";
import { useApi } from "../components/use_api";
import { navigate, useLocation } from "../router";
import { parseCondition, type ScientificCondition } from "./condition";
import { FacetPanel } from "./facet_panel";
import { metadataKeys } from "./metadata_keys";
import { FACETS, PAGE_SIZE, SORTS, fieldsOf, queryFromUrl, queryToUrl, type SearchQuery } from "./query";
import { ResultList } from "./result_list";

const TYPING_PAUSE_MS = 300;

// Conditions from the URL: canonical ones ("acquisition.pixel_size < 1.2 Å") parse without
// the key list; hand-typed ones ("pixel size < 1.2 Å") are resolved against it.
async function resolveConditions(texts: string[]): Promise<ScientificCondition[]> {
  const out: ScientificCondition[] = [];
  for (const t of texts) {
    let p = parseCondition(t, []);
    if (!p.ok) p = parseCondition(t, await metadataKeys());
    if (p.ok) out.push(p.condition);
  }
  return out;
}

// A request started now, its answer awaited later (by useApi), abortable when superseded.
function started<T>(load: (signal: AbortSignal) => Promise<T>): { promise: Promise<T>; abort: () => void } {
  const ctl = new AbortController();
  const promise = load(ctl.signal);
  promise.catch(() => undefined); // rejections are reported through useApi
  return { promise, abort: () => ctl.abort() };
}

const serverFacets = FACETS.map((f) => (f.key === "year" ? "creationTime" : f.key));

let firstResultsMarked = false;

export function SearchPage() {
  const loc = useLocation();
  const query = queryFromUrl(loc.search);
  const key = queryToUrl(query);
  // Facets and the total depend on the filters only, not on sort or page.
  const filterKey = JSON.stringify([query.text, query.facets, query.conditions]);

  // Both requests start during the render (not in an effect, one frame later): the first
  // results are what the home page is measured by (bench/portal).
  const resultsReq = useMemo(() => started(async (signal) => {
    const fields = fieldsOf(query, await resolveConditions(query.conditions));
    const limits = { skip: (query.page - 1) * PAGE_SIZE, limit: PAGE_SIZE, order: query.sort };
    return api<Dataset[]>("/api/v3/datasets/fullquery" + qs({ fields, limits }), { signal });
  }), [key]);
  const facetsReq = useMemo(() => started(async (signal) => {
    const fields = fieldsOf(query, await resolveConditions(query.conditions));
    const r = await api<FacetResult[]>("/api/v3/datasets/fullfacet" + qs({ fields, facets: serverFacets }), { signal });
    return r[0];
  }), [filterKey]);
  useEffect(() => () => resultsReq.abort(), [resultsReq]);
  useEffect(() => () => facetsReq.abort(), [facetsReq]);
  const results = useApi(() => resultsReq.promise, [resultsReq]);
  const facets = useApi(() => facetsReq.promise, [facetsReq]);

  // The benchmark's "first results visible" (bench/portal): the first results are in the
  // document; the browser paints them with its next frame.
  useLayoutEffect(() => {
    if (results.data && !firstResultsMarked) {
      firstResultsMarked = true;
      performance.mark("openem:first-results");
    }
  }, [results.data]);

  const total = facets.data?.all?.[0]?.totalSets;
  const go = (q: SearchQuery, replace = false) => navigate(queryToUrl(q), { replace });

  return (
    <div class="search-page">
      <h1 class="visually-hidden">Search datasets</h1>
      <SearchForm query={query} onSearch={go} />
      <div class="search-layout">
        <FacetPanel query={query} result={facets.data} />
        <section class="search-results" aria-labelledby="results-heading">
          <div class="results-bar">
            <h2 id="results-heading" role="status">
              {total === undefined ? "Datasets" : `${total.toLocaleString("en")} dataset${total === 1 ? "" : "s"}`}
            </h2>
            <label>
              Sort{" "}
              <select value={query.sort} onChange={(e) => go({ ...query, sort: e.currentTarget.value, page: 1 })}>
                {SORTS.map((s) => (
                  <option key={s.value} value={s.value}>{s.label}</option>
                ))}
              </select>
            </label>
          </div>
          {results.error ? <ErrorMessage error={results.error} what="search" /> : null}
          {facets.error && !results.error ? <ErrorMessage error={facets.error} what="search" /> : null}
          {results.data && results.data.length === 0 && (
            <p class="empty">No datasets match. Remove a filter or condition, or sign in to search your group's data.</p>
          )}
          {results.data && <ResultList datasets={results.data} />}
          {!results.data && results.loading && <p class="loading" aria-live="polite">Searching…</p>}
          <Pager page={query.page} pageSize={PAGE_SIZE} total={total} label="Result pages"
            hrefFor={(page) => queryToUrl({ ...query, page })} />
        </section>
      </div>
    </div>
  );
}

function SearchForm({ query, onSearch }: { query: SearchQuery; onSearch: (q: SearchQuery, replace?: boolean) => void }) {
  const [text, setText] = useState(query.text);
  const [cond, setCond] = useState("");
  const [condError, setCondError] = useState("");
  const timer = useRef<number | undefined>(undefined);
  const typing = useRef(false);

  // Back/forward or a facet click changed the query: show its text unless the user is typing.
  useEffect(() => {
    if (!typing.current) setText(query.text);
  }, [query.text]);

  const onInput = (value: string) => {
    setText(value);
    typing.current = true;
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      typing.current = false;
      onSearch({ ...query, text: value, page: 1 }, true);
    }, TYPING_PAUSE_MS);
  };

  const addCondition = async () => {
    const parsed = parseCondition(cond, await metadataKeys());
    if (!parsed.ok) {
      setCondError(parsed.error);
      return;
    }
    setCondError("");
    setCond("");
    if (!query.conditions.includes(parsed.text))
      onSearch({ ...query, text, conditions: [...query.conditions, parsed.text], page: 1 });
  };

  return (
    <form class="search-form" role="search" onSubmit={(e) => {
      e.preventDefault();
      window.clearTimeout(timer.current);
      typing.current = false;
      if (cond.trim()) void addCondition();
      else onSearch({ ...query, text, page: 1 });
    }}>
      <div class="field inline-field">
        <label for="q">Search datasets</label>
        <input id="q" type="search" value={text} autoComplete="off" spellcheck={false}
          placeholder="name, sample, session, keyword…" onInput={(e) => onInput(e.currentTarget.value)} />
        <button type="submit">Search</button>
      </div>
      <div class="field">
        <label for="cond">Add a condition</label>
        <div class="inline">
          <input id="cond" type="text" value={cond} autoComplete="off" spellcheck={false}
            aria-describedby="cond-help cond-error" placeholder="pixel size < 1.2 Å"
            onInput={(e) => setCond(e.currentTarget.value)} />
          <button type="button" onClick={() => void addCondition()}>Add</button>
        </div>
        <p id="cond-help" class="help">
          For example “pixel size &lt; 1.2 Å”, “dose 40–60 e/Å²”, “voltage = 300 kV”: units are converted by the server.
        </p>
        <p id="cond-error" class="field-error" role="alert">{condError}</p>
      </div>
      {query.conditions.length > 0 && (
        <ul class="chips" aria-label="Conditions">
          {query.conditions.map((c) => (
            <li key={c}>
              <span>{c}</span>
              <button type="button" aria-label={`Remove condition ${c}`}
                onClick={() => onSearch({ ...query, conditions: query.conditions.filter((x) => x !== c), page: 1 })}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
