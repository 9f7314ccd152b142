// Validate an AsyncAPI document with the official parser: node validate-asyncapi.mjs FILE
// Prints every diagnostic; exits 1 when any is an error (severity 0) or a warning.
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const file = process.argv[2];
const { document, diagnostics } = await new Parser().parse(readFileSync(file, "utf8"));
for (const diagnostic of diagnostics) {
  console.log(`${["error", "warning", "info", "hint"][diagnostic.severity]} ${diagnostic.code}: ${diagnostic.message} at ${diagnostic.path.join(".")}`);
}
const serious = diagnostics.filter((diagnostic) => diagnostic.severity <= 1);
if (!document || serious.length) process.exit(1);
console.log(`valid: AsyncAPI ${document.version()}, ${document.channels().length} channels, ${document.operations().length} operations, ${document.messages().length} messages`);
