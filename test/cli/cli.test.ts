import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tinyScenario } from "../support/scenarios.ts";
import { leftovers, REPO_ROOT, scratchDirectory } from "../support/scratchDirectory.ts";
import { sim } from "./runMain.ts";

const TINY = tinyScenario(
  "2min",
  [
    "{ name: cs, type: client-server }",
    "{ name: tree, type: tree-relay, maxChildren: 4 }",
    "{ name: tree-bb, type: tree-relay, maxChildren: 4, resume: back-buffer, backBuffer: 10s }",
  ],
  ["{ type: flash-crowd, count: 12, at: 30s, over: 5s }"],
);

const BAD = `duration: 2min
churn:
  abruptShare: 1.5
strategies:
  - type: client-server
`;

const dir = scratchDirectory("sim-cli-test-", { "tiny.yaml": TINY, "bad.yaml": BAD });

describe("sim run: failures", () => {
  it("a bad scenario exits 2 with one stderr line naming file and field, and writes no results", async () => {
    const out = join(dir, "bad-results", "run");
    const scenario = join(dir, "bad.yaml");
    const result = await sim("run", scenario, "--out", out, "--quiet", "--no-plots");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `sim: ${scenario}:3: churn.abruptShare: must be at most 1, got 1.5\n`,
    );
    expect(result.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
    expect(leftovers(join(dir, "bad-results"))).toEqual([]);
  });

  it("a bad --set value exits 2 naming the field, and writes no results", async () => {
    const out = join(dir, "bad-set");
    const result = await sim(
      "run",
      join(dir, "tiny.yaml"),
      "--set",
      "strategies.1.maxChildren=0",
      "--out",
      out,
      "--quiet",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `sim: ${join(dir, "tiny.yaml")}:13: strategies[1].maxChildren: must be at least 1, got 0\n`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("a --set without '=' exits 2 as a usage error", async () => {
    const out = join(dir, "bad-set-syntax");
    const result = await sim("run", join(dir, "tiny.yaml"), "--set", "duration", "--out", out);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "sim: --set duration: expected path=value, e.g. --set churn.abruptShare=0.3\n",
    );
    expect(existsSync(out)).toBe(false);
  });

  it("a missing scenario file exits 2", async () => {
    const missing = join(dir, "nope.yaml");
    const result = await sim("run", missing, "--out", join(dir, "nope-out"), "--quiet");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`sim: ${missing}: (file): cannot read the scenario file\n`);
    expect(existsSync(join(dir, "nope-out"))).toBe(false);
  });

  it("an unknown flag exits 2 with a one-line message", async () => {
    const out = join(dir, "flag-out");
    const result = await sim("run", join(dir, "tiny.yaml"), "--bogus", "--out", out);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("sim: Unknown argument: bogus\n");
    expect(existsSync(out)).toBe(false);
  });

  it("an unknown command and a missing command exit 2", async () => {
    expect((await sim("frobnicate")).code).toBe(2);
    const none = await sim();
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("sim: name a command, e.g. sim run scenarios/high-churn.yaml\n");
  });
});

describe("sim run: success", () => {
  const out = () => join(dir, "results", "tiny");

  it("a small valid scenario exits 0 and writes every result file, leaving no temporary directory", async () => {
    // A stale result from an earlier run (recognised by its manifest) is replaced as a whole.
    mkdirSync(join(out(), "plots"), { recursive: true });
    writeFileSync(
      join(out(), "manifest.json"),
      JSON.stringify({ seed: 1, version: "0.0.0", scenario: {}, strategies: [] }),
    );
    writeFileSync(join(out(), "plots", "stale.svg"), "old");
    const result = await sim(
      "run",
      join(dir, "tiny.yaml"),
      "--out",
      out(),
      "--quiet",
      "--no-plots",
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    const files = readdirSync(out()).sort();
    for (const name of [
      "events.csv",
      "gauges.csv",
      "manifest.json",
      "peers.csv",
      "summary.json",
      "timeseries.csv",
      "timing.json",
    ]) {
      expect(files).toContain(name);
    }
    expect(files).not.toContain("plots");
    expect(leftovers(join(dir, "results"))).toEqual([]);
  });

  it("summary.json has every QoS figure for every strategy", () => {
    const numberOrNull = (v: unknown) => v === null || typeof v === "number";
    const summary = JSON.parse(readFileSync(join(out(), "summary.json"), "utf8"));
    expect(summary).toMatchObject({ scenario: "tiny", seed: 4, durationSeconds: 120 });
    expect(Object.keys(summary.strategies)).toEqual(["cs", "tree", "tree-bb"]);
    const distribution = {
      mean: expect.any(Number),
      p50: expect.any(Number),
      p95: expect.any(Number),
      p99: expect.any(Number),
      max: expect.any(Number),
    };
    // Over all sessions a session that never started counts as never reaching any startup time
    // or lag, so the mean, max and upper quantiles may be null (not reached).
    const overAllSessions = {
      mean: expect.toSatisfy(numberOrNull),
      p50: expect.toSatisfy(numberOrNull),
      p95: expect.toSatisfy(numberOrNull),
      p99: expect.toSatisfy(numberOrNull),
      max: expect.toSatisfy(numberOrNull),
    };
    for (const entry of Object.values(summary.strategies) as Record<string, unknown>[]) {
      expect(entry).toMatchObject({
        peers: expect.any(Number),
        startupLatencySeconds: overAllSessions,
        startupLatencyOfStartedSeconds: distribution,
        neverStartedShare: expect.any(Number),
        playingShare: expect.any(Number),
        stallsPerMinute: expect.any(Number),
        stallRatio: expect.any(Number),
        continuityIndex: expect.any(Number),
        playbackLagSeconds: overAllSessions,
        playbackLagOfStartedSeconds: distribution,
        sourceUploadShare: expect.any(Number),
        overheadRatio: expect.any(Number),
        rejoinsPerPeerHour: expect.any(Number),
        // Client-server never loses an upstream: no recovery episodes, all null.
        recoverySeconds: {
          mean: expect.toSatisfy(numberOrNull),
          p50: expect.toSatisfy(numberOrNull),
          p95: expect.toSatisfy(numberOrNull),
          p99: expect.toSatisfy(numberOrNull),
          max: expect.toSatisfy(numberOrNull),
        },
        events: expect.any(Number),
      });
      expect(entry.peers).toBeGreaterThan(30);
    }
    // The tree strategies had relays leave under them, so recovery was measured.
    expect(summary.strategies.tree.recoverySeconds).toMatchObject(distribution);
  });

  it("the CSV files have a header and one row per peer, per sample and per strategy", () => {
    const summary = JSON.parse(readFileSync(join(out(), "summary.json"), "utf8"));
    const lines = (name: string) => readFileSync(join(out(), name), "utf8").trimEnd().split("\n");
    const peers = lines("peers.csv");
    expect(peers[0].split(",").slice(0, 3)).toEqual(["strategy", "peer", "class"]);
    const peerCount = Object.values(summary.strategies).reduce(
      (sum: number, entry) => sum + (entry as { peers: number }).peers,
      0,
    );
    expect(peers.length - 1).toBe(peerCount);
    // 120 s sampled every 10 s: 12 rows per strategy.
    const series = lines("timeseries.csv");
    expect(series[0].startsWith("strategy,timeSeconds,population")).toBe(true);
    expect(series.length - 1).toBe(3 * 12);
    expect(lines("gauges.csv")[0]).toBe("strategy,name,timeSeconds,peer,value");
    const events = lines("events.csv");
    expect(events[0]).toBe("strategy,timeSeconds,kind,detail");
    // The flash crowd is marked once per strategy.
    expect(events.filter((line) => line.endsWith(",30,flash-crowd,12"))).toHaveLength(3);
  });

  it("manifest.json records the seed, the resolved scenario and the strategies; timing.json the events", () => {
    const manifest = JSON.parse(readFileSync(join(out(), "manifest.json"), "utf8"));
    expect(manifest.seed).toBe(4);
    expect(manifest.strategies).toEqual(["cs", "tree", "tree-bb"]);
    expect(manifest.scenario.durationSeconds).toBe(120);
    expect(manifest.scenario.stream.bitrateBitsPerSecond).toBe(400e3);
    const timing = JSON.parse(readFileSync(join(out(), "timing.json"), "utf8"));
    const summary = JSON.parse(readFileSync(join(out(), "summary.json"), "utf8"));
    const events = Object.values(summary.strategies).reduce(
      (sum: number, entry) => sum + (entry as { events: number }).events,
      0,
    );
    expect(timing.events).toBe(events);
    expect(timing.wallSeconds).toBeGreaterThan(0);
  });

  it("--seed and --set reach the run", async () => {
    const seeded = join(dir, "results", "seeded");
    const result = await sim(
      "run",
      join(dir, "tiny.yaml"),
      "--seed",
      "9",
      "--set",
      "strategies.0.name=unicast",
      "--out",
      seeded,
      "--quiet",
      "--no-plots",
    );
    expect(result.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(seeded, "summary.json"), "utf8"));
    expect(summary.seed).toBe(9);
    expect(Object.keys(summary.strategies)).toEqual(["unicast", "tree", "tree-bb"]);
  });

  it("without --quiet it prints a comparison table and where the results are", async () => {
    const loud = join(dir, "results", "loud");
    const result = await sim("run", join(dir, "tiny.yaml"), "--out", loud, "--no-plots");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("tiny (seed 4, 120 s simulated");
    for (const name of ["cs", "tree", "tree-bb"])
      expect(result.stdout).toMatch(new RegExp(`^${name} `, "m"));
    expect(result.stdout).toContain(`results in ${loud}/`);
  });

  it("sim strategies lists every strategy type", async () => {
    const result = await sim("strategies");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^client-server +\S/m);
    expect(result.stdout).toMatch(/^tree-relay +\S/m);
  });
});

