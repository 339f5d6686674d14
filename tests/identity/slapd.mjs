// A throwaway OpenLDAP server for the identity tests: Debian's slapd, started in a temporary
// folder on 127.0.0.1 with an MDB database and the memberof overlay, listening on ldap://
// (StartTLS offered) and ldaps:// with a self-signed certificate for 127.0.0.1 made by the
// openssl command (its file is the CA a client must trust), filled with ldapadd as
// its root DN (so memberOf is maintained as in a real directory). Anonymous users may only
// bind; bound users (the service account) may read. Stopped and removed by close().
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { freePort } from "./oidc_provider.mjs";

export const SUFFIX = "dc=facility,dc=example";
export const ROOT_DN = `cn=admin,${SUFFIX}`;
const ROOT_PW = "root-secret";

const SLAPD = ["/usr/sbin/slapd", "/usr/local/sbin/slapd"].find((p) => { try { execFileSync("test", ["-x", p]); return true; } catch { return false; } });

// ldif: entries below the suffix (the suffix and ou=people/groups/services are made here).
export async function startSlapd(ldif) {
  if (!SLAPD) throw new Error("slapd is not installed (scripts/install-deps.sh installs Debian's slapd)");
  const dir = mkdtempSync(join(tmpdir(), "openem-slapd-"));
  mkdirSync(join(dir, "db"));
  const port = await freePort(), tlsPort = await freePort();
  const url = `ldap://127.0.0.1:${port}`, ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;
  const caFile = join(dir, "cert.pem"), keyFile = join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", keyFile, "-out", caFile], { stdio: "ignore" });
  writeFileSync(join(dir, "slapd.conf"), `
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile ${dir}/slapd.pid
TLSCertificateFile ${caFile}
TLSCertificateKeyFile ${keyFile}
database mdb
maxsize 10485760
suffix "${SUFFIX}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PW}
directory ${dir}/db
overlay memberof
access to attrs=userPassword by anonymous auth by self write by * none
access to * by users read by * none
`);
  const child = spawn(SLAPD, ["-f", join(dir, "slapd.conf"), "-h", `${url}/ ${ldapsUrl}/`, "-d", "0"], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => { log = (log + d).slice(-5000); });
  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      execFileSync("ldapsearch", ["-x", "-H", url, "-D", ROOT_DN, "-w", ROOT_PW, "-b", "", "-s", "base"], { stdio: "ignore" });
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`slapd did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const base = `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: facility\no: Facility\n\n` +
    ["people", "groups", "services"].map((ou) => `dn: ou=${ou},${SUFFIX}\nobjectClass: organizationalUnit\nou: ${ou}\n\n`).join("");
  execFileSync("ldapadd", ["-x", "-H", url, "-D", ROOT_DN, "-w", ROOT_PW], { input: base + ldif, stdio: ["pipe", "ignore", "pipe"] });
  return {
    url,
    ldapsUrl,
    caFile,
    async close() {
      child.kill("SIGTERM");
      await new Promise((r) => { const t = setTimeout(() => { child.kill("SIGKILL"); r(); }, 5000); child.on("exit", () => { clearTimeout(t); r(); }); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
