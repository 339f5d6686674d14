// The search page's whole state, and its two translations: to and from the URL (so a search
// can be shared and bookmarked), and to the fullquery/fullfacet `fields` the API takes.
import type { ScientificCondition } from "./condition";

export interface SearchQuery {
  text: string;
  facets: Record<string, string[]>; // facet key → chosen values (OR within a facet, AND across)
  conditions: string[]; // canonical condition texts (see condition.ts)
  sort: string; // limits.order, "creationTime:desc"
  page: number; // 1-based
}

export interface FacetDef {
  key: string; // the fullfacet facet and the URL key (f.<key>)
  label: string;
}

// The facets the home page shows, in order. "year" is computed from the creationTime facet.
export const FACETS: FacetDef[] = [
  { key: "type", label: "Type" },
  { key: "creationLocation", label: "Instrument" },
  { key: "techniques.name", label: "Technique" },
  { key: "ownerGroup", label: "Owner group" },
  { key: "keywords", label: "Keywords" },
  { key: "proposalIds", label: "Proposal" },
  { key: "year", label: "Year" },
  { key: "isPublished", label: "Published" },
];

export const SORTS: { value: string; label: string }[] = [
  { value: "creationTime:desc", label: "Newest first" },
  { value: "creationTime:asc", label: "Oldest first" },
  { value: "datasetName:asc", label: "Name (A–Z)" },
  { value: "size:desc", label: "Largest first" },
];
export const DEFAULT_SORT = "creationTime:desc";
export const PAGE_SIZE = 25;

export function queryFromUrl(search: URLSearchParams): SearchQuery {
  const facets: Record<string, string[]> = {};
  for (const f of FACETS) {
    const values = search.getAll("f." + f.key);
    if (values.length) facets[f.key] = values;
  }
  const page = Math.max(1, Math.floor(Number(search.get("page")) || 1));
  const sort = search.get("sort");
  return {
    text: search.get("q") ?? "",
    facets,
    conditions: search.getAll("c"),
    sort: sort && SORTS.some((s) => s.value === sort) ? sort : DEFAULT_SORT,
    page,
  };
}

export function queryToUrl(q: SearchQuery): string {
  const p = new URLSearchParams();
  if (q.text) p.set("q", q.text);
  for (const f of FACETS) for (const v of q.facets[f.key] ?? []) p.append("f." + f.key, v);
  for (const c of q.conditions) p.append("c", c);
  if (q.sort !== DEFAULT_SORT) p.set("sort", q.sort);
  if (q.page > 1) p.set("page", String(q.page));
  const s = p.toString();
  return "/" + (s ? "?" + s : "");
}

export function fieldsOf(q: SearchQuery, conditions: ScientificCondition[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (q.text.trim()) fields["text"] = q.text.trim();
  for (const [key, values] of Object.entries(q.facets)) {
    if (!values.length) continue;
    if (key === "year") {
      const years = values.map(Number).filter(Number.isFinite).sort((a, b) => a - b);
      if (!years.length) continue;
      // One range from the first chosen year to the last (the API takes one range per field).
      fields["creationTime"] = {
        begin: `${years[0]}-01-01T00:00:00.000Z`,
        end: `${years[years.length - 1]}-12-31T23:59:59.999Z`,
      };
    } else if (key === "isPublished") {
      fields["isPublished"] = values.includes("true");
    } else {
      fields[key] = values;
    }
  }
  if (conditions.length) fields["scientific"] = conditions;
  return fields;
}

export function toggled(values: string[] | undefined, value: string, single = false): string[] {
  const list = values ?? [];
  if (list.includes(value)) return list.filter((v) => v !== value);
  return single ? [value] : [...list, value];
}