describe("bin/sim.js", () => {
  it("exits 2 from the real command line for a bad scenario, with a one-line message", () => {
    const out = join(dir, "spawned");
    const scenario = join(dir, "bad.yaml");
    const child = spawnSync(
      process.execPath,
      [join(REPO_ROOT, "bin", "sim.js"), "run", scenario, "--out", out, "--quiet"],
      { encoding: "utf8", cwd: dir },
    );
    expect(child.status).toBe(2);
    expect(child.stderr).toBe(
      `sim: ${scenario}:3: churn.abruptShare: must be at most 1, got 1.5\n`,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe("sim run, plot and compare: figures", () => {
  it("sim run writes plots and report.html by default; sim plot regenerates them byte for byte", async () => {
    const out = join(dir, "plots", "run");
    const run = await sim("run", join(dir, "tiny.yaml"), "--out", out, "--quiet");
    expect(run.code).toBe(0);
    const figures = readdirSync(join(out, "plots")).filter((name) => name.endsWith(".svg"));
    expect(figures).toEqual(
      expect.arrayContaining(["startup-cdf.svg", "lag-cdf.svg", "stalls.svg"]),
    );
    const report = readFileSync(join(out, "report.html"), "utf8");
    const before = figures.map((name) => readFileSync(join(out, "plots", name), "utf8"));
    rmSync(join(out, "plots"), { recursive: true });
    rmSync(join(out, "report.html"));
    const plot = await sim("plot", out);
    expect(plot.code).toBe(0);
    expect(figures.map((name) => readFileSync(join(out, "plots", name), "utf8"))).toEqual(before);
    expect(readFileSync(join(out, "report.html"), "utf8")).toBe(report);
    expect(leftovers(join(dir, "plots"))).toEqual([]);
  });

  it("sim compare of two seeds prints both runs and their differences", async () => {
    const a = join(dir, "compare", "a");
    const b = join(dir, "compare", "b");
    expect(
      (await sim("run", join(dir, "tiny.yaml"), "--out", a, "--quiet", "--no-plots")).code,
    ).toBe(0);
    expect(
      (await sim("run", join(dir, "tiny.yaml"), "--out", b, "--quiet", "--no-plots", "--seed", "5"))
        .code,
    ).toBe(0);
    const result = await sim("compare", a, b, "--out", join(dir, "compare", "report"));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("B-A");
    expect(existsSync(join(dir, "compare", "report", "report.html"))).toBe(true);
    const one = await sim("compare", a);
    expect(one.code).toBe(2);
  });
});
