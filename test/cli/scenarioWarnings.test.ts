import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sweepWarningLines } from "../../sim/cli/scenarioWarnings.ts";
import { TINY } from "../experiments/helpers.ts";
import { sim } from "./runMain.ts";

const dir = mkdtempSync(join(tmpdir(), "sim-warnings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * TINY with a source that serves every viewer directly (no capacity warning) and a flash crowd
 * at 70 s: after the end of a 60 s run (a warning), inside a 90 s one.
 */
const LATE_CROWD = TINY.replace("source: { upload: 4Mbps }", "source: { upload: 40Mbps }").replace(
  "    - { type: poisson, rate: 30/min }",
  "    - { type: poisson, rate: 30/min }\n    - { type: flash-crowd, count: 5, at: 70s }",
);
const CROWD_LINE = 9; // the flash crowd's line in LATE_CROWD

describe("sweepWarningLines", () => {
  const grid = (lines: (a: string, b: string) => string[]) =>
    ["1", "2"].flatMap((a) => ["x", "y"].map((b) => ({ values: { a, b }, lines: lines(a, b) })));

  it("gives a line that holds at every point once, as it is", () => {
    expect(sweepWarningLines(grid(() => ["w", "w"]))).toEqual(["w"]);
  });

  it("names the shared values when they describe exactly the points a line holds at", () => {
    expect(sweepWarningLines(grid((a) => (a === "1" ? ["w"] : [])))).toEqual(["w (where a=1)"]);
    expect(sweepWarningLines(grid((a, b) => (a === "2" && b === "y" ? ["w"] : [])))).toEqual([
      "w (where a=2, b=y)",
    ]);
  });

  it("lists the points (three at most) when no shared values describe them", () => {
    expect(sweepWarningLines(grid((a, b) => ((a === "1") === (b === "x") ? ["w"] : [])))).toEqual([
      "w (grid points a=1, b=x; a=2, b=y)",
    ]);
    const points = ["1", "2", "3", "4", "5"].map((a) => ({
      values: { a },
      lines: a === "3" ? [] : ["w"],
    }));
    expect(sweepWarningLines(points)).toEqual(["w (grid points a=1; a=2; a=4; and 1 more)"]);
  });
});

describe("sim sweep and sim check: scenario warnings", () => {
  const base = join(dir, "late-crowd.yaml");
  writeFileSync(base, LATE_CROWD);
  const crowdWarning = `${base}:${CROWD_LINE}: churn.arrivals[1].at: is at 70s, not before the end of the run (60s): its 5 viewers never join`;

  it("sim sweep prints each warning once, naming the grid points it holds at, not once per replication", async () => {
    const file = join(dir, "sweep.yaml");
    writeFileSync(
      file,
      "scenario: late-crowd.yaml\nreplications: 2\ngrid:\n  duration: [60s, 90s]\n  strategies[1].maxChildren: [2, 3]\n",
    );
    const r = await sim("sweep", file, "--out", join(dir, "sweep"), "--workers", "0", "--no-plots");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`sim: warning: ${crowdWarning} (where duration=60s)\n`);
    const quiet = await sim(
      "sweep",
      file,
      "--out",
      join(dir, "quiet"),
      "--workers",
      "0",
      "--quiet",
    );
    expect(quiet).toMatchObject({ code: 0, stderr: "" });
  });

  it("sim check prints the warnings sim run prints, once for all its replications", async () => {
    const scenario = join(dir, "check.yaml");
    // TINY's own 4 Mbps source serves 10 viewers: client-server gets the capacity warning too.
    writeFileSync(
      scenario,
      `${TINY.replace("duration: 90s", "duration: 60s").replace(
        "    - { type: poisson, rate: 30/min }",
        "    - { type: poisson, rate: 30/min }\n    - { type: flash-crowd, count: 5, at: 70s }",
      )}replications: 3\n`,
    );
    const baseline = join(dir, "baseline.json");
    const check = await sim(
      "check",
      scenario,
      "--baseline",
      baseline,
      "--update-baseline",
      "--workers",
      "0",
    );
    expect(check.code).toBe(0);
    const lines = check.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      `sim: warning: ${scenario}:${CROWD_LINE}: churn.arrivals[1].at: is at 70s, not before the end of the run (60s): its 5 viewers never join`,
      expect.stringMatching(
        /^sim: warning: .*check\.yaml: source\.upload: 4 Mbps serves at most 10 viewers .*: cs cannot sustain the stream$/,
      ),
    ]);
    // The same lines sim run prints.
    const run = await sim("run", scenario, "--out", join(dir, "run"), "--no-plots");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(check.stderr);
    const quiet = await sim("check", scenario, "--baseline", baseline, "--quiet", "--workers", "0");
    expect(quiet).toMatchObject({ code: 0, stderr: "" });
  });
});
