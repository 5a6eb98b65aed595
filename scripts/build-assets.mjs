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
  ["node_modules/echarts/dist/echarts.min.js", "echarts.min.js"],
  ["node_modules/echarts/LICENSE", "LICENSE-echarts.txt"],
];
for (const [from, to] of copies) {
  cpSync(join(root, from), join(out, to), { recursive: true });
}
console.log(`assets built into ${out}`);

// CJK font for the PDF receipts (ReportLab embeds TrueType outlines). Kept out of the static folder:
// the server reads it, nobody downloads it.
const fonts = join(root, "src/onevisit/core/fonts");
mkdirSync(fonts, { recursive: true });
const fontDir = "node_modules/@expo-google-fonts/noto-sans-sc";
for (const [from, to] of [
  [`${fontDir}/400Regular/NotoSansSC_400Regular.ttf`, "NotoSansSC-Regular.ttf"],
  [`${fontDir}/700Bold/NotoSansSC_700Bold.ttf`, "NotoSansSC-Bold.ttf"],
  [`${fontDir}/LICENSE`, "LICENSE-expo-google-fonts.txt"],
]) {
  cpSync(join(root, from), join(fonts, to));
}
console.log(`PDF fonts copied into ${fonts}`);
