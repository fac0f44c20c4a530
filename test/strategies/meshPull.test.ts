import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../sim/scenario/load.ts";
import { ScenarioError } from "../../sim/scenario/reader.ts";
import { figure as extra, runYaml, STEADY_CHURN, scenarioYaml } from "../support/scenarios.ts";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

const oneDeparture = (abruptShare: number) =>
  scenarioYaml({
    name: "mesh-departure",
    seed: 4,
    duration: "60s",
    source: "upload: 4Mbps",
    classes: ["{ name: same, share: 1, upload: 2Mbps, download: 20Mbps }"],
    latency: "{ model: constant, oneWay: 10ms }",
    churn: [
      "arrivals: [{ type: trace, file: mesh-one-departure.csv }]",
      `abruptShare: ${abruptShare}`,
      "detectionDelay: 4s",
    ],
    strategies: ["{ name: mesh, type: mesh-pull, partners: 4, maxPartners: 6, slowShare: 0 }"],
  });

describe("mesh pull: partner churn", () => {
  for (const abruptShare of [0, 1]) {
    it(`a departure (${abruptShare ? "abrupt" : "graceful"}) costs each of its three partners one partnership, per peer-hour online`, () => {
      const [r] = runYaml(oneDeparture(abruptShare), join(fixtures, "mesh.yaml")).runs;
      expect(extra(r, "partnerDepartures")).toBe(3);
      expect(extra(r, "slowPartnerDrops")).toBe(0);
      expect(extra(r, "partnershipsEndedByPartner")).toBe(0);
      // Online: 29 s + 58.5 s + 58 s + 57.5 s = 203 s.
      expect(extra(r, "partnerChurnPerPeerHour")).toBeCloseTo(3 / (203 / 3600), 3);
      // The three who stayed play on: their partners and the source still supply them.
      expect(r.summary.continuityIndex).toBeGreaterThan(0.99);
    });
  }
});

const mixed = (...strategies: string[]) =>
  scenarioYaml({
    name: "mesh-mixed",
    seed: 9,
    duration: "3min",
    source: "upload: 4Mbps",
    classes: [
      "{ name: slow, share: 0.3, upload: 48kbps, download: 4Mbps }",
      "{ name: fast, share: 0.7, upload: 2Mbps, download: 20Mbps }",
    ],
    churn: STEADY_CHURN,
    strategies,
  });

describe("mesh pull: exchange, replacement and overhead", () => {
  const [base, fast, fixed] = runYaml(
    mixed(
      "{ name: base, type: mesh-pull }",
      "{ name: fast-exchange, type: mesh-pull, exchangePeriod: 500ms }",
      "{ name: no-replace, type: mesh-pull, replaceInterval: 0s }",
    ),
    "mixed.yaml",
  ).runs;

  it("halving the exchange period about doubles the buffer-map bytes, all counted as control", () => {
    for (const r of [base, fast]) {
      expect(extra(r, "bufferMapBytes")).toBeGreaterThan(0);
      expect(extra(r, "bufferMapBytes")).toBeLessThan(r.transport.counters.controlBytes);
      // Each map is a 100-byte header plus one bit per chunk of the 64-chunk window.
      expect(extra(r, "bufferMapBytes") % 108).toBe(0);
    }
    const ratio = extra(fast, "bufferMapBytes") / extra(base, "bufferMapBytes");
    expect(ratio).toBeGreaterThan(1.8);
    expect(ratio).toBeLessThan(2.2);
  });

  it("drops partners slower than a quarter of the stream rate only when replacement is on", () => {
    expect(extra(base, "slowPartnerDrops")).toBeGreaterThan(0);
    expect(extra(fixed, "slowPartnerDrops")).toBe(0);
    expect(extra(base, "partnerChurnPerPeerHour")).toBeGreaterThan(
      extra(fixed, "partnerChurnPerPeerHour"),
    );
  });

  it("counts copies received twice (a request given up, then served) in overheadRatio", () => {
    for (const r of [base, fast, fixed]) {
      const c = r.transport.counters;
      expect(extra(r, "duplicateRequestBytes")).toBe(r.summary.duplicateBytes);
      const useful = c.deliveredDataBytes - extra(r, "duplicateRequestBytes");
      expect(r.summary.overheadRatio).toBeCloseTo(
        (c.controlBytes + extra(r, "duplicateRequestBytes")) / useful,
        6,
      );
    }
    expect(extra(base, "requestTimeouts")).toBeGreaterThan(0);
  });

  it("reports each session's mean partner count and buffer-map fill as gauges", () => {
    const partners = base.gauges.filter((g) => g.name === "meshPartners");
    const fill = base.gauges.filter((g) => g.name === "bufferMapFill");
    expect(partners.length).toBe(fill.length);
    expect(partners.length).toBeGreaterThan(0.9 * base.summary.peers);
    expect(new Set(partners.map((g) => g.peer)).size).toBe(partners.length);
    for (const g of partners) {
      expect(g.value).toBeGreaterThanOrEqual(0);
      expect(g.value).toBeLessThanOrEqual(10);
    }
    for (const g of fill) {
      expect(g.value).toBeGreaterThanOrEqual(0);
      expect(g.value).toBeLessThanOrEqual(1);
    }
    const columns = Object.keys(base.timeseries[0].extra);
    expect(columns).toEqual(["meanPartners", "meanBufferMapFill"]);
  });
});

describe("mesh pull: options", () => {
  const parse = (line: string) => () => parseScenario(mixed(line), "bad.yaml");

  it("rejects a partner cap below the partner target, naming the field", () => {
    const bad = parse("{ name: m, type: mesh-pull, partners: 6, maxPartners: 4 }");
    expect(bad).toThrow(ScenarioError);
    expect(bad).toThrow(/strategies\[0\]\.maxPartners: must be at least 6/);
  });

  it("rejects an unknown scheduler", () => {
    expect(parse("{ name: m, type: mesh-pull, scheduler: random }")).toThrow(
      /strategies\[0\]\.scheduler/,
    );
  });
});
