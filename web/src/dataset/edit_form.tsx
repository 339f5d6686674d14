// Editing the fields an owner may change (PATCH /api/v3/datasets/{pid}); the server's
// validation messages are shown at the field they name.
import { useState } from "preact/hooks";
import { ApiError, api, enc } from "../api/client";
import type { Dataset } from "../api/types";
import { describe } from "../components/error_message";
import { FormField } from "../components/form_field";

interface FieldDef { key: keyof Dataset & string; label: string; list?: boolean; multiline?: boolean; help?: string }

const FIELDS: FieldDef[] = [
  { key: "datasetName", label: "Name" },
  { key: "description", label: "Description", multiline: true },
  { key: "keywords", label: "Keywords", list: true, help: "Separated by commas." },
  { key: "accessGroups", label: "Groups that may read it", list: true, help: "Group names, separated by commas." },
  { key: "sharedWith", label: "Shared with", list: true, help: "E-mail addresses, separated by commas." },
];

const show = (ds: Dataset, f: FieldDef) => {
  const v = ds[f.key];
  return Array.isArray(v) ? v.join(", ") : v === undefined || v === null ? "" : String(v);
};

export function EditForm({ ds, onSaved }: { ds: Dataset; onSaved: (d: Dataset) => void }) {
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(FIELDS.map((f) => [f.key, show(ds, f)])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState("");

  const save = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    for (const f of FIELDS) {
      if (values[f.key] === show(ds, f)) continue;
      const v = values[f.key] ?? "";
      body[f.key] = f.list ? v.split(",").map((s) => s.trim()).filter(Boolean) : v;
    }
    if (!Object.keys(body).length) {
      setStatus("Nothing changed.");
      return;
    }
    setStatus("Saving…");
    try {
      const saved = await api<Dataset>(`/api/v3/datasets/${enc(ds.pid)}`, { method: "PATCH", body });
      setErrors({});
      setStatus("Saved.");
      onSaved(saved);
    } catch (err) {
      const found: Record<string, string> = {};
      const general: string[] = [];
      for (const m of err instanceof ApiError ? err.messages : []) {
        const f = FIELDS.find((x) => m.startsWith(x.key) || m.includes(`'${x.key}'`) || m.includes(`"${x.key}"`));
        if (f) found[f.key] = m;
        else general.push(m);
      }
      setErrors(found);
      setStatus(Object.keys(found).length && !general.length ? "Not saved: see the messages at the fields." : describe(err, "dataset"));
    }
  };

  return (
    <form class="edit" onSubmit={save} noValidate>
      {FIELDS.map((f) => (
        <FormField key={f.key} id={`edit-${f.key}`} label={f.label} value={values[f.key] ?? ""} help={f.help} error={errors[f.key]}
          multiline={f.multiline} onValue={(v) => setValues({ ...values, [f.key]: v })} />
      ))}
      <button type="submit">Save changes</button> <span role="status">{status}</span>
    </form>
  );
}
