import { z } from "zod";
import { summarySchema } from "./schema.ts";

/** Where the JSON Schema of summary.json is committed, relative to the project root. */
export const SUMMARY_JSON_SCHEMA_FILE = "docs/schema/summary.schema.json";

/**
 * The JSON Schema (draft 2020-12) of summary.json, generated from {@link summarySchema} so that
 * tools outside this code base (Python's jsonschema, ajv, DuckDB users) check the files with the
 * very rules `sim run` writes them by. `npm run schema` writes it to
 * {@link SUMMARY_JSON_SCHEMA_FILE}; a test keeps the committed file equal to this text.
 */
export function summaryJsonSchemaText(): string {
  const schema = z.toJSONSchema(summarySchema, { target: "draft-2020-12" });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
