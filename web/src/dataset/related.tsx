// Links to what a dataset belongs to: proposal, sample, instrument, its input datasets (for a
// derived dataset) and the datasets derived from it.
import { api, qs } from "../api/client";
import type { Dataset } from "../api/types";
import { useApi } from "../components/use_api";
import { datasetUrl } from "../router";

const list = (many: string[] | undefined, one: string | undefined) => [...new Set([...(many ?? []), ...(one ? [one] : [])])];

export function Related({ ds }: { ds: Dataset }) {
  const derived = useApi(
    (signal) => api<Dataset[]>("/api/v3/datasets/fullquery" + qs({ fields: { inputDatasets: [ds.pid] }, limits: { limit: 20, skip: 0 } }), { signal }),
    [ds.pid],
  );
  const rows: [string, { href: string; text: string }[]][] = [
    ["Proposal", list(ds.proposalIds, ds.proposalId).map((id) => ({ href: `/proposals/${encodeURIComponent(id)}`, text: id }))],
    ["Sample", list(ds.sampleIds, ds.sampleId).map((id) => ({ href: `/samples/${encodeURIComponent(id)}`, text: id }))],
    ["Instrument", list(ds.instrumentIds, ds.instrumentId).map((id) => ({ href: `/instruments/${encodeURIComponent(id)}`, text: id }))],
    ["Input datasets", (ds.inputDatasets ?? []).map((pid) => ({ href: datasetUrl(pid), text: pid }))],
    ["Derived datasets", (derived.data ?? []).map((d) => ({ href: datasetUrl(d.pid), text: d.datasetName || d.pid }))],
  ];
  const shown = rows.filter(([, links]) => links.length);
  if (!shown.length) return <p>No related proposal, sample, instrument or datasets.</p>;
  return (
    <dl class="fields">
      {shown.map(([label, links]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{links.map((l, i) => <span key={l.href}>{i > 0 && ", "}<a href={l.href}>{l.text}</a></span>)}</dd>
        </div>
      ))}
    </dl>
  );
}
