// The signed-in user's page: name, e-mail, groups (as the server sees them now), the API
// token to copy for the CLI and scripts, and sign-out.
import { api } from "../api/client";
import { session, setSession } from "../api/session";
import type { WhoAmI } from "../api/types";
import { CopyButton } from "../components/copy_button";
import { ErrorMessage } from "../components/error_message";
import { date } from "../components/format";
import { useApi } from "../components/use_api";
import { useObservable } from "../observable";
import { navigate } from "../router";
import { PersonalTokens } from "./personal_tokens";

// Ends the token at the server; a user of the identity provider is sent on to end the
// provider's session too (the server's logoutURL, as upstream's OIDC_AUTO_LOGOUT), so the next
// person at this browser is not signed in again without a password.
export async function signOut(): Promise<void> {
  let providerLogout: string | undefined;
  try {
    providerLogout = (await api<{ logoutURL?: string }>("/api/v3/auth/logout", { method: "POST" })).logoutURL;
  } catch {
    /* the token is dropped here whatever the server says */
  }
  setSession(null);
  if (providerLogout && /^https?:\/\//.test(providerLogout)) window.location.assign(providerLogout);
  else navigate("/");
}

export function UserPage() {
  const user = useObservable(session);
  const who = useApi((signal) => api<WhoAmI>("/api/v3/auth/whoami", { signal }), [user?.token]);
  if (!user) return <><h1>Your account</h1><p><a href="/signin?next=%2Fuser">Sign in</a> to see your account.</p></>;
  const groups = who.data?.currentGroups ?? user.groups;
  return (
    <div>
      <h1>{user.username}</h1>
      {who.error ? <ErrorMessage error={who.error} what="account" /> : null}
      <dl class="fields">
        <div><dt>E-mail</dt><dd>{who.data?.email ?? user.email}</dd></div>
        <div><dt>Groups</dt><dd><ul class="groups">{groups.map((g) => <li key={g}>{g}</li>)}</ul></dd></div>
        <div><dt>Session ends</dt><dd>{date(new Date(user.expiresAt).toISOString())}</dd></div>
      </dl>
      <h2>Session token</h2>
      <p>Use it with the CLI or any SciCat client, as <code>Authorization: Bearer &lt;token&gt;</code>. It ends with your session.</p>
      <label for="token">Your token</label>
      <textarea id="token" class="token" readOnly rows={3} value={user.token} onFocus={(e) => e.currentTarget.select()} />
      <p><CopyButton text={user.token} label="Copy token" /></p>
      <PersonalTokens />
      <p><button type="button" onClick={() => void signOut()}>Sign out</button></p>
    </div>
  );
}
