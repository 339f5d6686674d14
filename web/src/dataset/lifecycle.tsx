// Where the data is (online, archived) and the jobs that move it: archive and retrieve
// requests through the jobs API, with each job's status, queue position and estimated end,
// refreshed while a job is unfinished.
import { useEffect, useState } from "preact/hooks";
import { api, qs } from "../api/client";
import type { Dataset, Job } from "../api/types";
import { describe } from "../components/error_message";
import { date } from "../components/format";
import { useApi } from "../components/use_api";

const POLL_MS = 2000;
const finished = (j: Job) => j.statusCode.startsWith("finished");

const STATUS_TEXT: Record<string, string> = {
  datasetCreated: "online, not archived",
  scheduledForArchiving: "archive requested",
  started: "being archived",
  datasetOnArchiveDisk: "archived",
  missingFilesError: "archiving failed: files are missing (upload them and try again)",
  scheduleArchiveJobFailed: "archiving failed",
  scheduledForRetrieval: "retrieve requested",
  datasetRetrieved: "retrieved",
  scheduleRetrieveJobFailed: "retrieve failed",
};

export function JobLine({ job }: { job: Job }) {
  const errors = ((job.jobResultObject?.["datasets"] ?? []) as { error?: string }[]).filter((d) => d?.error);
  return (
    <>
      <a href={`/jobs/${encodeURIComponent(job.id)}`}>{job.type} job</a>{" "}
      <span class={`status status-${job.statusCode}`}>{job.statusCode}</span>
      {job.statusMessage && <span> — {job.statusMessage}</span>}
      {job.queuePosition !== undefined && (
        <span> — {job.queuePosition === 0 ? "running now" : `position ${job.queuePosition} in the queue`}</span>
      )}
      {job.estimatedCompletionTime && <span> — expected by {date(job.estimatedCompletionTime)}</span>}
      <span class="muted"> (requested {date(job.createdAt)})</span>
      {errors.map((e, i) => <p key={i} class="field-error">{e.error}</p>)}
    </>
  );
}

export function Lifecycle({ ds, canArchive, signedIn, onChange }: {
  ds: Dataset; canArchive: boolean; signedIn: boolean; onChange: () => void;
}) {
  const lc = ds.datasetlifecycle ?? {};
  const jobs = useApi(async (signal) => {
    if (!signedIn) return [] as Job[];
    const all = await api<Job[]>("/api/v4/jobs" + qs({ filter: { limits: { limit: 200, skip: 0, order: "createdAt:desc" } } }), { signal });
    return all.filter((j) => j.jobParams?.datasetList?.some((d) => d.pid === ds.pid))
      .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  }, [ds.pid, signedIn]);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  const running = (jobs.data ?? []).some((j) => !finished(j));
  useEffect(() => {
    if (!running) return;
    const t = window.setTimeout(() => { jobs.reload(); }, POLL_MS);
    return () => window.clearTimeout(t);
  }, [jobs.data, running]);
  // When a job finishes, the dataset's lifecycle has changed: reload it.
  const [wasRunning, setWasRunning] = useState(false);
  useEffect(() => {
    if (wasRunning && !running) onChange();
    setWasRunning(running);
  }, [running]);

  const request = async (type: "archive" | "retrieve") => {
    setBusy(true);
    setMessage(null);
    try {
      await api<Job>("/api/v3/jobs", { method: "POST", body: { type, datasetList: [{ pid: ds.pid, files: [] }] } });
      setMessage({ text: type === "archive" ? "Archive requested." : "Retrieve requested.", error: false });
      jobs.reload();
      onChange();
    } catch (e) {
      setMessage({ text: describe(e, "dataset"), error: true });
    } finally {
      setBusy(false);
    }
  };

  const status = STATUS_TEXT[lc.archiveStatusMessage ?? ""] ?? lc.archiveStatusMessage ?? "unknown";
  return (
    <div>
      <dl class="fields">
        <div><dt>Online copy</dt><dd>{lc.isOnCentralDisk === false ? "no (archived only)" : "yes"}</dd></div>
        <div><dt>Archive</dt><dd>{status}</dd></div>
        {lc.retrieveStatusMessage ? <div><dt>Retrieve</dt><dd>{STATUS_TEXT[lc.retrieveStatusMessage] ?? lc.retrieveStatusMessage}</dd></div> : null}
        {!ds.isPublished && lc.dateOfPublishing ? <div><dt>Embargoed until</dt><dd>{date(lc.dateOfPublishing)}</dd></div> : null}
      </dl>
      <div class="actions">
        {signedIn && canArchive && lc.archivable && (
          <button type="button" disabled={busy} onClick={() => void request("archive")}>Archive this dataset</button>
        )}
        {signedIn && lc.retrievable && (
          <button type="button" disabled={busy} onClick={() => void request("retrieve")}>Request a retrieve</button>
        )}
        {!signedIn && <p class="muted">Sign in to archive or retrieve.</p>}
      </div>
      <p role="status" class={message?.error ? "field-error" : "ok"}>{message?.text ?? ""}</p>
      {(jobs.data ?? []).length > 0 && (
        <>
          <h3>Jobs of this dataset</h3>
          <ul class="jobs">
            {jobs.data!.map((j) => <li key={j.id}><JobLine job={j} /></li>)}
          </ul>
        </>
      )}
    </div>
  );
}
