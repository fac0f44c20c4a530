import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { labelRuns } from "../../analysis/labels.ts";
import { readResults } from "../../analysis/readResults.ts";
import { copyFixture, RUN_A } from "./helpers.ts";

/** Reads a fixture copy after `edit` changed it, and returns the error message. */
async function errorAfter(edit: (dir: string) => void): Promise<string> {
  const dir = copyFixture(RUN_A);
  edit(dir);
  try {
    await readResults(dir);
  } catch (error) {
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message.replace(dir, "DIR");
  }
  throw new Error("readResults did not throw");
}

function rewrite(dir: string, file: string, change: (text: string) => string): void {
  const path = join(dir, file);
  writeFileSync(path, change(readFileSync(path, "utf8")));
}

describe("readResults", () => {
  it("parses the fixture results directory", async () => {
    const r = await readResults(RUN_A);
    expect(r.scenario).toBe("flash-crowd-small");
    expect(r.seed).toBe(1);
    expect(r.durationSeconds).toBe(600);
    expect(r.label).toBe("flash-crowd-small@1");
    expect(r.strategies).toEqual(["client-server", "tree", "swarm", "striped"]);
    expect(r.peers).toHaveLength(80);
    expect(r.timeseries).toHaveLength(48);
    expect(r.timeseriesExtras).toEqual(["meanTreeDepth", "stripesHeldMean", "swarmSize"]);
    expect(r.gauges.length).toBeGreaterThan(10);
    expect(r.events.map((e) => e.kind)).toContain("relay-departure");
    expect(r.manifest).toEqual({
      seed: 1,
      version: "0.1.0",
      gitCommit: "0000000000000000000000000000000000000000",
      scenarioName: "flash-crowd-small",
    });
  });

  it("types cells: empty optional numbers are null, booleans from csv-stringify's 1/empty", async () => {
    const r = await readResults(RUN_A);
    const stillOnline = r.peers.find((p) => p.leaveSeconds === null);
    expect(stillOnline).toBeDefined();
    expect(r.peers.some((p) => p.abrupt)).toBe(true);
    expect(r.peers.some((p) => !p.abrupt)).toBe(true);
    const neverStarted = r.peers.filter((p) => p.startupLatencySeconds === null);
    expect(neverStarted.map((p) => p.strategy)).toEqual(["swarm"]);
    expect(neverStarted[0].continuityIndex).toBeNull();
    expect(neverStarted[0].meanLagSeconds).toBeNull();
    const cs = r.timeseries.find((row) => row.strategy === "client-server")!;
    expect(cs.extra).toEqual({ meanTreeDepth: null, stripesHeldMean: null, swarmSize: null });
    const tree = r.timeseries.find((row) => row.strategy === "tree" && row.timeSeconds === 100)!;
    expect(tree.extra.meanTreeDepth).toBeTypeOf("number");
  });

  it("keeps distributions and extra summary keys, null distributions included", async () => {
    const r = await readResults(RUN_A);
    const summary = JSON.parse(readFileSync(join(RUN_A, "summary.json"), "utf8"));
    expect(r.summary.tree.startupLatencySeconds).toEqual(
      summary.strategies.tree.startupLatencySeconds,
    );
    expect(r.summary["client-server"].recoverySeconds.p95).toBeNull();
    expect(r.summary.tree.duplicateRatio).toBe(summary.strategies.tree.duplicateRatio);
    expect(r.summary.tree.treeDepth).toEqual(summary.strategies.tree.treeDepth);
    // In the file's order, strategy-specific figures after the common ones.
    expect(Object.keys(r.summary.tree)).toEqual(Object.keys(summary.strategies.tree));
    expect(r.summary.tree.type).toBe("tree-relay");
  });

  it("accepts a directory without the optional files", async () => {
    const dir = copyFixture(RUN_A);
    for (const f of ["gauges.csv", "events.csv", "manifest.json", "timing.json"]) {
      rmSync(join(dir, f));
    }
    const r = await readResults(dir);
    expect(r.gauges).toEqual([]);
    expect(r.events).toEqual([]);
    expect(r.manifest).toBeNull();
  });

  it("accepts true/false booleans and CRLF line ends", async () => {
    const dir = copyFixture(RUN_A);
    rewrite(dir, "peers.csv", (t) =>
      t
        .split("\n")
        .map((line) => line.replace(/^([^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*),1,/, "$1,true,"))
        .join("\r\n"),
    );
    const r = await readResults(dir);
    expect(r.peers).toHaveLength(80);
    expect(r.peers.filter((p) => p.abrupt).length).toBeGreaterThan(0);
  });

  it("fails on a missing directory, naming it", async () => {
    await expect(readResults("/nonexistent/results/x")).rejects.toThrow(
      "/nonexistent/results/x: results directory not found",
    );
  });

  it.each(["summary.json", "peers.csv", "timeseries.csv"])(
    "fails on a missing %s, naming the file",
    async (file) => {
      expect(await errorAfter((dir) => rmSync(join(dir, file)))).toBe(
        `DIR/${file}: file not found`,
      );
    },
  );

  it("fails on malformed CSV with file, line and column", async () => {
    expect(
      await errorAfter((dir) => rewrite(dir, "peers.csv", (t) => t.replace(",128000,", ",fast,"))),
    ).toBe('DIR/peers.csv: line 2: column "uploadBitsPerSecond": expected a number, got "fast"');
    expect(
      await errorAfter((dir) =>
        rewrite(dir, "timeseries.csv", (t) =>
          t.replace("\nclient-server,50,", "\nclient-server,50,1,"),
        ),
      ),
    ).toMatch(/^DIR\/timeseries\.csv: line 3: expected 11 fields, got 12$/);
    expect(
      await errorAfter((dir) => rewrite(dir, "gauges.csv", (t) => t.replace("value", "val"))),
    ).toBe('DIR/gauges.csv: line 1: missing column(s) "value"');
    expect(
      await errorAfter((dir) => rewrite(dir, "events.csv", (t) => t.replace("\ntree,", "\ntre,"))),
    ).toBe(
      'DIR/events.csv: line 3: unknown strategy "tre" (summary.json has client-server, tree, swarm, striped)',
    );
    expect(
      await errorAfter((dir) =>
        rewrite(dir, "peers.csv", (t) => t.replace(/^(([^,\n]*,){6})1,/m, "$1maybe,")),
      ),
    ).toMatch(
      /^DIR\/peers\.csv: line \d+: column "abrupt": expected true\/false or 1\/0, got "maybe"$/,
    );
    expect(await errorAfter((dir) => writeFileSync(join(dir, "peers.csv"), ""))).toBe(
      "DIR/peers.csv: empty file, expected a header row",
    );
  });

  it("fails on malformed JSON and bad summary values, naming the file and the field", async () => {
    const summaryError = (change: (text: string) => string) =>
      errorAfter((dir) => rewrite(dir, "summary.json", change));
    expect(await summaryError((t) => t.slice(0, 40))).toMatch(
      /^DIR\/summary\.json: invalid JSON \(/,
    );
    expect(
      await summaryError((t) => t.replace('"stallRatio": 0.01,', '"stallRatio": "low",')),
    ).toBe('DIR/summary.json: strategies.client-server.stallRatio: expected a number, got "low"');
    expect(await summaryError((t) => t.replace('"p95": 1.594', '"p95": "x"'))).toBe(
      'DIR/summary.json: strategies.client-server.startupLatencySeconds.p95: expected a number or null, got "x"',
    );
    expect(await summaryError((t) => t.replace('"stallRatio": 0.01,', ""))).toBe(
      "DIR/summary.json: strategies.client-server.stallRatio: missing (expected a number)",
    );
    expect(await summaryError((t) => t.replace('"stallRatio": 0.01,', '"stallRatio": 1.5,'))).toBe(
      "DIR/summary.json: strategies.client-server.stallRatio: expected at most 1, got 1.5",
    );
    expect(
      await summaryError((t) => t.replace('"duplicateRatio": 0,', '"duplicateRatio": [0],')),
    ).toBe(
      "DIR/summary.json: strategies.tree.duplicateRatio: expected a number or a distribution {mean, p50, p95, p99, max}, got a list",
    );
    expect(await summaryError((t) => t.replace('"seed": 1,', '"seed": 1.5,'))).toBe(
      "DIR/summary.json: seed: expected an integer, got 1.5",
    );
    expect(
      await errorAfter((dir) =>
        rewrite(dir, "summary.json", (t) =>
          JSON.stringify({ ...JSON.parse(t), strategies: {} }, null, 2),
        ),
      ),
    ).toBe("DIR/summary.json: strategies: expected at least one strategy");
    expect(await errorAfter((dir) => rewrite(dir, "manifest.json", () => "[1, 2]"))).toBe(
      "DIR/manifest.json: expected an object, got a list",
    );
    expect(
      await errorAfter((dir) =>
        rewrite(dir, "manifest.json", (t) => t.replace('"version": "0.1.0"', '"version": 1')),
      ),
    ).toBe("DIR/manifest.json: version: expected a string, got 1");
  });

  it("labels runs scenario@seed, falling back to the directory name on collisions", async () => {
    const a = await readResults(RUN_A);
    const copy = await readResults(copyFixture(RUN_A, "patched"));
    expect(labelRuns([a, copy]).map((r) => r.label)).toEqual(["run-a", "patched"]);
    const same = await readResults(copyFixture(RUN_A, "run-a"));
    const labels = labelRuns([a, same]).map((r) => r.label);
    expect(new Set(labels).size).toBe(2);
  });
});
