// The catalog's scientific-metadata key names (GET /api/v3/datasets/metadataKeys), fetched
// once per session change and shared, to resolve "pixel size" to "acquisition.pixel_size".
import { api, qs } from "../api/client";
import { session } from "../api/session";

let cached: { token: string | null; keys: Promise<string[]> } | null = null;

export function metadataKeys(): Promise<string[]> {
  const token = session.get()?.token ?? null;
  if (!cached || cached.token !== token) {
    const keys = api<string[]>("/api/v3/datasets/metadataKeys" + qs({ fields: {}, limits: { limit: 2000 } })).catch(() => []);
    cached = { token, keys };
  }
  return cached.keys;
}
