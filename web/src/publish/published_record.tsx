// One published-data record (/published/{doi}): what it publishes and its state, the way to the
// DOI's landing page once it is public, DataCite's delivery state, and — for its creator and
// admins — the workflow: edit the draft, make it public, register the DOI (admins: delete it).
import { useState } from "preact/hooks";
import { api, enc } from "../api/client";
import { session } from "../api/session";
import type { Doc, PublishedRecord } from "../api/types";
import { ErrorMessage } from "../components/error_message";
import { FieldsTable } from "../components/fields_table";
import { bytes, date } from "../components/format";
import { useApi } from "../components/use_api";
import { useObservable } from "../observable";
import { datasetUrl, navigate } from "../router";
import { STATE_TEXT } from "./published_list";
import { RecordFields, type RecordValues, recordBody, refusal, valuesOf } from "./record_fields";

const path = (doi: string, action = "") => `/api/v4/publisheddata/${enc(doi)}${action}`;

export function PublishedRecordPage({ doi }: { doi: string }) {
  const user = useObservable(session);
  const loaded = useApi((signal) => api<PublishedRecord>(path(doi), { signal }), [doi, user?.token]);
  if (loaded.error) return <><h1>Published data</h1><ErrorMessage error={loaded.error} what="published data record" /></>;
  const r = loaded.data;
  if (!r) return <p class="loading">Loading published data…</p>;
  const isAdmin = (user?.groups ?? []).includes("admin");
  const mayChange = !!user && (user.username === r.createdBy || isAdmin);
  const m = r.metadata ?? {};
  return (
    <article class="published-record">
      <header>
        <h1>{r.title || r.doi}</h1>
        <p class="meta">
          <span>DOI <code>{r.doi}</code></span>
          <span class={`state state-${r.status}`}>{STATE_TEXT[r.status] ?? r.status}</span>
          {r.registeredTime && <span>registered {date(r.registeredTime)}</span>}
        </p>
        {r.status !== "private" && (
          <p>
            <a href={`/doi/${r.doi}`} rel="external">Landing page of this DOI</a>{" "}
            <span class="muted">(what https://doi.org/{r.doi} leads to once registered)</span>
          </p>
        )}
      </header>
      {r.abstract && <p>{r.abstract}</p>}
      <dl class="fields">
        <div><dt>Creators</dt><dd>{(m.creators ?? []).map((c) => c.name).join("; ") || "none yet"}</dd></div>
        <div><dt>Publisher</dt><dd>{m.publisher?.name ?? ""}</dd></div>
        <div><dt>Publication year</dt><dd>{m.publicationYear ?? ""}</dd></div>
        <div><dt>Resource type</dt><dd>{m.resourceType ?? ""}</dd></div>
        <div><dt>Files</dt><dd>{(r.numberOfFiles ?? 0).toLocaleString("en")} files, {bytes(r.sizeOfArchive)}</dd></div>
        {r.registration && <div><dt>DataCite</dt><dd id="registration"><Registration reg={r.registration} /></dd></div>}
      </dl>
      <h2>Datasets</h2>
      <ul class="published-datasets">
        {(r.datasetPids ?? []).map((pid) => <li key={pid}><a href={datasetUrl(pid)}>{pid}</a></li>)}
      </ul>
      {mayChange && (r.status === "private" || r.status === "public") && <Workflow record={r} mayDelete={isAdmin} onChange={loaded.reload} />}
      <h2>All fields</h2>
      <FieldsTable doc={r as unknown as Doc} />
    </article>
  );
}

function Registration({ reg }: { reg: NonNullable<PublishedRecord["registration"]> }) {
  const what = reg.state === "done" ? "sent" : reg.state === "failed" ? "refused by DataCite" : reg.state === "sending" ? "being sent" : "waiting to be sent";
  return (
    <>
      {reg.change ?? "change"} {what}
      {reg.sentAt ? ` on ${date(reg.sentAt)}` : ""}
      {reg.attempts ? ` after ${reg.attempts} attempt${reg.attempts === 1 ? "" : "s"}` : ""}
      {reg.waitingFor ? ` (${reg.waitingFor})` : reg.state === "pending" && reg.nextAttemptAt ? `; next attempt ${date(reg.nextAttemptAt)}` : ""}
      {reg.lastError && <p class="field-error">{reg.lastError}</p>}
    </>
  );
}

// The steps its creator takes: a draft (private) is edited, then made public or registered at
// once; a public record is registered. The server checks every step and its answer is shown.
// Deleting is for DELETE_GROUPS (admins by default), not for a record's creator, so the button
// is offered to admins only; the server decides either way.
function Workflow({ record, mayDelete, onChange }: { record: PublishedRecord; mayDelete: boolean; onChange: () => void }) {
  const [values, setValues] = useState<RecordValues>(() => valuesOf(record));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);

  const act = async (label: string, run: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setStatus(label + "…");
    try {
      await run();
      setErrors({});
      setStatus(label + ": done.");
      (after ?? onChange)();
    } catch (err) {
      const { byField, status } = refusal(err, "Not saved");
      setErrors(byField);
      setStatus(status);
    } finally {
      setBusy(false);
    }
  };
  const save = () => api(path(record.doi), { method: "PATCH", body: recordBody(values, record) });
  const draft = record.status === "private";
  return (
    <section aria-labelledby="h-workflow">
      <h2 id="h-workflow">{draft ? "Draft: edit and publish" : "Register the DOI"}</h2>
      {draft && (
        <form onSubmit={(e) => { e.preventDefault(); void act("Saving", save); }} noValidate>
          <RecordFields values={values} errors={errors} onInput={setValues} idPrefix="record" />
          <button type="submit" disabled={busy}>Save draft</button>
        </form>
      )}
      <p class="actions">
        {draft && (
          <button type="button" disabled={busy} onClick={() => act("Making it public", async () => { await save(); await api(path(record.doi, "/publish"), { method: "POST" }); })}>
            Make public without a DOI yet
          </button>
        )}{" "}
        <button type="button" disabled={busy} onClick={() => act("Registering the DOI", async () => {
          if (draft) await save();
          await api(path(record.doi, "/register"), { method: "POST" });
        })}>
          Register the DOI
        </button>{" "}
        {draft && mayDelete && (
          <button type="button" class="secondary" disabled={busy}
            onClick={() => window.confirm("Delete this draft? Its datasets stay as they are.") &&
              act("Deleting the draft", () => api(path(record.doi), { method: "DELETE" }), () => navigate("/published"))}>
            Delete draft
          </button>
        )}
      </p>
      <p class="muted">
        Publishing makes the datasets public (with their files and attachments) for everyone. Registering sends the DOI
        and its metadata to DataCite; once registered, only an administrator can amend it.
      </p>
      <p role="status">{status}</p>
    </section>
  );
}
