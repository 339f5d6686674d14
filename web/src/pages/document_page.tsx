// A detail page of one document (proposal, sample, instrument): its fields, and a link to
// its datasets in the search.
import type { ComponentChildren } from "preact";
import { api } from "../api/client";
import type { Doc } from "../api/types";
import { ErrorMessage } from "../components/error_message";
import { FieldsTable } from "../components/fields_table";
import { useApi } from "../components/use_api";

interface Props {
  url: string; // the API URL of the document
  what: string;
  title: (d: Doc) => string;
  extra?: (d: Doc) => ComponentChildren;
}

export function DocumentPage({ url, what, title, extra }: Props) {
  const doc = useApi((signal) => api<Doc>(url, { signal }), [url]);
  if (doc.error) return <><h1>{what[0]!.toUpperCase() + what.slice(1)}</h1><ErrorMessage error={doc.error} what={what} /></>;
  if (!doc.data) return <p class="loading">Loading {what}…</p>;
  return (
    <article>
      <h1>{title(doc.data)}</h1>
      {extra?.(doc.data)}
      <h2>All fields</h2>
      <FieldsTable doc={doc.data} />
    </article>
  );
}
