// After `vite build`: prints the gzip size of the JavaScript and CSS the first page loads
// (the entry and its static imports, from Vite's manifest), fails the build above the issue's
// budget of 150 kB gzip for JavaScript, and writes a .gz beside each text asset so that
// `openem serve` can send it precompressed.
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const dist = new URL("../dist/", import.meta.url).pathname;
const BUDGET_JS_GZIP = 150 * 1024;
const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));

function firstPageFiles(key, seen = new Set()) {
  const chunk = manifest[key];
  if (!chunk || seen.has(key)) return seen;
  seen.add(key);
  for (const imp of chunk.imports ?? []) firstPageFiles(imp, seen);
  return seen;
}
const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const js = [], css = [];
for (const key of firstPageFiles(entryKey)) {
  js.push(manifest[key].file);
  css.push(...(manifest[key].css ?? []));
}
const gz = (f) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
const jsBytes = js.reduce((n, f) => n + gz(f), 0);
const cssBytes = css.reduce((n, f) => n + gz(f), 0);
const kb = (n) => (n / 1024).toFixed(1) + " kB";
console.log(`portal first page: JavaScript ${kb(jsBytes)} gzip (budget ${kb(BUDGET_JS_GZIP)}), CSS ${kb(cssBytes)} gzip`);
writeFileSync(join(dist, "bundle-size.json"), JSON.stringify({ jsGzipBytes: jsBytes, cssGzipBytes: cssBytes, js, css }, null, 1) + "\n");

for (const f of readdirSync(join(dist, "assets"))) {
  if (/\.(js|css|svg|json)$/.test(f)) {
    const path = join(dist, "assets", f);
    writeFileSync(path + ".gz", gzipSync(readFileSync(path), { level: 9 }));
  }
}
if (jsBytes > BUDGET_JS_GZIP) {
  console.error("portal: first-page JavaScript is over budget");
  process.exit(1);
}
