// The dataset page's "Publication" section: the DOIs this dataset is published under (as far
// as the reader may see them), and for its owners the form that starts a new one — prefilled
// by the server (formpopulate: the proposal's title and abstract, the PI and owner as
// creators) and created as a draft, which its own page then publishes and registers.
import { useState } from "preact/hooks";
import { api, qs } from "../api/client";
import type { PublishForm, PublishedRecord } from "../api/types";
import { describe } from "../components/error_message";
import { useApi } from "../components/use_api";
import { navigate, publishedUrl } from "../router";
import { STATE_TEXT } from "./published_list";
import { RecordFields, type RecordValues, recordBody, refusal, valuesOfForm } from "./record_fields";

export function Publication({ pid, isOwner }: { pid: string; isOwner: boolean }) {
  const records = useApi(
    (signal) => api<PublishedRecord[]>("/api/v4/publisheddata" + qs({ filter: { where: { datasetPids: pid }, limits: { limit: 20, skip: 0 } } }), { signal }),
    [pid],
  );
  const [open, setOpen] = useState(false);
  return (
    <>
      {records.data && records.data.length > 0 ? (
        <ul class="published">
          {records.data.map((r) => (
            <li key={r.doi}>
              <a href={publishedUrl(r.doi)}>{r.title || r.doi}</a> — DOI <code>{r.doi}</code>{" "}
              <span class={`state state-${r.status}`}>({STATE_TEXT[r.status] ?? r.status})</span>
            </li>
          ))}
        </ul>
      ) : (
        <p>{records.loading ? "Loading…" : "This dataset has no DOI yet."}</p>
      )}
      {isOwner && !open && <button type="button" onClick={() => setOpen(true)}>Publish with a DOI…</button>}
      {isOwner && open && <NewRecordForm pid={pid} onCancel={() => setOpen(false)} />}
    </>
  );
}

function NewRecordForm({ pid, onCancel }: { pid: string; onCancel: () => void }) {
  const form = useApi((signal) => api<PublishForm>("/api/v4/publisheddata/formpopulate" + qs({ pid }), { signal }), [pid]);
  const [edited, setEdited] = useState<RecordValues | undefined>(undefined);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState("");
  if (form.error) return <p class="error" role="alert">{describe(form.error, "dataset")}</p>;
  if (!form.data) return <p class="loading">Preparing the form…</p>;
  const values: RecordValues = edited ?? valuesOfForm(form.data);


  const create = async (e: Event) => {
    e.preventDefault();
    setStatus("Creating the draft…");
    try {
      const record = await api<PublishedRecord>("/api/v4/publisheddata", { method: "POST", body: { ...recordBody(values), datasetPids: [pid] } });
      navigate(publishedUrl(record.doi));
    } catch (err) {
      const { byField, status } = refusal(err, "Not created");
      setErrors(byField);
      setStatus(status);
    }
  };
  return (
    <form class="edit" onSubmit={create} noValidate aria-label="New published data record">
      <p class="muted">
        This creates a draft that only you see. On its page you can still change it, then make it public and register its
        DOI with DataCite.
      </p>
      <RecordFields values={values} errors={errors} onInput={setEdited} idPrefix="publish" />
      <button type="submit">Create draft</button>{" "}
      <button type="button" class="secondary" onClick={onCancel}>Cancel</button> <span role="status">{status}</span>
    </form>
  );
}
