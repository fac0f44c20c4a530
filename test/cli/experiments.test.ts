import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TINY } from "../experiments/helpers.ts";
import { sim } from "./runMain.ts";

const dir = mkdtempSync(join(tmpdir(), "sim-cli-experiments-"));
writeFileSync(join(dir, "tiny.yaml"), TINY);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sim run --replications", () => {
  it("prints means ± half-widths and paired differences, marking the insignificant ones", async () => {
    const out = join(dir, "rep");
    const r = await sim(
      "run",
      join(dir, "tiny.yaml"),
      "--replications",
      "3",
      "--out",
      out,
      "--no-plots",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("3 replications");
    expect(r.stdout).toMatch(/tree\s+\d+\.\d+ ± \d+\.\d+/);
    expect(r.stdout).toContain("cs - tree");
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const shown = summary.pairedDifferences.filter(
      (d: { metric: string }) => d.metric === "stallRatio" || d.metric === "overheadRatio",
    );
    for (const d of shown) {
      const line = r.stdout
        .split("\n")
        .find((l) => l.includes(`cs - tree`) && l.includes(d.metric))!;
      expect(line.includes("(n.s.)"), line).toBe(!d.significant);
    }
    expect(existsSync(join(out, "runs.csv"))).toBe(true);
    expect(existsSync(join(out, "summary.csv"))).toBe(true);
  });

  it("`replications:` in the scenario works like the option, and --json prints summary.json", async () => {
    const file = join(dir, "with-replications.yaml");
    writeFileSync(file, `${TINY}replications: 2\n`);
    const out = join(dir, "json");
    const r = await sim("run", file, "--out", out, "--no-plots", "--json");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(out, "summary.json"), "utf8"));
    expect(JSON.parse(r.stdout).strategies.tree.replications).toBe(2);
  });

  it("a bad count is a usage error (exit 2) and writes nothing", async () => {
    const out = join(dir, "bad");
    for (const args of [
      ["--replications", "0"],
      ["--workers", "-1"],
      ["--replications", "1.5"],
    ]) {
      const r = await sim("run", join(dir, "tiny.yaml"), "--out", out, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(`--${args[0].slice(2)}`);
    }
    expect(existsSync(out)).toBe(false);
  });
});
