import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sim } from "./runMain.ts";

/*
 * The README's paired-replication table quotes figures of `npx sim run scenarios/ci.yaml`; this
 * reruns it and compares every cell, so a model change that moves them fails here until the
 * README says what the model now produces.
 */

const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
const out = mkdtempSync(join(tmpdir(), "readme-figures-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Interval {
  mean: number;
  halfWidth95: number;
}

const cell = (i: Interval) => `${i.mean.toFixed(4)} ± ${i.halfWidth95.toFixed(4)}`;

describe("the README's measured figures", () => {
  it("the paired-replication table is what scenarios/ci.yaml produces", async () => {
    const { code } = await sim("run", "scenarios/ci.yaml", "--out", join(out, "ci"));
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, "ci", "summary.json"), "utf8"));
    const rows = readme
      .split("\n")
      .filter((line) => /^\| (neverStartedShare|stallRatio) +\|/.test(line))
      .map((line) => line.split("|").map((c) => c.trim()));
    expect(rows.length).toBe(2);
    for (const [, metric, a, b, aAlone, bAlone, paired] of rows) {
      const confidence = (name: string): Interval => summary.strategies[name].confidence[metric];
      expect(aAlone, `${a} ${metric}`).toBe(cell(confidence(a)));
      expect(bAlone, `${b} ${metric}`).toBe(cell(confidence(b)));
      const difference = summary.pairedDifferences.find(
        (d: { a: string; b: string; metric: string }) =>
          d.a === a && d.b === b && d.metric === metric,
      );
      const verdict = difference.significant ? "(significant)" : "`(n.s.)`";
      expect(paired, `${a} - ${b} ${metric}`).toBe(`${cell(difference)} ${verdict}`);
    }
  }, 120_000);
});
