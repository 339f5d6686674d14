// Every field of a document as a definition list; nested values as compact JSON.
import type { Json } from "../api/types";
import { scalar } from "./format";

export function FieldsTable({ doc, skip = [] }: { doc: { [k: string]: Json | undefined }; skip?: string[] }) {
  const keys = Object.keys(doc).filter((k) => !skip.includes(k) && doc[k] !== undefined);
  return (
    <dl class="fields">
      {keys.map((k) => {
        const v = doc[k] as Json;
        const text = Array.isArray(v) && v.every((x) => typeof x !== "object") ? v.join(", ") || "–" : scalar(v);
        return (
          <div key={k}>
            <dt>{k}</dt>
            <dd class={typeof v === "object" && v !== null ? "json" : undefined}>{text}</dd>
          </div>
        );
      })}
    </dl>
  );
}
