// The portal benchmark's measurement (run by run.sh against a loaded server): for each
// principal and scenario, RUNS fresh page loads in chromium; "first results" is the time
// from navigation start to the portal's `openem:first-results` performance mark (set in the
// frame after the result list is rendered); the baseline is the same fullquery request made
// with fetch() from the same page (the bare API time the portal cannot beat).
import { readFileSync, writeFileSync } from "node:fs";
import { launch } from "../../tests/portal/browser.mjs";

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (i % 2 ? a : [...a, [v.replace(/^--/, ""), all[i + 1]]]), []));
const base = args.url;
const RUNS = Number(args.runs || 15);

async function login(user, password) {
  const r = await fetch(base + "/api/v3/auth/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: user, password }) });
  const j = await r.json();
  return { token: j.id, userId: j.userId, username: user, email: "", groups: [], expiresAt: Date.now() + 3600e3 };
}

const q = (o) => encodeURIComponent(JSON.stringify(o));
const facets = await (await fetch(`${base}/api/v3/datasets/fullfacet?fields=${q({})}&facets=${q(["creationLocation"])}`)).json();
const instrument = facets[0]?.creationLocation?.[0]?._id ?? "krios-1";
const limits = (page) => ({ skip: (page - 1) * 25, limit: 25, order: "creationTime:desc" });
const SCENARIOS = [
  { name: "home", path: "/", fields: {}, page: 1 },
  { name: "text search", path: "/?q=apoferritin", fields: { text: "apoferritin" }, page: 1 },
  {
    name: "facet + unit condition",
    path: `/?f.creationLocation=${encodeURIComponent(instrument)}&c=${encodeURIComponent("acquisition.pixel_size < 1.2 Å")}`,
    fields: { creationLocation: [instrument], scientific: [{ lhs: "acquisition.pixel_size", relation: "LESS_THAN", rhs: 1.2, unit: "Å" }] },
    page: 1,
  },
  { name: "page 400", path: "/?page=400", fields: {}, page: 400 },
];

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: at(0.5), p90: at(0.9), min: s[0], max: s[s.length - 1] };
};

const browser = await launch({ width: 1280, height: 900 });
const results = [];
try {
  for (const who of ["anonymous", "u3"]) {
    const session = who === "anonymous" ? null : await login(args.user, args.password);
    const page = await browser.context.newPage();
    await page.addInitScript((s) => {
      if (s) localStorage.setItem("openem.session", JSON.stringify(s));
      else localStorage.removeItem("openem.session");
    }, session);
    for (const sc of SCENARIOS) {
      const first = [], api = [], dcl = [];
      const apiUrl = `/api/v3/datasets/fullquery?fields=${q(sc.fields)}&limits=${q(limits(sc.page))}`;
      for (let i = 0; i <= RUNS; i++) {  // run 0 warms the caches and is not counted
        await page.goto(base + sc.path);
        await page.waitForFunction(() => performance.getEntriesByName("openem:first-results").length > 0, null, { timeout: 60000 });
        const t = await page.evaluate(() => ({
          first: performance.getEntriesByName("openem:first-results")[0].startTime,
          dcl: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
          shown: document.querySelectorAll(".result").length,
        }));
        const bare = await page.evaluate(async ([url, token]) => {
          const t0 = performance.now();
          const r = await fetch(url, { headers: token ? { Authorization: "Bearer " + token } : {} });
          await r.json();
          return performance.now() - t0;
        }, [apiUrl, session?.token ?? null]);
        if (i === 0) {
          if (!t.shown && sc.name !== "page 400") console.error(`portal bench: ${who} ${sc.name} shows no results`);
          continue;
        }
        first.push(t.first); api.push(bare); dcl.push(t.dcl);
      }
      results.push({ principal: who, scenario: sc.name, path: sc.path, first_results_ms: stats(first), bare_fullquery_ms: stats(api), dom_content_loaded_ms: stats(dcl) });
      console.error(`portal bench: ${who} ${sc.name}: first results ${stats(first).median.toFixed(0)} ms (API ${stats(api).median.toFixed(0)} ms)`);
    }
    await page.close();
  }
} finally {
  await browser.close();
}

const bundle = JSON.parse(readFileSync(args.bundle, "utf8"));
const out = {
  benchmark: "portal",
  date: new Date().toISOString(),
  git_rev: args["git-rev"],
  datasets: Number(args.n),
  runs_per_scenario: RUNS,
  machine: { cores: (await import("node:os")).cpus().length },
  first_page_js_gzip_bytes: bundle.jsGzipBytes,
  first_page_css_gzip_bytes: bundle.cssGzipBytes,
  load: args.load && args.load !== "null" ? JSON.parse(args.load) : null,
  results,
};
writeFileSync(args.out, JSON.stringify(out, null, 1) + "\n");

const f = (x) => x.toFixed(0);
console.log(`\nportal at ${Number(args.n).toLocaleString("en")} datasets, ${RUNS} page loads each (median / p90 ms); first page JS ${(bundle.jsGzipBytes / 1024).toFixed(1)} kB gzip\n`);
console.log("| who | page | first results visible | bare fullquery (baseline) | DOMContentLoaded |");
console.log("|---|---|---|---|---|");
for (const r of results)
  console.log(`| ${r.principal} | ${r.scenario} | ${f(r.first_results_ms.median)} / ${f(r.first_results_ms.p90)} | ${f(r.bare_fullquery_ms.median)} / ${f(r.bare_fullquery_ms.p90)} | ${f(r.dom_content_loaded_ms.median)} |`);
