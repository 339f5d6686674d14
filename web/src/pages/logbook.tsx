// A proposal's electronic logbook (docs/logbook.md) on its page: the entries, newest first,
// with their Markdown rendered safely, tags and the datasets they are about; a search over
// them; and, for the proposal's members, a form to write one. Entries openem wrote itself
// (dataset registered, job state, DOI) carry the tag "automatic". Signed in, the list follows
// the server's change events (GET /api/v3/events, docs/events.md): an entry written elsewhere
// — by a colleague, or by openem when a job finishes — shows without reloading the page.
import { useEffect, useState } from "preact/hooks";
import { api, enc, qs, withToken } from "../api/client";
import { session } from "../api/session";
import type { Attachment, Doc } from "../api/types";
import { describe, ErrorMessage } from "../components/error_message";
import { date } from "../components/format";
import { Markdown } from "../components/markdown";
import { useApi } from "../components/use_api";
import { useObservable } from "../observable";
import { datasetUrl } from "../router";

interface Entry {
  id: string;
  author: string;
  createdAt: string;
  updatedAt?: string;
  text: string;
  tags?: string[];
  datasetIds?: string[];
  attachmentIds?: string[];
}

// A file as a data: URL, what an attachment's thumbnail holds.
function dataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

// What a thumbnail may become in the page: an image of a raster type, or a download of a
// passive type. Anything else (javascript:, HTML, SVG, XML, scripts) is not shown at all —
// the server refuses such files too, but an attachment may come from elsewhere.
const IMAGE = /^data:image\/(png|jpeg|gif|webp|bmp|avif)[;,]/i;
const ACTIVE = /^data:(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|[a-z]+\/(x-)?(java|ecma)script)[;,]/i;
const isFile = (url: string) => /^data:[a-z0-9.+-]+\/[a-z0-9.+-]+[;,]/i.test(url) && !ACTIVE.test(url);

// An entry's images inline, other files as downloads (never opened in the page).
function EntryAttachments({ ids, all }: { ids: string[]; all: Map<string, Attachment> }) {
  const shown = ids.map((aid) => all.get(aid)).filter((a): a is Attachment => !!a?.thumbnail && isFile(a.thumbnail));
  if (!shown.length) return null;
  return (
    <ul class="gallery">
      {shown.map((a, i) => (
        <li key={a.aid ?? i}>
          {IMAGE.test(a.thumbnail!) ? (
            <figure><img src={a.thumbnail} alt={a.caption || `Image ${i + 1}`} />{a.caption && <figcaption>{a.caption}</figcaption>}</figure>
          ) : (
            <a href={a.thumbnail} download={a.caption || "attachment"}>{a.caption || "attachment"}</a>
          )}
        </li>
      ))}
    </ul>
  );
}

const PAGE = 50;

export function Logbook({ proposal }: { proposal: Doc }) {
  const user = useObservable(session);
  const id = String(proposal["proposalId"] ?? "");
  const [search, setSearch] = useState("");
  const [text, setText] = useState("");
  const [tags, setTags] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState("");
  const entries = useApi(
    (signal) => api<Entry[]>(`/api/v3/logbooks/${enc(id)}/entries` + qs({ text: search || undefined, limit: PAGE }), { signal }),
    [id, search, user?.token],
  );
  const attachments = useApi(
    (signal) => api<Attachment[]>(`/api/v3/proposals/${enc(id)}/attachments`, { signal }),
    [id, user?.token, entries.data],
  );
  const byAid = new Map((attachments.data ?? []).map((a) => [a.aid ?? "", a]));
  // Live: any change of a logbook entry the user may read reloads the list (at most one reload
  // per second; the events say which entry changed, not in which logbook).
  const { reload } = entries;
  useEffect(() => {
    if (!user?.token || typeof EventSource === "undefined") return;
    const source = new EventSource(withToken("/api/v3/events?collections=LogbookEntry"));
    let timer: ReturnType<typeof setTimeout> | undefined;
    source.onmessage = () => {
      if (!timer) timer = setTimeout(() => { timer = undefined; reload(); }, 1000);
    };
    return () => {
      source.close();
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, user?.token]);
  const groups = user?.groups ?? [];
  const member = !!user && [proposal["ownerGroup"], ...((proposal["accessGroups"] as string[] | undefined) ?? []), "admin"]
    .some((g) => typeof g === "string" && groups.includes(g));

  const write = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    if (!text.trim()) return;
    setSending(true);
    setProblem("");
    try {
      const entry = await api<Entry>(`/api/v3/logbooks/${enc(id)}/entries`, {
        method: "POST",
        body: { text, tags: tags.split(",").map((t) => t.trim()).filter(Boolean) },
      });
      for (const file of files)
        await api(`/api/v3/logbook-entries/${enc(entry.id)}/attachments`, {
          method: "POST",
          body: { thumbnail: await dataUrl(file), caption: file.name },
        });
      setText("");
      setTags("");
      setFiles([]);
      form.reset();  // the file input shows no file any more
      entries.reload();
    } catch (err) {
      setProblem(describe(err, "logbook"));
    } finally {
      setSending(false);
    }
  };

  return (
    <section class="logbook" aria-labelledby="h-logbook">
      <h2 id="h-logbook">Logbook</h2>
      <form role="search" class="logbook-search" onSubmit={(e) => e.preventDefault()}>
        <label for="logbook-search">Search the logbook</label>
        <input id="logbook-search" type="search" value={search}
          onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} />
      </form>
      {member && (
        <form class="logbook-write" onSubmit={write}>
          <label for="logbook-text">New entry (Markdown)</label>
          <textarea id="logbook-text" rows={4} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
          <label for="logbook-tags">Tags, separated by commas</label>
          <input id="logbook-tags" type="text" value={tags} onInput={(e) => setTags((e.currentTarget as HTMLInputElement).value)} />
          <label for="logbook-files">Images and files</label>
          <input id="logbook-files" type="file" multiple
            onChange={(e) => setFiles([...((e.currentTarget as HTMLInputElement).files ?? [])])} />
          <button type="submit" disabled={sending || !text.trim()}>{sending ? "Saving…" : "Add to the logbook"}</button>
          {problem && <p class="field-error" role="alert">{problem}</p>}
        </form>
      )}
      {entries.error ? <ErrorMessage error={entries.error} what="logbook" /> : null}
      {!entries.error && !entries.data?.length && <p>{entries.loading ? "Loading the logbook…" : search ? "No entry matches." : "No entries yet."}</p>}
      <ol class="logbook-entries">
        {(entries.data ?? []).map((entry) => (
          <li key={entry.id} class={entry.tags?.includes("automatic") ? "entry automatic" : "entry"}>
            <p class="meta">
              <span>{date(entry.createdAt)}</span>
              <span>{entry.author === "openem" ? "written by openem" : entry.author}</span>
              {entry.updatedAt && entry.updatedAt !== entry.createdAt && <span>edited {date(entry.updatedAt)}</span>}
              {(entry.tags ?? []).map((t) => <span key={t} class="tag">{t}</span>)}
            </p>
            <Markdown text={entry.text} />
            <EntryAttachments ids={entry.attachmentIds ?? []} all={byAid} />
            {!!entry.datasetIds?.length && (
              <p class="about">About {entry.datasetIds.map((pid, i) => <span key={pid}>{i > 0 && ", "}<a href={datasetUrl(pid)}>{pid}</a></span>)}</p>
            )}
          </li>
        ))}
      </ol>
      {(entries.data?.length ?? 0) >= PAGE && <p class="muted">The newest {PAGE} entries; search to find older ones.</p>}
    </section>
  );
}
