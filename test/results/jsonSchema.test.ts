import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool } from "../../sim/experiments/pool.ts";
import { addReplicationFiles } from "../../sim/experiments/resultFiles.ts";
import { runReplicated } from "../../sim/experiments/runReplicated.ts";
import { SUMMARY_JSON_SCHEMA_FILE, summaryJsonSchemaText } from "../../sim/results/jsonSchema.ts";
import { renderResults } from "../../sim/run/output.ts";
import { parseScenario } from "../../sim/scenario/load.ts";
import { TINY } from "../experiments/helpers.ts";

const root = join(import.meta.dirname, "../..");
const committed = readFileSync(join(root, SUMMARY_JSON_SCHEMA_FILE), "utf8");
const pool = createPool(0);
afterAll(() => pool.close());

/** The committed JSON Schema compiled by ajv, a validator independent of zod. */
function ajvValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  return ajv.compile(JSON.parse(committed));
}

/** summary.json of a real run of the tiny scenario, with `replications` replications. */
async function summaryOfRun(replications: number): Promise<Record<string, unknown>> {
  const scenario = parseScenario(TINY, "tiny.yaml");
  const { run, replicated } = await runReplicated(scenario, pool, { replications });
  const files = renderResults(run, { version: "test", gitCommit: null });
  addReplicationFiles(files, replicated);
  return JSON.parse(files.get("summary.json")!);
}

describe("the JSON Schema of summary.json", () => {
  it("is committed exactly as `npm run schema` generates it from the zod schema", () => {
    expect(committed).toBe(summaryJsonSchemaText());
  });

  describe("checked by ajv", () => {
    let single: Record<string, unknown>;
    let replicated: Record<string, unknown>;
    beforeAll(async () => {
      single = await summaryOfRun(1);
      replicated = await summaryOfRun(2);
    });

    it("accepts a real run's summary.json", () => {
      const validate = ajvValidator();
      expect(validate(single), JSON.stringify(validate.errors)).toBe(true);
    });

    it("accepts a replicated run's summary.json, with its intervals and paired differences", () => {
      expect(replicated.pairedDifferences).toBeInstanceOf(Array);
      const validate = ajvValidator();
      expect(validate(replicated), JSON.stringify(validate.errors)).toBe(true);
    });

    it("refuses a summary.json whose figure has the wrong type or is out of range", () => {
      const validate = ajvValidator();
      const strategies = single.strategies as Record<string, Record<string, unknown>>;
      const broken = (name: string, value: unknown) => ({
        ...single,
        strategies: { ...strategies, tree: { ...strategies.tree, [name]: value } },
      });
      expect(validate(broken("stallRatio", "low"))).toBe(false);
      expect(validate.errors?.[0].instancePath).toBe("/strategies/tree/stallRatio");
      expect(validate(broken("stallRatio", 1.5))).toBe(false);
      expect(validate(broken("startupLatencySeconds", { mean: 1 }))).toBe(false);
      expect(validate(broken("attachRejects", "many"))).toBe(false);
      const { peers: _, ...withoutPeers } = strategies.tree;
      expect(validate({ ...single, strategies: { ...strategies, tree: withoutPeers } })).toBe(
        false,
      );
    });
  });
});
