// Renders each file given (LaTeX math) with KaTeX in display mode, throwing on anything KaTeX
// does not support; prints one line per file and exits 1 if any failed.
// Usage: node tests/katex-render.js PATH_TO_KATEX_MODULE FILE...
const katex = require(process.argv[2]);
const fs = require("fs");
let failed = 0;
for (const file of process.argv.slice(3)) {
  const tex = fs.readFileSync(file, "utf8");
  try {
    katex.renderToString(tex, { displayMode: true, throwOnError: true, strict: "error" });
    console.log("ok " + file);
  } catch (e) {
    failed += 1;
    console.log("FAIL " + file + ": " + e.message);
  }
}
process.exit(failed ? 1 : 0);
