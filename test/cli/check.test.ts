import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../sim/scenario/load.ts";
import { TINY } from "../experiments/helpers.ts";
import { sim } from "./runMain.ts";

const root = resolve(import.meta.dirname, "../..");
const CI = join(root, "scenarios", "ci.yaml");
const CI_BASELINE = join(root, "results", "baselines", "ci.json");
const dir = mkdtempSync(join(tmpdir(), "sim-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sim check (the committed CI gate)", () => {
  it("the unchanged model reproduces the committed baseline exactly and passes", async () => {
    const r = await sim("check", CI, "--baseline", CI_BASELINE, "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.identical).toBe(true);
    expect(out.regressions).toBe(0);
    // Every strategy of the scenario is gated, on at least four of the five metrics.
    const strategies = loadScenario(CI).strategies.length;
    expect(out.rows.length).toBeGreaterThanOrEqual(strategies * 4);
    expect(new Set(out.rows.map((row: { strategy: string }) => row.strategy)).size).toBe(
      strategies,
    );
  });

  it("a worse model (tree relays with one child slot instead of eight) fails it with exit 1", async () => {
    // A strategy's options are the model, so they may differ from the baseline's; the
    // scenario's other settings may not (see the mismatch test below).
    const r = await sim(
      "check",
      CI,
      "--baseline",
      CI_BASELINE,
      "--set",
      "strategies[2].maxChildren=1",
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^strategy\s+metric\s+baseline\s+now\s+change\s+limit\s+verdict/);
    expect(r.stdout).toMatch(/\bREGRESSION\b/);
    expect(r.stdout).toMatch(/regression\(s\) beyond the 99% one-sided Welch limit/);
  });
});

describe("sim check: baselines", () => {
  it("--update-baseline writes one that the same model then matches identically", async () => {
    const scenario = join(dir, "tiny.yaml");
    writeFileSync(scenario, `${TINY}replications: 3\n`);
    const file = join(dir, "baselines", "tiny.json");
    const made = await sim("check", scenario, "--baseline", file, "--update-baseline");
    expect(made.code).toBe(0);
    expect(made.stdout).toContain(`baseline ${file} written (3 replications)`);
    const baseline = JSON.parse(readFileSync(file, "utf8"));
    expect(baseline.replications).toBe(3);
    expect(baseline.strategies.tree.metrics.stallRatio).toHaveLength(3);
    const again = await sim("check", scenario, "--baseline", file);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("identical: the model reproduces the baseline exactly");
    // Rewriting after a change shows what changed.
    const changed = await sim(
      "check",
      scenario,
      "--baseline",
      file,
      "--update-baseline",
      "--set",
      "churn.abruptShare=1",
    );
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain("rewritten; the table shows what changed");
    expect(changed.stdout).not.toMatch(/^tree\s+stallRatio.*identical$/m);
  });

  it("a missing, malformed or mismatched baseline is exit 2 with a one-line message", async () => {
    const missing = await sim("check", CI, "--baseline", join(dir, "none.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /none\.json: cannot read the baseline \(make one with --update-baseline\)\n$/,
    );
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ not json");
    const malformed = await sim("check", CI, "--baseline", broken);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^sim: \S+broken\.json: malformed baseline: /);
    const wrongShape = join(dir, "shape.json");
    writeFileSync(
      wrongShape,
      JSON.stringify({ format: "peercast-sim baseline 1", scenario: "ci" }),
    );
    expect((await sim("check", CI, "--baseline", wrongShape)).stderr).toMatch(
      /malformed baseline: seed/,
    );
    const copy = join(dir, "ci.json");
    copyFileSync(CI_BASELINE, copy);
    const other = await sim("check", CI, "--baseline", copy, "--set", "seed=7");
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(
      /does not match .*ci\.yaml: the baseline was made with seed 2024, not 7/,
    );
    // Found: a baseline recorded at the scenario's 3 minutes was compared with a shorter run.
    const shorter = await sim("check", CI, "--baseline", copy, "--set", "duration=61s");
    expect(shorter.code).toBe(2);
    expect(shorter.stderr).toMatch(
      /does not match .*ci\.yaml: the baseline was made with other settings \(duration, /,
    );
    for (const r of [missing, malformed, other, shorter])
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
