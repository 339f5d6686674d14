// The dataset's attachments (thumbnails and captions) as a gallery.
import { api, enc } from "../api/client";
import type { Attachment } from "../api/types";
import { useApi } from "../components/use_api";

export function Attachments({ pid }: { pid: string }) {
  const list = useApi((signal) => api<Attachment[]>(`/api/v3/datasets/${enc(pid)}/attachments`, { signal }), [pid]);
  const items = (list.data ?? []).filter((a) => a.thumbnail?.startsWith("data:image/"));
  if (!items.length) return <p>{list.loading ? "Loading attachments…" : "No attachments."}</p>;
  return (
    <ul class="gallery">
      {items.map((a, i) => (
        <li key={a.id ?? a.aid ?? i}>
          <figure>
            <img src={a.thumbnail} alt={a.caption || `Attachment ${i + 1}`} />
            {a.caption && <figcaption>{a.caption}</figcaption>}
          </figure>
        </li>
      ))}
    </ul>
  );
}
