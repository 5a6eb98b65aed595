// Bundles and copies front-end libraries from node_modules into the portal's static folder.
// Run by the setup command after `npm ci`; nothing is fetched at run time.
import { build } from "esbuild";
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src/onevisit/portal/static/portal/vendor");
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(root, "assets/flowchart.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2019"],
  legalComments: "linked",
  outfile: join(out, "flowchart.js"),
  logLevel: "warning",
});

const copies = [
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["node_modules/bpmn-js/dist/assets/diagram-js.css", "diagram-js.css"],
  ["node_modules/bpmn-js/dist/assets/bpmn-js.css", "bpmn-js.css"],
  ["node_modules/bpmn-js/dist/assets/bpmn-font", "bpmn-font"],
  ["node_modules/axe-core/axe.min.js", "axe.min.js"],
];
for (const [from, to] of copies) {
  cpSync(join(root, from), join(out, to), { recursive: true });
}
console.log(`assets built into ${out}`);
