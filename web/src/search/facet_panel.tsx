// The facets beside the results: each value with its count, as links that add or remove the
// value from the query (so they work with the keyboard and can be opened in a new tab).
import type { FacetBucket, FacetResult } from "../api/types";
import { FACETS, queryToUrl, toggled, type SearchQuery } from "./query";

interface Props {
  query: SearchQuery;
  result: FacetResult | undefined;
}

const SINGLE = new Set(["isPublished"]);

// Day buckets of creationTime ({year, month, day}) summed per year.
function yearBuckets(days: FacetBucket[] | undefined): FacetBucket[] {
  const years = new Map<string, number>();
  for (const b of days ?? []) {
    const y = (b._id as { year?: number } | null)?.year;
    if (y !== undefined) years.set(String(y), (years.get(String(y)) ?? 0) + b.count);
  }
  return [...years.entries()].sort((a, b) => b[0].localeCompare(a[0])).map(([y, count]) => ({ _id: y, count }));
}

function label(key: string, value: string): string {
  if (key === "isPublished") return value === "true" ? "Published" : "Not published";
  return value;
}

export function FacetPanel({ query, result }: Props) {
  return (
    <aside class="facets" aria-label="Narrow the results">
      <h2 class="visually-hidden">Filters</h2>
      {FACETS.map((f) => {
        const buckets = (f.key === "year" ? yearBuckets(result?.["creationTime"]) : result?.[f.key]) ?? [];
        const chosen = query.facets[f.key] ?? [];
        const shown = buckets.filter((b) => b._id !== null && b._id !== "").slice(0, 12);
        for (const c of chosen)
          if (!shown.some((b) => String(b._id) === c)) shown.push({ _id: c, count: 0 });
        if (!shown.length) return null;
        return (
          <section key={f.key} class="facet" aria-labelledby={`facet-${f.key}`}>
            <h3 id={`facet-${f.key}`}>{f.label}</h3>
            <ul>
              {shown.map((b) => {
                const value = String(b._id);
                const on = chosen.includes(value);
                const next = { ...query, page: 1, facets: { ...query.facets, [f.key]: toggled(chosen, value, SINGLE.has(f.key)) } };
                return (
                  <li key={value}>
                    <a href={queryToUrl(next)} class={on ? "chosen" : undefined} aria-current={on ? "true" : undefined}>
                      <span class="check" aria-hidden="true">{on ? "☑" : "☐"}</span>
                      <span class="visually-hidden">{on ? "Remove filter" : "Filter by"} {f.label}: </span>
                      <span class="value">{label(f.key, value)}</span>
                      <span class="count">{b.count.toLocaleString("en")}</span>
                    </a>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </aside>
  );
}
