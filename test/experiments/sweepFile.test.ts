import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSweep } from "../../sim/experiments/sweepFile.ts";
import { parseShard, shardUnits, sweepManifest } from "../../sim/experiments/sweepResults.ts";
import { TINY } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "sim-sweep-file-"));
writeFileSync(join(dir, "base.yaml"), TINY);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sweepFile(text: string): string {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe("sweep files", () => {
  it("expand the grid in reading order, the first field slowest, and apply each point", () => {
    const sweep = loadSweep(
      sweepFile(`scenario: base.yaml
replications: 2
grid:
  churn.session.mean: [30s, 2min]
  strategies[1].maxChildren: [2, 3, 4]
`),
    );
    expect(sweep.fields).toEqual(["churn.session.mean", "strategies[1].maxChildren"]);
    expect(sweep.points.map((p) => Object.values(p.values).join("/"))).toEqual([
      "30s/2",
      "30s/3",
      "30s/4",
      "2min/2",
      "2min/3",
      "2min/4",
    ]);
    expect(sweep.points[4].scenario.churn.session.meanSeconds).toBe(120);
    expect(
      (sweep.points[4].scenario.strategies[1].options as { maxChildren: number }).maxChildren,
    ).toBe(3);
    expect(sweep.replications).toBe(2);
    expect(sweep.strategies).toEqual(["cs", "tree"]);
  });

  it("have a fingerprint that changes with any input that changes results", () => {
    const a = loadSweep(sweepFile("scenario: base.yaml\ngrid:\n  churn.abruptShare: [0.1, 0.9]\n"));
    const b = loadSweep(sweepFile("scenario: base.yaml\ngrid:\n  churn.abruptShare: [0.1, 0.9]\n"));
    const c = loadSweep(sweepFile("scenario: base.yaml\ngrid:\n  churn.abruptShare: [0.1, 0.8]\n"));
    const d = loadSweep(
      sweepFile("scenario: base.yaml\nreplications: 3\ngrid:\n  churn.abruptShare: [0.1, 0.9]\n"),
    );
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
    expect(d.fingerprint).not.toBe(a.fingerprint);
  });

  it("reject a bad point with the sweep file, the point and the scenario's own message", () => {
    const file = sweepFile("scenario: base.yaml\ngrid:\n  churn.abruptShare: [0.5, 1.5]\n");
    expect(() => loadSweep(file)).toThrow(
      new RegExp(
        `^${file}:3: grid.churn.abruptShare: point churn.abruptShare=1.5: .*base.yaml:\\d+: churn.abruptShare: must be at most 1`,
      ),
    );
  });

  it("reject unknown keys, an empty grid and repeated values, naming the line", () => {
    expect(() => loadSweep(sweepFile("scenario: base.yaml\ngird: {}\n"))).toThrow(
      /:2: gird: unknown key/,
    );
    expect(() => loadSweep(sweepFile("scenario: base.yaml\ngrid: {}\n"))).toThrow(
      /grid: needs at least one field/,
    );
    expect(() => loadSweep(sweepFile("scenario: base.yaml\ngrid:\n  seed: [1, 1]\n"))).toThrow(
      /grid.seed: has a value twice/,
    );
    expect(() => loadSweep(sweepFile("scenario: missing.yaml\ngrid:\n  seed: [1]\n"))).toThrow(
      /scenario: cannot read the scenario file/,
    );
  });
});

describe("shards", () => {
  it("split the units I modulo N: disjoint, covering, deterministic", () => {
    const manifest = sweepManifest(
      loadSweep(sweepFile("scenario: base.yaml\nreplications: 3\ngrid:\n  seed: [1, 2, 3]\n")),
    );
    const shards = [0, 1, 2, 3].map((i) => shardUnits(manifest, { index: i, count: 4 }));
    expect(shards[1]).toEqual([1, 5]);
    expect(shards.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    for (const bad of ["4/4", "1/0", "-1/3", "a/b", "1"]) expect(parseShard(bad)).toBeUndefined();
  });
});
