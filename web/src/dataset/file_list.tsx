// The dataset's files from its file lists (origdatablocks): filterable by path, paged on the
// page (a list of 100,000 files arrives once and is sliced here), each with size, checksum
// and a download link; plus the whole dataset as one BagIt tar.
import { useMemo, useState } from "preact/hooks";
import { api, enc, withToken } from "../api/client";
import type { DataFile, OrigDatablock } from "../api/types";
import { ErrorMessage } from "../components/error_message";
import { bytes, date } from "../components/format";
import { useApi } from "../components/use_api";

const PAGE = 50;

const fileUrl = (pid: string, path: string) =>
  `/api/v3/datasets/${enc(pid)}/files/${path.split("/").map(enc).join("/")}`;

export function FileList({ pid }: { pid: string }) {
  const blocks = useApi((signal) => api<OrigDatablock[]>(`/api/v3/datasets/${enc(pid)}/origdatablocks`, { signal }), [pid]);
  const [filter, setFilter] = useState("");
  const [page, setPage] = useState(1);
  const files = useMemo(() => (blocks.data ?? []).flatMap((b) => b.dataFileList ?? []), [blocks.data]);
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? files.filter((x) => x.path.toLowerCase().includes(f)) : files;
  }, [files, filter]);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  const current = Math.min(page, pages);
  const slice: DataFile[] = shown.slice((current - 1) * PAGE, current * PAGE);

  if (blocks.error) return <ErrorMessage error={blocks.error} what="file list" />;
  if (!blocks.data) return <p>Loading files…</p>;
  return (
    <div>
      <p>
        <a class="button" href={withToken(`/api/v3/datasets/${enc(pid)}/download`)} download>
          Download the whole dataset (tar)
        </a>{" "}
        {files.length.toLocaleString("en")} file{files.length === 1 ? "" : "s"},{" "}
        {bytes(files.reduce((n, f) => n + (f.size || 0), 0))}
      </p>
      {files.length > 0 && (
        <div class="field">
          <label for="file-filter">Filter files by path</label>
          <input id="file-filter" type="search" value={filter}
            onInput={(e) => { setFilter(e.currentTarget.value); setPage(1); }} />
        </div>
      )}
      {slice.length > 0 && (
        <div class="table-scroll">
          <table class="files">
            <caption class="visually-hidden">Files, page {current} of {pages}</caption>
            <thead>
              <tr><th scope="col">Path</th><th scope="col">Size</th><th scope="col">Modified</th><th scope="col">Checksum</th></tr>
            </thead>
            <tbody>
              {slice.map((f) => (
                <tr key={f.path}>
                  <td><a href={withToken(fileUrl(pid, f.path))} download={f.path.split("/").pop()}>{f.path}</a></td>
                  <td class="num">{bytes(f.size)}</td>
                  <td>{date(f.time)}</td>
                  <td class="chk">{f.chk || "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {shown.length === 0 && files.length > 0 && <p>No file path contains “{filter}”.</p>}
      {pages > 1 && (
        <nav class="pager" aria-label="File pages">
          <button type="button" disabled={current <= 1} onClick={() => setPage(current - 1)}>‹ Previous</button>
          <span>Files {((current - 1) * PAGE + 1).toLocaleString("en")}–{Math.min(current * PAGE, shown.length).toLocaleString("en")} of {shown.length.toLocaleString("en")}</span>
          <button type="button" disabled={current >= pages} onClick={() => setPage(current + 1)}>Next ›</button>
        </nav>
      )}
    </div>
  );
}
