// `npm run schema`: writes the JSON Schema of summary.json (docs/schema/summary.schema.json)
// from the zod schema in sim/results/schema.ts. Run it after changing the result format;
// test/results/jsonSchema.test.ts fails while the committed file differs from what this writes.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SUMMARY_JSON_SCHEMA_FILE, summaryJsonSchemaText } from "../sim/results/jsonSchema.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const file = join(root, SUMMARY_JSON_SCHEMA_FILE);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, summaryJsonSchemaText());
console.log(`wrote ${SUMMARY_JSON_SCHEMA_FILE}`);
