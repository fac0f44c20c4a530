import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flattenMetrics } from "../../analysis/metrics.ts";
import { readResults } from "../../analysis/readResults.ts";
import { sim } from "../cli/runMain.ts";
import { TINY } from "../experiments/helpers.ts";
import { axisDomains, covers } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "sim-replicated-figures-"));
const out = join(dir, "run");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  writeFileSync(join(dir, "tiny.yaml"), TINY);
  const r = await sim(
    "run",
    join(dir, "tiny.yaml"),
    "--replications",
    "3",
    "--out",
    out,
    "--quiet",
  );
  expect(r.code).toBe(0);
});

describe("figures of a run with replications", () => {
  it("read the intervals from summary.json, and the replication count is not a metric", async () => {
    const results = await readResults(out);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(results.summary.tree.confidence?.stallRatio).toEqual(
      summary.strategies.tree.confidence.stallRatio,
    );
    const names = flattenMetrics(results.summary.tree).map(([name]) => name);
    expect(names).toContain("stallRatio");
    expect(names.some((name) => name.startsWith("replications"))).toBe(false);
    expect(names.some((name) => name.startsWith("confidence"))).toBe(false);
  });

  it("the stalls figure shows each strategy's mean over the replications with 95 % whiskers", () => {
    const svg = readFileSync(join(out, "plots", "stalls.svg"), "utf8");
    expect(svg).toContain("bars: mean over the run's replications");
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const withWidth = Object.values(
      summary.strategies as Record<
        string,
        { confidence: Record<string, { halfWidth95: number | null }> }
      >,
    )
      .flatMap((s) => [s.confidence.stallsPerMinute, s.confidence.stallRatio])
      .filter((i) => i.halfWidth95 !== null);
    expect((svg.match(/class="error-bar"/g) ?? []).length).toBe(withWidth.length);
    const tree = summary.strategies.tree.confidence.stallsPerMinute;
    expect(svg).toContain("over 3 replications");
    const [perMinute] = axisDomains(svg);
    expect(covers(perMinute.y, [tree.mean + tree.halfWidth95])).toBe(true);
  });
});
