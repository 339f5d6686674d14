// A real OpenID Provider for the identity tests: npm `oidc-provider` (a certified
// implementation), started in this Node process on 127.0.0.1 with the clients and accounts the
// test gives. Its development sign-in pages (devInteractions) take any password; accounts and
// their claims come from `accounts`, which the test may change between sign-ins (groups
// refreshed at each sign-in). Access tokens for the resource OPENEM_RESOURCE are JWTs signed
// with the provider's RS256 key and carry the account's groups, as Keycloak's do.
//
// The package is installed with npm into a test-local folder (OPENEM_OIDC_PROVIDER_DIR,
// default $TMPDIR/openem-oidc-provider-<version>, reused between runs).
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const OIDC_PROVIDER_VERSION = "9.13.3";
export const OPENEM_RESOURCE = "urn:openem:api";

async function loadProvider() {
  const dir = process.env.OPENEM_OIDC_PROVIDER_DIR ?? join(tmpdir(), `openem-oidc-provider-${OIDC_PROVIDER_VERSION}`);
  const main = join(dir, "node_modules", "oidc-provider", "lib", "index.js");
  if (!existsSync(main))
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir,
                         `oidc-provider@${OIDC_PROVIDER_VERSION}`], { stdio: "inherit" });
  return (await import(pathToFileURL(main).href)).default;
}

// A port nobody listens on right now (for a server that must know its URL before it starts).
export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// clients: oidc-provider client metadata; accounts: { id: { claims... } } (mutable).
export async function startProvider({ clients, accounts }) {
  const Provider = await loadProvider();
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [{ ...key, kid: "test-key-1", alg: "RS256", use: "sig" }] },
    findAccount: async (ctx, id) => accounts[id] && {
      accountId: id,
      claims: async () => ({ sub: id, ...accounts[id] }),
    },
    claims: { openid: ["sub"], profile: ["name", "preferred_username"], email: ["email"], groups: ["groups"] },
    scopes: ["openid", "profile", "email", "groups"],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => OPENEM_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: "openid profile email groups",
          audience: OPENEM_RESOURCE,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
    extraTokenClaims: async (ctx, token) => (token.accountId && accounts[token.accountId]
      ? { groups: accounts[token.accountId].groups ?? [] } : {}),
  });
  provider.on("server_error", (ctx, err) => console.error("oidc-provider:", err));
  provider.proxy = false;
  const server = provider.listen(port, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return { issuer, port, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }) };
}
