// PLACEHOLDER for published data and DOI landing pages (issue #13, publishing). The
// publishing API does not exist in openem yet; the layout shows the nav entry only when
// GET /api/v3/publisheddata answers 200 (see features.ts). This page reads SciCat's v3 list
// shape (doi, title, creator, publicationYear) and links to the DOI resolver; extend it
// when the publishing work lands.
import { api, qs } from "../api/client";
import type { Doc } from "../api/types";
import { ErrorMessage } from "../components/error_message";
import { useApi } from "../components/use_api";

export function PublishedPage() {
  const list = useApi((signal) => api<Doc[]>("/api/v3/publisheddata" + qs({ filter: { limits: { limit: 50, skip: 0 } } }), { signal }), []);
  return (
    <div>
      <h1>Published data</h1>
      {list.error ? <ErrorMessage error={list.error} what="published data list" /> : null}
      {list.data && list.data.length === 0 && <p>Nothing is published yet.</p>}
      <ul>
        {(list.data ?? []).map((d) => (
          <li key={String(d["doi"])}>
            <a href={`https://doi.org/${String(d["doi"])}`}>{String(d["title"] ?? d["doi"])}</a>{" "}
            <span class="muted">{String(d["publicationYear"] ?? "")}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
