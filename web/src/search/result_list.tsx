// One search result per dataset: thumbnail, name, date, instrument and the key OSC-EM values.
import { useEffect, useState } from "preact/hooks";
import { api, enc } from "../api/client";
import type { Dataset, Json } from "../api/types";
import { bytes, day, quantity, scalar } from "../components/format";
import { datasetUrl } from "../router";

// The OSC-EM values a microscopist scans a list for, by leaf name.
const KEY_VALUES: [string, string][] = [
  ["pixel_size", "pixel size"],
  ["dose_per_movie", "dose"],
  ["total_dose", "dose"],
  ["voltage", "voltage"],
  ["nominal_magnification", "magnification"],
  ["detector", "detector"],
];

function findLeaf(tree: Json | undefined, name: string, depth = 0): Json | undefined {
  if (!tree || typeof tree !== "object" || Array.isArray(tree) || depth > 3) return undefined;
  if (name in tree) return tree[name];
  for (const v of Object.values(tree)) {
    const found = findLeaf(v, name, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function keyValues(ds: Dataset): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const [leaf, label] of KEY_VALUES) {
    if (seen.has(label)) continue;
    const v = findLeaf(ds.scientificMetadata, leaf);
    if (v === undefined) continue;
    seen.add(label);
    out.push(`${label} ${quantity(v) ?? scalar(v)}`);
  }
  return out;
}

function Thumbnail({ pid }: { pid: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    api<{ thumbnail?: string }>(`/api/v3/datasets/${enc(pid)}/thumbnail`, { signal: ctl.signal }).then(
      (t) => t?.thumbnail?.startsWith("data:image/") && setSrc(t.thumbnail),
      () => undefined,
    );
    return () => ctl.abort();
  }, [pid]);
  return src ? <img class="thumb" src={src} alt="" loading="lazy" /> : <div class="thumb placeholder" aria-hidden="true" />;
}

export function ResultList({ datasets }: { datasets: Dataset[] }) {
  return (
    <ol class="results">
      {datasets.map((ds) => (
        <li key={ds.pid} class="result">
          <Thumbnail pid={ds.pid} />
          <div>
            <h3>
              <a href={datasetUrl(ds.pid)}>{ds.datasetName || ds.pid}</a>
            </h3>
            <p class="meta">
              <span>{day(ds.creationTime)}</span>
              {ds.creationLocation && <span>{ds.creationLocation}</span>}
              <span>{ds.type}</span>
              <span>{bytes(ds.size)}</span>
              {ds.isPublished ? <span class="badge">public</span> : null}
            </p>
            <p class="keyvalues">{keyValues(ds).join(" · ")}</p>
          </div>
        </li>
      ))}
    </ol>
  );
}
