// Sign-in with a local account (POST /api/v3/auth/login), or through the facility's identity
// provider when the server offers one (its frontend configuration lists it under
// oAuth2Endpoints; the provider comes back to /auth-callback), then back to where the user was.
import { useState } from "preact/hooks";
import { ApiError, api } from "../api/client";
import { safeNext, startSession } from "../api/session";
import { describe } from "../components/error_message";
import { useApi } from "../components/use_api";
import { navigate, useLocation } from "../router";

interface LoginAnswer {
  access_token: string;
  id: string;
  expires_in?: number;
  userId: string;
}

interface ProviderButton {
  authURL: string;
  displayText?: string;
}

// The identity providers' sign-in buttons; none when the server has none or does not say.
function useProviderButtons(): ProviderButton[] {
  const config = useApi(
    (signal) => api<{ oAuth2Endpoints?: ProviderButton[] }>("/api/v3/admin/config", { signal, anonymous: true }),
    [],
  );
  return (config.data?.oAuth2Endpoints ?? []).filter((b) => typeof b.authURL === "string" && /^\/?api\//.test(b.authURL));
}

export function SignInPage() {
  const loc = useLocation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const providers = useProviderButtons();
  const next = safeNext(loc.search.get("next"));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const r = await api<LoginAnswer>("/api/v3/auth/login", { method: "POST", body: { username, password }, anonymous: true });
      await startSession(r.access_token || r.id, r.userId, r.expires_in ?? 3600);
      navigate(next, { replace: true });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? "Wrong user name or password." : describe(err, "account"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="narrow">
      <h1>Sign in</h1>
      {providers.map((p) => (
        <p key={p.authURL}>
          <a class="button" id="provider-signin"
            href={"/" + p.authURL.replace(/^\//, "") + "?returnUrl=" + encodeURIComponent(next)}>
            {p.displayText || "Sign in with your institution"}
          </a>
        </p>
      ))}
      {providers.length > 0 && <p class="muted">Or with a local account of this server:</p>}
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
