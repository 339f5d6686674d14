// The jobs page: the caller's jobs (what the jobs API lets them read) with their status,
// status history, queue position and estimated end; and one job's page with its datasets and result.
import { api, enc, qs } from "../api/client";
import { session } from "../api/session";
import type { Doc, Job } from "../api/types";
import { ErrorMessage } from "../components/error_message";
import { FieldsTable } from "../components/fields_table";
import { date } from "../components/format";
import { Pager } from "../components/pager";
import { useApi } from "../components/use_api";
import { JobLine } from "../dataset/lifecycle";
import { useObservable } from "../observable";
import { datasetUrl, useLocation } from "../router";

const PAGE = 25;

export function JobList() {
  const user = useObservable(session);
  const loc = useLocation();
  const page = Math.max(1, Number(loc.search.get("page")) || 1);
  const jobs = useApi(
    (signal) => api<Job[]>("/api/v4/jobs" + qs({ filter: { limits: { skip: (page - 1) * PAGE, limit: PAGE, order: "createdAt:desc" } } }), { signal }),
    [page, user?.token],
  );
  if (!user) {
    return (
      <>
        <h1>Jobs</h1>
        <p>Archive and retrieve jobs belong to users. <a href="/signin?next=%2Fjobs">Sign in</a> to see yours.</p>
      </>
    );
  }
  return (
    <div>
      <h1>Jobs</h1>
      <p class="muted">Your archive and retrieve jobs and those of your groups, newest first.</p>
      {jobs.error ? <ErrorMessage error={jobs.error} what="job list" /> : null}
      {jobs.data && jobs.data.length === 0 && <p>No jobs yet. Request an archive or a retrieve on a dataset's page.</p>}
      {jobs.data && jobs.data.length > 0 && (
        <ul class="jobs">
          {jobs.data.map((j) => (
            <li key={j.id}>
              <JobLine job={j} />
              {(j.statusHistory?.length ?? 0) > 1 && (
                <details>
                  <summary>Status history</summary>
                  <StatusHistory job={j} />
                </details>
              )}
              <div class="muted">
                Datasets:{" "}
                {(j.jobParams?.datasetList ?? []).map((d, i) => <span key={d.pid}>{i > 0 && ", "}<a href={datasetUrl(d.pid)}>{d.pid}</a></span>)}
              </div>
            </li>
          ))}
        </ul>
      )}
      <Pager page={page} pageSize={PAGE} total={jobs.data && jobs.data.length < PAGE ? (page - 1) * PAGE + jobs.data.length : undefined}
        hrefFor={(p) => (p > 1 ? `/jobs?page=${p}` : "/jobs")} label="Job pages" />
    </div>
  );
}

export function JobPage({ id }: { id: string }) {
  const job = useApi((signal) => api<Job>(`/api/v4/jobs/${enc(id)}`, { signal }), [id]);
  if (job.error) return <><h1>Job</h1><ErrorMessage error={job.error} what="job" /></>;
  if (!job.data) return <p class="loading">Loading job…</p>;
  const j = job.data;
  return (
    <article>
      <h1>{j.type} job</h1>
      <p><JobLine job={j} /></p>
      <dl class="fields">
        <div><dt>Requested</dt><dd>{date(j.createdAt)} by {j.ownerUser ?? "anonymous"}</dd></div>
        <div><dt>Last change</dt><dd>{date(j.updatedAt)}</dd></div>
      </dl>
      <h2>Status history</h2>
      <StatusHistory job={j} />
      <h2>Datasets</h2>
      <ul>
        {(j.jobParams?.datasetList ?? []).map((d) => <li key={d.pid}><a href={datasetUrl(d.pid)}>{d.pid}</a></li>)}
      </ul>
      <h2>All fields</h2>
      <FieldsTable doc={j as unknown as Doc} />
    </article>
  );
}

// Every status the job has been in, oldest first (the server's statusHistory).
function StatusHistory({ job }: { job: Job }) {
  const entries = job.statusHistory ?? [];
  if (!entries.length) return <p class="muted">No status history recorded for this job.</p>;
  return (
    <ol class="status-history">
      {entries.map((e, i) => (
        <li key={i}>
          <time dateTime={e.time}>{date(e.time, true)}</time> <span class={`status status-${e.statusCode}`}>{e.statusCode}</span>
          {e.statusMessage && <span> — {e.statusMessage}</span>}
        </li>
      ))}
    </ol>
  );
}
