// The signed-in user, kept in localStorage so that it survives reloads and is shared by tabs.
// The token is the API's own JWT (POST /api/v3/auth/login); its expiry is read from the
// token's `exp` claim and the session dropped before a request would carry an expired token:
// the server answers such a request 401 "SESSION_EXPIRED" (as upstream SciCat), where public
// pages should simply go on as anonymous, with a note to sign in again.
import { Observable } from "../observable";

export interface Session {
  token: string;
  userId: string;
  username: string;
  email: string;
  groups: string[]; // as the server said at sign-in (GET /api/v3/auth/whoami)
  expiresAt: number; // ms since the epoch
}

const KEY = "openem.session";

function load(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export const session = new Observable<Session | null>(load());
// Set when a session ran out while in use; the layout shows "sign in again" until cleared.
export const sessionExpired = new Observable<boolean>(false);

export function setSession(s: Session | null): void {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
  session.set(s);
  if (s) sessionExpired.set(false);
}

// The current token, or null for anonymous. An expired session is dropped here (and the
// expiry announced) so that no request silently runs as anonymous with a dead token.
export function currentToken(): string | null {
  const s = session.get();
  if (!s) return null;
  if (Date.now() >= s.expiresAt) {
    setSession(null);
    sessionExpired.set(true);
    return null;
  }
  return s.token;
}

// The `exp` claim of a JWT, in ms; falls back to `fallbackSeconds` from now.
export function tokenExpiry(token: string, fallbackSeconds: number): number {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const exp = (JSON.parse(json) as { exp?: number }).exp;
    if (typeof exp === "number") return exp * 1000;
  } catch {
    /* not a JWT we can read: use the login response's lifetime */
  }
  return Date.now() + fallbackSeconds * 1000;
}

// Starts a session with a token the server issued (local sign-in, or the identity
// provider's sign-in that comes back to /auth-callback): the user's name, e-mail and groups
// as the server says them now.
export async function startSession(token: string, userId: string, lifetimeSeconds = 3600): Promise<Session> {
  const who = await fetch("/api/v3/auth/whoami", { headers: { Authorization: "Bearer " + token } })
    .then((x) => x.json() as Promise<{ username?: string; email?: string; currentGroups?: string[] }>)
    .catch(() => ({}) as { username?: string; email?: string; currentGroups?: string[] });
  if (!who.username) throw new Error("The server did not accept the new sign-in.");
  const s: Session = {
    token,
    userId,
    username: who.username,
    email: who.email ?? "",
    groups: who.currentGroups ?? [],
    expiresAt: tokenExpiry(token, lifetimeSeconds),
  };
  setSession(s);
  return s;
}

// Only same-site paths are followed after sign-in.
export const safeNext = (n: string | null | undefined) => (n && n.startsWith("/") && !n.startsWith("//") && !n.startsWith("/\\") ? n : "/");

// Keeps tabs in step: signing in or out in one tab applies to all.
window.addEventListener("storage", (e) => {
  if (e.key === KEY) session.set(load());
});
