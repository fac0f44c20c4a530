import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIGURES, renderFigures } from "../../analysis/index.ts";
import { writePlots } from "../../analysis/plot.ts";
import { readResults } from "../../analysis/readResults.ts";
import { copyFixture, RUN_A } from "./helpers.ts";

describe("writePlots (sim plot)", () => {
  it("writes plots/*.svg and report.html from the CSVs and returns their paths", async () => {
    const dir = copyFixture(RUN_A);
    const written = await writePlots(dir);
    expect(written).toEqual([
      ...FIGURES.map((f) => join(dir, "plots", `${f.name}.svg`)),
      join(dir, "report.html"),
    ]);
    for (const path of written) expect(statSync(path).size).toBeGreaterThan(1000);
    // the files are exactly the registry's figures for these results
    const figures = renderFigures([await readResults(dir)]);
    for (const f of figures) {
      expect(readFileSync(join(dir, "plots", `${f.spec.name}.svg`), "utf8")).toBe(f.svg);
    }
    // no temporary files left behind
    expect(readdirSync(dir).filter((f) => f.startsWith(".tmp"))).toEqual([]);
    expect(readdirSync(join(dir, "plots")).filter((f) => f.startsWith(".tmp"))).toEqual([]);
  });

  it("regenerates byte-identical output", async () => {
    const dir = copyFixture(RUN_A);
    const first = await writePlots(dir);
    const before = first.map((p) => readFileSync(p, "utf8"));
    const second = await writePlots(dir);
    expect(second).toEqual(first);
    expect(second.map((p) => readFileSync(p, "utf8"))).toEqual(before);
  });

  it("ignores timing.json (wall-clock figures are not deterministic)", async () => {
    const dir = copyFixture(RUN_A);
    const before = (await writePlots(dir)).map((p) => readFileSync(p, "utf8"));
    writeFileSync(join(dir, "timing.json"), '{"wallSeconds": 99}');
    const after = (await writePlots(dir)).map((p) => readFileSync(p, "utf8"));
    expect(after).toEqual(before);
  });

  it("removes a strategy-specific plot that no longer applies, and keeps other files", async () => {
    const dir = copyFixture(RUN_A);
    await writePlots(dir);
    writeFileSync(join(dir, "plots", "my-notes.svg"), "<svg/>");
    rmSync(join(dir, "gauges.csv"));
    const written = await writePlots(dir);
    expect(written.some((p) => p.endsWith("tree-depth.svg"))).toBe(false);
    expect(existsSync(join(dir, "plots", "tree-depth.svg"))).toBe(false);
    expect(existsSync(join(dir, "plots", "swarm-size.svg"))).toBe(false);
    expect(existsSync(join(dir, "plots", "my-notes.svg"))).toBe(true);
  });

  it("throws a one-line error naming the file for bad input, writing nothing", async () => {
    const dir = copyFixture(RUN_A);
    writeFileSync(join(dir, "timeseries.csv"), "strategy,timeSeconds\ntree,1\n");
    await expect(writePlots(dir)).rejects.toThrow(
      `${join(dir, "timeseries.csv")}: line 1: missing column(s) "population", "starting", "playing", "stalled", "meanLagSeconds", "sourceUploadBitsPerSecond"`,
    );
    expect(existsSync(join(dir, "plots"))).toBe(false);
    expect(existsSync(join(dir, "report.html"))).toBe(false);
    await expect(writePlots(join(dir, "nope"))).rejects.toThrow(
      `${join(dir, "nope")}: results directory not found`,
    );
  });
});

describe("writePlots output does not depend on where the directory is", () => {
  it("gives the same bytes for the same files in two places", async () => {
    const one = await writePlots(copyFixture(RUN_A, "first"));
    const two = await writePlots(copyFixture(RUN_A, "second-place"));
    expect(two.map((p) => readFileSync(p, "utf8"))).toEqual(
      one.map((p) => readFileSync(p, "utf8")),
    );
  });
});
