// Sign-in with a local account (POST /api/v3/auth/login), then back to where the user was.
import { useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import { setSession, tokenExpiry } from "../api/session";
import type { WhoAmI } from "../api/types";
import { describe } from "../components/error_message";
import { navigate, useLocation } from "../router";

interface LoginAnswer {
  access_token: string;
  id: string;
  expires_in?: number;
  userId: string;
  user?: { username?: string; email?: string };
}

// Only same-site paths are followed after sign-in.
const safeNext = (n: string | null) => (n && n.startsWith("/") && !n.startsWith("//") ? n : "/");

export function SignInPage() {
  const loc = useLocation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const r = await api<LoginAnswer>("/api/v3/auth/login", { method: "POST", body: { username, password }, anonymous: true });
      const token = r.access_token || r.id;
      const who = await fetch("/api/v3/auth/whoami", { headers: { Authorization: "Bearer " + token } })
        .then((x) => x.json() as Promise<WhoAmI>).catch(() => ({}) as WhoAmI);
      setSession({
        token,
        userId: r.userId,
        username: r.user?.username ?? username,
        email: r.user?.email ?? "",
        groups: who.currentGroups ?? [],
        expiresAt: tokenExpiry(token, r.expires_in ?? 3600),
      });
      navigate(safeNext(loc.search.get("next")), { replace: true });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? "Wrong user name or password." : describe(err, "account"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit}>
        <div class="field">
          <label for="username">User name</label>
          <input id="username" name="username" autoComplete="username" required value={username}
            onInput={(e) => setUsername(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required value={password}
            onInput={(e) => setPassword(e.currentTarget.value)} />
        </div>
        <p class="field-error" role="alert">{error}</p>
        <button type="submit" disabled={busy}>Sign in</button>
      </form>
      <p class="muted">Local accounts of this openem server. The administrator's first password is printed when the server starts for the first time.</p>
    </div>
  );
}
