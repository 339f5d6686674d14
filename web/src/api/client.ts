// The one way the portal talks to openem: fetch against the public SciCat API (/api/v3,
// /api/v4), with the session's token, turning every failure into an ApiError whose message
// a scientist can read.
import { currentToken, session, sessionExpired, setSession } from "./session";

export class ApiError extends Error {
  constructor(
    readonly status: number, // 0: the server could not be reached
    message: string,
    readonly messages: string[] = [message],
  ) {
    super(message);
  }
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  anonymous?: boolean; // send no token (login)
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = opts.anonymous ? null : currentToken();
  if (token) headers["Authorization"] = "Bearer " + token;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? "GET",
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "The openem server could not be reached. Check your connection and try again.");
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!res.ok) {
    if (res.status === 401 && token && session.get()?.token === token) {
      // The server no longer takes the token (signed out elsewhere, secret changed).
      setSession(null);
      sessionExpired.set(true);
    }
    const raw = (body as { message?: unknown } | null)?.message;
    const messages = Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? [raw] : [res.statusText];
    const retry = res.headers.get("Retry-After");
    const shown = res.status === 503 && retry ? `${messages[0]} (try again in ${retry} s)` : messages.join("; ");
    throw new ApiError(res.status, shown || `HTTP ${res.status}`, messages);
  }
  return body as T;
}

// JSON query parameters the SciCat way: ?fields=<json>&limits=<json>.
export function qs(params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(typeof v === "string" ? v : JSON.stringify(v)));
  }
  return parts.length ? "?" + parts.join("&") : "";
}

export const enc = encodeURIComponent;

// A download URL for a plain link: links cannot send headers, so the token goes in the
// query (?access_token=, which the API accepts as SciCat does).
export function withToken(url: string): string {
  const token = currentToken();
  if (!token) return url;
  return url + (url.includes("?") ? "&" : "?") + "access_token=" + enc(token);
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === "AbortError";
}
