// Proposals, samples and instruments: list and detail pages over their v3 endpoints.
import { api, enc, qs } from "../api/client";
import type { Doc, FacetResult } from "../api/types";
import { day } from "../components/format";
import { CollectionList } from "./collection_list";
import { DocumentPage } from "./document_page";
import { Logbook } from "./logbook";

const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));
const searchFor = (facet: string, value: string) => `/?f.${facet}=${encodeURIComponent(value)}`;

export function ProposalList() {
  return (
    <CollectionList title="Proposals" what="proposal" searchable
      columns={[
        { label: "Proposal", cell: (d) => <a href={`/proposals/${enc(str(d["proposalId"]))}`}>{str(d["proposalId"])}</a> },
        { label: "Title", cell: (d) => str(d["title"]) },
        { label: "Principal investigator", cell: (d) => str(d["pi_email"] ?? d["email"]) },
        { label: "Datasets", cell: (d) => str(d["numberOfDatasets"] ?? "") },
        { label: "Start", cell: (d) => day(str(d["startTime"]) || undefined) },
      ]}
      load={async (skip, limit, text, signal) => {
        const fields = text ? { text } : {};
        const [items, facets] = await Promise.all([
          api<Doc[]>("/api/v3/proposals/fullquery" + qs({ fields, limits: { skip, limit, order: "createdAt:desc" } }), { signal }),
          api<FacetResult[]>("/api/v3/proposals/fullfacet" + qs({ fields, facets: [] }), { signal }),
        ]);
        return { items, total: facets[0]?.all?.[0]?.totalSets ?? 0 };
      }} />
  );
}

export function ProposalPage({ id }: { id: string }) {
  return (
    <DocumentPage url={`/api/v3/proposals/${enc(id)}`} what="proposal"
      title={(d) => `Proposal ${str(d["proposalId"])}: ${str(d["title"])}`}
      extra={(d) => (
        <>
          {d["abstract"] ? <p>{str(d["abstract"])}</p> : null}
          <p><a href={searchFor("proposalIds", str(d["proposalId"]))}>Datasets of this proposal</a></p>
          <Logbook proposal={d} />
        </>
      )} />
  );
}

export function SampleList() {
  return (
    <CollectionList title="Samples" what="sample"
      columns={[
        { label: "Sample", cell: (d) => <a href={`/samples/${enc(str(d["sampleId"]))}`}>{str(d["description"]) || str(d["sampleId"])}</a> },
        { label: "Type", cell: (d) => str(d["type"]) },
        { label: "Owner group", cell: (d) => str(d["ownerGroup"]) },
        { label: "Created", cell: (d) => day(str(d["createdAt"]) || undefined) },
      ]}
      load={async (skip, limit, _text, signal) => ({
        items: await api<Doc[]>("/api/v3/samples" + qs({ filter: { limits: { skip, limit, order: "createdAt:desc" } } }), { signal }),
      })} />
  );
}

export function SamplePage({ id }: { id: string }) {
  return (
    <DocumentPage url={`/api/v3/samples/${enc(id)}`} what="sample"
      title={(d) => `Sample ${str(d["description"]) || str(d["sampleId"])}`}
      extra={(d) => <p><a href={searchFor("sampleIds", str(d["sampleId"]))}>Datasets of this sample</a></p>} />
  );
}

export function InstrumentList() {
  return (
    <CollectionList title="Instruments" what="instrument"
      columns={[
        { label: "Instrument", cell: (d) => <a href={`/instruments/${enc(str(d["pid"]))}`}>{str(d["name"])}</a> },
        { label: "Unique name", cell: (d) => str(d["uniqueName"]) },
        { label: "Datasets", cell: (d) => <a href={searchFor("creationLocation", str(d["uniqueName"]))}>search</a> },
      ]}
      load={async (skip, limit, _text, signal) => ({
        items: await api<Doc[]>("/api/v3/instruments" + qs({ filter: { limits: { skip, limit, order: "uniqueName:asc" } } }), { signal }),
      })} />
  );
}

export function InstrumentPage({ id }: { id: string }) {
  return (
    <DocumentPage url={`/api/v3/instruments/${enc(id)}`} what="instrument"
      title={(d) => str(d["name"]) || str(d["uniqueName"])}
      extra={(d) => <p><a href={searchFor("creationLocation", str(d["uniqueName"]))}>Datasets recorded on this instrument</a></p>} />
  );
}
