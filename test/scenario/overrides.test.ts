import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, parseOverride, parseScenario } from "../../sim/scenario/load.ts";
import type { TreeRelayOptions } from "../../sim/strategies/treeRelay.ts";

const fixtures = resolve(import.meta.dirname, "fixtures");

const TEXT = `name: base
seed: 5
duration: 2min
strategies:
  - name: tree
    type: tree-relay
    maxChildren: 5
  - name: tree2
    type: tree-relay
`;

const tree = (options: unknown) => options as TreeRelayOptions;

describe("scenario overrides", () => {
  it("parseOverride splits at the first '=' only", () => {
    expect(parseOverride("churn.abruptShare=0.3")).toEqual({
      path: "churn.abruptShare",
      value: "0.3",
    });
    expect(parseOverride(" name = a=b")).toEqual({ path: "name", value: " a=b" });
  });

  it("--set with a dotted index changes that strategy's option and no other", () => {
    const base = parseScenario(TEXT, "s.yaml");
    const changed = parseScenario(TEXT, "s.yaml", [
      parseOverride("strategies.0.resume=back-buffer"),
    ]);
    expect(tree(base.strategies[0].options).resume).toBe("jump-to-live");
    expect(tree(changed.strategies[0].options).resume).toBe("back-buffer");
    expect(changed.strategies[1]).toEqual(base.strategies[1]);
  });

  it("--set with a bracket index replaces an option given in the file", () => {
    const s = parseScenario(TEXT, "s.yaml", [parseOverride("strategies[1].maxChildren=3")]);
    expect(tree(s.strategies[0].options).maxChildren).toBe(5);
    expect(tree(s.strategies[1].options).maxChildren).toBe(3);
    const t = parseScenario(TEXT, "s.yaml", [parseOverride("strategies[0].maxChildren=2")]);
    expect(tree(t.strategies[0].options).maxChildren).toBe(2);
  });

  it("--set creates missing sections and converts units in the overridden values", () => {
    const s = parseScenario(TEXT, "s.yaml", [
      parseOverride("churn.session.distribution=pareto"),
      parseOverride("churn.session.mean=3min"),
      parseOverride("churn.session.shape=2.5"),
      parseOverride("stream.bitrate=1.5Mbps"),
    ]);
    expect(s.churn.session).toEqual({ distribution: "pareto", meanSeconds: 180, shape: 2.5 });
    expect(s.stream.bitrateBitsPerSecond).toBe(1.5e6);
  });

  it("--set takes YAML values: lists, mappings and booleans", () => {
    const s = parseScenario(TEXT, "s.yaml", [
      parseOverride("churn.arrivals=[{type: flash-crowd, count: 7, at: 10s}]"),
    ]);
    expect(s.churn.arrivals).toEqual([
      { type: "flash-crowd", count: 7, atSeconds: 10, overSeconds: 0 },
    ]);
  });

  it("--set can append a strategy at the index just past the end of the list", () => {
    const s = parseScenario(TEXT, "s.yaml", [parseOverride("strategies.2.type=client-server")]);
    expect(s.strategies.map((entry) => entry.name)).toEqual(["tree", "tree2", "client-server"]);
  });

  it("later overrides win over earlier ones", () => {
    const s = parseScenario(TEXT, "s.yaml", [
      parseOverride("duration=5min"),
      parseOverride("duration=7min"),
    ]);
    expect(s.durationSeconds).toBe(420);
  });

  it("a --seed replaces the file's seed and leaves everything else alone", () => {
    const base = parseScenario(TEXT, "s.yaml");
    const seeded = parseScenario(TEXT, "s.yaml", [], 99);
    expect(base.seed).toBe(5);
    expect(seeded.seed).toBe(99);
    expect({ ...seeded, seed: 5 }).toEqual(base);
  });

  it("loadScenario applies overrides and seed to a file and names the scenario after it", () => {
    const s = loadScenario(
      resolve(fixtures, "valid.yaml"),
      [parseOverride("strategies.1.policy=random")],
      3,
    );
    expect(s.name).toBe("fixture-valid");
    expect(s.seed).toBe(3);
    expect(tree(s.strategies[1].options).policy).toBe("random");
    const unnamed = parseScenario("strategies:\n  - type: client-server\n", "dir/my-run.yaml");
    expect(unnamed.name).toBe("my-run");
  });
});
