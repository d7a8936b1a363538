// Parses an AsyncAPI document with the official parser; exits 1 on any error diagnostic (warnings are printed).
// Usage: node validate.mjs <document.json>
import { readFile } from "node:fs/promises";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const path = process.argv[2];
if (!path) {
  console.error("usage: node validate.mjs <asyncapi.json>");
  process.exit(2);
}
const parser = new Parser();
const { document, diagnostics } = await parser.parse(await readFile(path, "utf8"), { source: path });
let errors = 0;
for (const d of diagnostics) {
  const level = d.severity === DiagnosticSeverity.Error ? "error" : "warning";
  if (level === "error") errors += 1;
  console.log(`${level} ${d.code} at /${d.path.join("/")}: ${d.message}`);
}
if (errors > 0 || document === undefined) {
  console.log(`${errors} error(s): ${path} is not a valid AsyncAPI document`);
  process.exit(1);
}
console.log(`valid AsyncAPI ${document.version()}: ${document.channels().length} channels, ` +
            `${document.operations().length} operations, ${document.messages().length} messages`);
