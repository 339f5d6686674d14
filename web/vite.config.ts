// The portal's build: one entry (index.html), hashed files under dist/assets/ that openem
// serves with year-long cache headers, and a manifest (dist/.vite/manifest.json) that lets a
// server-rendered page (the publishing landing page) include the same bundle.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    assetsDir: "assets",
    manifest: true,
    target: "es2022",
    sourcemap: false,
  },
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  server: {
    // `npm run dev` against a local `openem serve`.
    proxy: { "/api": "http://127.0.0.1:3000" },
  },
});
