// A throwaway RabbitMQ broker for the tests: Debian's rabbitmq-server started directly (not
// through its service wrapper) in a temporary folder, on free loopback ports for AMQP, Erlang
// distribution and epmd, with its own Erlang cookie; stopped with its whole process group.
// The default guest account works, as it does from loopback.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { freePort } from "../identity/oidc_provider.mjs";

const BIN = "/usr/lib/rabbitmq/bin";

export async function startRabbitmq({ port } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "openem-rabbitmq-"));
  const amqpPort = port ?? (await freePort());
  const nodename = `openem${amqpPort}@localhost`;
  const env = {
    PATH: process.env.PATH, HOME: dir, LANG: "C.UTF-8",
    RABBITMQ_NODENAME: nodename, RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1", RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(await freePort()), ERL_EPMD_PORT: String(await freePort()),
    RABBITMQ_MNESIA_BASE: join(dir, "mnesia"), RABBITMQ_LOG_BASE: join(dir, "log"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "plugins"), RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq"),
    RABBITMQ_PID_FILE: join(dir, "pid"),
  };
  writeFileSync(join(dir, "plugins"), "[].\n");
  writeFileSync(join(dir, "rabbitmq.conf"), "listeners.tcp.default = " + amqpPort + "\n");
  let log = "";
  const child = spawn(join(BIN, "rabbitmq-server"), [], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d) => (log = (log + d).slice(-20000)));
  child.stderr.on("data", (d) => (log = (log + d).slice(-20000)));
  const ctl = (...args) => spawnSync(join(BIN, "rabbitmqctl"), ["-n", nodename, ...args], { env, encoding: "utf8", timeout: 30000 });
  const deadline = Date.now() + 90000;
  for (;;) {
    if (child.exitCode !== null) throw new Error("rabbitmq-server exited:\n" + log);
    if (ctl("await_startup").status === 0) break;
    if (Date.now() > deadline) throw new Error("rabbitmq-server did not start in 90 s:\n" + log);
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    port: amqpPort,
    url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
    ctl,
    async stop() {
      if (child.exitCode === null) {
        try { process.kill(-child.pid, "SIGTERM"); } catch {}
        await new Promise((r) => { const t = setTimeout(() => { try { process.kill(-child.pid, "SIGKILL"); } catch {} r(); }, 15000); child.on("exit", () => { clearTimeout(t); r(); }); });
      }
      // epmd, started by the node on its own port, outlives it
      spawnSync("epmd", ["-kill"], { env });
    },
    remove() { rmSync(dir, { recursive: true, force: true }); },
  };
}
