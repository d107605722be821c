// Bundle the browser side of kith's web app into src/kith/web/static/
// (or into the folder given as the first argument: the tests build into a
// temporary folder and compare it with the committed bundle).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, "..", "src", "kith", "web", "static"));

await build({
  entryPoints: [join(here, "src", "app.js"), join(here, "src", "network.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "none",
  outdir: join(out, "js"),
  logLevel: "warning",
});

// Swagger UI for /docs, served by the app itself (no CDN at run time).
mkdirSync(join(out, "docs"), { recursive: true });
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
  copyFileSync(join(here, "node_modules", "swagger-ui-dist", name), join(out, "docs", name));
}
