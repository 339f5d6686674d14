// The dataset page (/datasets/{pid}): every field, the scientific metadata tree, files with
// downloads, attachments, lifecycle with archive/retrieve jobs, its DOIs (and publishing for
// its owners), related documents, lineage and versions, sharing, and editing for its owners. The same URL is the public landing page that the server
// renders for published data; this page then takes over in the browser.
import { useEffect, useState } from "preact/hooks";
import { api, enc } from "../api/client";
import { session } from "../api/session";
import type { Dataset, Doc } from "../api/types";
import { ErrorMessage } from "../components/error_message";
import { FieldsTable } from "../components/fields_table";
import { bytes, date } from "../components/format";
import { useApi } from "../components/use_api";
import { useObservable } from "../observable";
import { Publication } from "../publish/publish_dataset";
import { Attachments } from "./attachments";
import { EditForm } from "./edit_form";
import { FileList } from "./file_list";
import { Lifecycle } from "./lifecycle";
import { Lineage } from "./lineage";
import { MetadataTree } from "./metadata_tree";
import { Related } from "./related";

function validation(ds: Dataset): string {
  if (ds.scientificMetadataValid === true) return "valid against its schema";
  if (ds.scientificMetadataValid === false) return "not valid against its schema";
  return ds.validationStatus ? String(ds.validationStatus) : "not validated";
}

export function DatasetPage({ pid }: { pid: string }) {
  const user = useObservable(session);
  const loaded = useApi((signal) => api<Dataset>(`/api/v3/datasets/${enc(pid)}`, { signal }), [pid, user?.token]);
  const [ds, setDs] = useState<Dataset | undefined>(undefined);
  useEffect(() => setDs(loaded.data), [loaded.data]);

  useEffect(() => {
    if (ds) document.title = `${ds.datasetName || ds.pid} – openem`;
  }, [ds]);

  if (loaded.error) {
    return (
      <>
        <h1>Dataset</h1>
        <ErrorMessage error={loaded.error} what="dataset" />
      </>
    );
  }
  if (!ds) return <p class="loading">Loading dataset…</p>;

  const groups = user?.groups ?? [];
  const isOwner = !!user && (groups.includes(ds.ownerGroup) || groups.includes("admin"));
  return (
    <article class="dataset">
      <header>
        <h1>{ds.datasetName || ds.pid}</h1>
        <p class="meta">
          <span>{ds.type} dataset</span>
          <span>{date(ds.creationTime)}</span>
          {ds.creationLocation && <span>{ds.creationLocation}</span>}
          <span>{bytes(ds.size)} in {(ds.numberOfFiles ?? 0).toLocaleString("en")} files</span>
          <span>{ds.isPublished ? "public" : "not public"}</span>
        </p>
        <p class="pid">Identifier: <code>{ds.pid}</code></p>
        {ds.description && <p>{ds.description}</p>}
      </header>
      <nav class="toc" aria-label="Sections of this page">
        <a href="#files">Files</a> <a href="#metadata">Scientific metadata</a> <a href="#lifecycle">Archive and retrieve</a>{" "}
        <a href="#publication">Publication</a> <a href="#related">Related</a> <a href="#lineage">Lineage</a> <a href="#sharing">Sharing</a> <a href="#fields">All fields</a>
        {isOwner && <> <a href="#edit">Edit</a></>}
      </nav>
      <section id="files" aria-labelledby="h-files">
        <h2 id="h-files">Files</h2>
        <FileList pid={ds.pid} />
      </section>
      <section id="metadata" aria-labelledby="h-metadata">
        <h2 id="h-metadata">Scientific metadata</h2>
        <p class="muted">Metadata {validation(ds)}.</p>
        <MetadataTree metadata={ds.scientificMetadata} />
      </section>
      <section aria-labelledby="h-attachments">
        <h2 id="h-attachments">Attachments</h2>
        <Attachments pid={ds.pid} />
      </section>
      <section id="lifecycle" aria-labelledby="h-lifecycle">
        <h2 id="h-lifecycle">Archive and retrieve</h2>
        <Lifecycle ds={ds} canArchive={isOwner} signedIn={!!user} onChange={loaded.reload} />
      </section>
      <section id="publication" aria-labelledby="h-publication">
        <h2 id="h-publication">Publication</h2>
        <Publication pid={ds.pid} isOwner={isOwner} />
      </section>
      <section id="related" aria-labelledby="h-related">
        <h2 id="h-related">Related</h2>
        <Related ds={ds} />
      </section>
      <section id="lineage" aria-labelledby="h-lineage">
        <h2 id="h-lineage">Lineage and versions</h2>
        <Lineage pid={ds.pid} />
      </section>
      <section id="sharing" aria-labelledby="h-sharing">
        <h2 id="h-sharing">Sharing</h2>
        <dl class="fields">
          <div><dt>Owner group</dt><dd>{ds.ownerGroup}</dd></div>
          <div><dt>Groups that may read it</dt><dd>{(ds.accessGroups ?? []).join(", ") || "none"}</dd></div>
          <div><dt>Shared with</dt><dd>{(ds.sharedWith ?? []).join(", ") || "nobody else"}</dd></div>
          <div><dt>Public</dt><dd>{ds.isPublished ? "yes: anyone can read it" : "no"}</dd></div>
        </dl>
      </section>
      {isOwner && (
        <section id="edit" aria-labelledby="h-edit">
          <h2 id="h-edit">Edit</h2>
          <EditForm ds={ds} onSaved={setDs} />
        </section>
      )}
      <section id="fields" aria-labelledby="h-fields">
        <h2 id="h-fields">All fields</h2>
        <FieldsTable doc={ds as unknown as Doc} skip={["scientificMetadata"]} />
      </section>
    </article>
  );
}
