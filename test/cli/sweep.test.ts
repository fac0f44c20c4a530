import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TINY } from "../experiments/helpers.ts";
import { expectSameTree } from "./files.ts";
import { sim } from "./runMain.ts";

const dir = mkdtempSync(join(tmpdir(), "sim-sweep-"));
const SWEEP = join(dir, "sweep.yaml");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let reference: string;

beforeAll(async () => {
  writeFileSync(join(dir, "base.yaml"), TINY.replace("duration: 90s", "duration: 40s"));
  writeFileSync(
    SWEEP,
    "scenario: base.yaml\nreplications: 2\ngrid:\n  churn.session.mean: [20s, 1min]\n  strategies[1].resume: [jump-to-live, back-buffer]\n",
  );
  reference = join(dir, "reference");
  const r = await sim("sweep", SWEEP, "--out", reference, "--workers", "2", "--quiet");
  expect(r.code).toBe(0);
});

describe("sim sweep", () => {
  it("writes runs.csv (one row per point x replication x strategy), points.csv and figures", () => {
    const runs = readFileSync(join(reference, "runs.csv"), "utf8").trim().split("\n");
    expect(runs[0]).toMatch(
      /^churn\.session\.mean,strategies\[1\]\.resume,replication,seed,strategy,peers,startupLatencySeconds_mean,/,
    );
    expect(runs).toHaveLength(1 + 4 * 2 * 2);
    expect(runs[1]).toMatch(/^20s,jump-to-live,0,5,cs,/);
    const points = readFileSync(join(reference, "points.csv"), "utf8").trim().split("\n");
    expect(points).toHaveLength(1 + 4 * 2);
    expect(points[0]).toContain("stallRatio_mean,stallRatio_halfWidth95");
    const plots = readdirSync(join(reference, "plots"));
    expect(plots).toContain("stallRatio-vs-churn-session-mean.svg");
    expect(plots).toContain("stallRatio-vs-strategies-1-resume.svg");
    // A band (the confidence interval) is drawn for each line with replications.
    const svg = readFileSync(
      join(reference, "plots", "stallRatio-vs-churn-session-mean.svg"),
      "utf8",
    );
    expect(svg).toContain('fill-opacity="0.15"');
  });

  it("gives byte-identical results whatever the number of workers", async () => {
    const out = join(dir, "one-thread");
    expect((await sim("sweep", SWEEP, "--out", out, "--workers", "0", "--quiet")).code).toBe(0);
    expectSameTree(reference, out);
  });

  it("in shards, merged, gives the in-process sweep byte for byte", async () => {
    const parts = [0, 1, 2].map((i) => join(dir, "parts", `shard-${i}`));
    for (const [i, part] of parts.entries())
      expect((await sim("sweep", SWEEP, "--shard", `${i}/3`, "--out", part, "--quiet")).code).toBe(
        0,
      );
    const merged = join(dir, "merged");
    expect((await sim("merge", ...parts, "--out", merged, "--quiet")).code).toBe(0);
    expectSameTree(reference, merged);
    // A part missing: exit 2, naming what is missing, nothing written.
    const incomplete = join(dir, "incomplete");
    const r = await sim("merge", parts[0], parts[2], "--out", incomplete);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/units missing .*did every shard finish\?/);
    expect(existsSync(incomplete)).toBe(false);
  });

  it("--resume runs only the units an interrupted sweep had not finished", async () => {
    const out = join(dir, "resumed");
    expect((await sim("sweep", SWEEP, "--out", out, "--quiet")).code).toBe(0);
    // Interrupted: three units and the tables never got written.
    const units = readdirSync(join(out, "units")).sort();
    for (const name of units.slice(5)) rmSync(join(out, "units", name));
    for (const name of ["runs.csv", "points.csv"]) rmSync(join(out, name));
    const kept = statSync(join(out, "units", units[0])).mtimeMs;
    const r = await sim("sweep", SWEEP, "--out", out, "--resume");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("5 units already done");
    expect(statSync(join(out, "units", units[0])).mtimeMs).toBe(kept);
    expectSameTree(reference, out);
  });

  it("--resume refuses the results of a different sweep", async () => {
    const other = join(dir, "other.yaml");
    writeFileSync(other, readFileSync(SWEEP, "utf8").replace("replications: 2", "replications: 3"));
    const r = await sim("sweep", other, "--out", join(dir, "resumed"), "--resume");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("holds a different sweep");
  });

  it("--resume refuses a damaged unit file: one line naming the file and the field, exit 2", async () => {
    const out = join(dir, "damaged");
    cpSync(reference, out, { recursive: true });
    const unit = join(out, "units", readdirSync(join(out, "units")).sort()[0]);
    writeFileSync(
      unit,
      readFileSync(unit, "utf8").replace(/"stallRatio": [^,\n]+/, '"stallRatio": "high"'),
    );
    const r = await sim("sweep", SWEEP, "--out", out, "--resume", "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sim: ${unit}: summaries.cs.stallRatio: expected a number, got "high"\n`);
  });

  it("reports a failing grid point with its values and error, and still finishes the others", async () => {
    const failing = join(dir, "failing.yaml");
    writeFileSync(failing, "scenario: base.yaml\ngrid:\n  limits.maxEvents: [50, 100000000]\n");
    const out = join(dir, "failing");
    const r = await sim("sweep", failing, "--out", out, "--quiet");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^sim: grid point limits\.maxEvents=50, replication 0, strategy cs: event limit reached/,
    );
    const failures = readFileSync(join(out, "failures.csv"), "utf8").trim().split("\n");
    expect(failures[0]).toBe("limits.maxEvents,replication,strategy,error");
    expect(failures[1]).toMatch(/^50,0,cs,event limit reached/);
    const runs = readFileSync(join(out, "runs.csv"), "utf8").trim().split("\n");
    expect(runs.slice(1).map((line) => line.split(",")[0])).toEqual(["100000000", "100000000"]);
  });

  it("a bad sweep file or --shard is a usage error (exit 2) that writes nothing", async () => {
    const out = join(dir, "never");
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "scenario: base.yaml\ngrid:\n  churn.abruptShare: [2]\n");
    const a = await sim("sweep", bad, "--out", out);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/bad\.yaml:3: grid\.churn\.abruptShare: point churn\.abruptShare=2/);
    const b = await sim("sweep", SWEEP, "--shard", "3/3", "--out", out);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("--shard 3/3");
    expect(existsSync(out)).toBe(false);
  });
});
