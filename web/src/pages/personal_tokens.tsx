// The user page's "Personal API tokens": make a token for a script or the ingestor (name,
// scope, lifetime), see it once to copy, list and revoke tokens (docs/security.md "API
// tokens"). The server decides everything; this page only asks.
import { useState } from "preact/hooks";
import { api } from "../api/client";
import { CopyButton } from "../components/copy_button";
import { ErrorMessage, describe } from "../components/error_message";
import { date } from "../components/format";
import { useApi } from "../components/use_api";

interface PersonalToken {
  id: string;
  name: string;
  scope: "read" | "ingest" | "admin";
  createdAt: string;
  expiresAt: string | null;
}

const SCOPES: [PersonalToken["scope"], string][] = [
  ["read", "read — look only"],
  ["ingest", "ingest — read and add data (openem ingest)"],
  ["admin", "admin — everything you may do"],
];
const LIFETIMES: [string, string][] = [
  ["30d", "30 days"],
  ["90d", "90 days"],
  ["1y", "1 year"],
  ["never", "no expiry"],
];

export function PersonalTokens() {
  const tokens = useApi((signal) => api<PersonalToken[]>("/api/v3/users/my/tokens", { signal }), []);
  const [name, setName] = useState("");
  const [scope, setScope] = useState<PersonalToken["scope"]>("ingest");
  const [lifetime, setLifetime] = useState("90d");
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState("");

  const create = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      const r = await api<PersonalToken & { token: string }>("/api/v3/users/my/tokens", {
        method: "POST",
        body: { name, scope, expiresIn: lifetime },
      });
      setCreated({ name: r.name, token: r.token });
      setName("");
      tokens.reload();
    } catch (err) {
      setError(describe(err, "token"));
    }
  };
  const revoke = async (t: PersonalToken) => {
    setError("");
    try {
      await api(`/api/v3/users/my/tokens/${encodeURIComponent(t.id)}`, { method: "DELETE" });
      tokens.reload();
    } catch (err) {
      setError(describe(err, "token"));
    }
  };

  return (
    <section aria-labelledby="personal-tokens">
      <h2 id="personal-tokens">Personal API tokens</h2>
      <p>For scripts and <code>openem login --token</code>: they stay valid after you sign out, until they expire or you revoke them.</p>
      {tokens.error ? <ErrorMessage error={tokens.error} what="token list" /> : null}
      {tokens.data && tokens.data.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Your tokens">
        <table id="token-list">
          <thead><tr><th>Name</th><th>Scope</th><th>Made</th><th>Expires</th><th><span class="visually-hidden">Revoke</span></th></tr></thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{t.scope}</td>
                <td>{date(t.createdAt)}</td>
                <td>{t.expiresAt ? date(t.expiresAt) : "never"}</td>
                <td><button type="button" onClick={() => void revoke(t)} aria-label={`Revoke ${t.name}`}>Revoke</button></td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {created && (
        <div class="notice" role="status">
          <p>Token <strong>{created.name}</strong> — copy it now, it is not shown again:</p>
          <label for="new-token">New token</label>
          <textarea id="new-token" class="token" readOnly rows={2} value={created.token} onFocus={(e) => e.currentTarget.select()} />
          <p><CopyButton text={created.token} label="Copy new token" /></p>
        </div>
      )}
      <form onSubmit={create} id="token-form">
        <div class="field">
          <label for="token-name">Name</label>
          <input id="token-name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="token-scope">Scope</label>
          <select id="token-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as PersonalToken["scope"])}>
            {SCOPES.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="token-lifetime">Valid for</label>
          <select id="token-lifetime" value={lifetime} onChange={(e) => setLifetime(e.currentTarget.value)}>
            {LIFETIMES.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
          </select>
        </div>
        <p class="field-error" role="alert">{error}</p>
        <button type="submit">Make token</button>
      </form>
    </section>
  );
}
