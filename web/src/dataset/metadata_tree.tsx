// Scientific metadata as a tree: objects are expandable groups, quantities show value and
// unit (with the server's SI value as a hint), arrays of scalars one line.
import type { Json } from "../api/types";
import { quantity, scalar } from "../components/format";

function isQuantity(v: Json): v is { [k: string]: Json } {
  return !!v && typeof v === "object" && !Array.isArray(v) && ("value" in v || "v" in v) && ("unit" in v || "u" in v);
}

function Node({ name, value, depth }: { name: string; value: Json; depth: number }) {
  if (isQuantity(value)) {
    const si = value["valueSI"] !== undefined ? `${scalar(value["valueSI"])} ${String(value["unitSI"] ?? "")}` : "";
    return (
      <li>
        <span class="key">{name}</span> <span class="value">{quantity(value)}</span>
        {si && <span class="si" title="SI value the server searches on"> ({si})</span>}
      </li>
    );
  }
  if (value && typeof value === "object" && !(Array.isArray(value) && value.every((x) => typeof x !== "object"))) {
    const entries: [string, Json][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
    return (
      <li>
        <details open={depth < 1}>
          <summary><span class="key">{name}</span> <span class="count">({entries.length})</span></summary>
          <ul>
            {entries.map(([k, v]) => <Node key={k} name={k} value={v} depth={depth + 1} />)}
          </ul>
        </details>
      </li>
    );
  }
  return (
    <li>
      <span class="key">{name}</span> <span class="value">{Array.isArray(value) ? value.join(", ") : scalar(value)}</span>
    </li>
  );
}

export function MetadataTree({ metadata }: { metadata: { [k: string]: Json } | undefined }) {
  const entries = Object.entries(metadata ?? {});
  if (!entries.length) return <p>No scientific metadata.</p>;
  return (
    <ul class="tree">
      {entries.map(([k, v]) => <Node key={k} name={k} value={v} depth={0} />)}
    </ul>
  );
}
