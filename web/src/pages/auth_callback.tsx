// Where the identity provider's sign-in ends (the server's OIDC_SUCCESS_URL default): the
// server sends the browser here with ?access-token=&user-id=&returnUrl= (as upstream SciCat
// does for its frontend's /auth-callback), or with ?error= when the sign-in failed. The
// token leaves the address bar at once (history.replaceState), then the session starts and
// the user goes on to returnUrl.
import { useEffect, useState } from "preact/hooks";
import { safeNext, startSession } from "../api/session";
import { navigate } from "../router";

export function AuthCallbackPage() {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const q = new URLSearchParams(window.location.search);
    history.replaceState(null, "", "/auth-callback");
    const token = q.get("access-token");
    if (!token) {
      setError(q.get("error") || "The sign-in did not finish.");
      return;
    }
    startSession(token, q.get("user-id") ?? "").then(
      () => navigate(safeNext(q.get("returnUrl")), { replace: true }),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, []);
  if (error === null) return <p aria-live="polite">Signing in…</p>;
  return (
    <div class="narrow">
      <h1>Sign-in failed</h1>
      <p class="field-error" role="alert" id="signin-error">{error}</p>
      <p><a href="/signin">Try again</a></p>
    </div>
  );
}
