import { beforeAll, describe, expect, it } from "vitest";
import { assignColors } from "../../analysis/colors.ts";
import { uploadClasses } from "../../analysis/figures/qosByClass.ts";
import { FIGURES } from "../../analysis/index.ts";
import { labelRuns } from "../../analysis/labels.ts";
import type { Results } from "../../analysis/types.ts";
import { assertWellFormed, axisDomains, covers, loadFixtures, marks } from "./helpers.ts";

let a: Results;
let both: Results[];

beforeAll(async () => {
  ({ a, both } = await loadFixtures());
});

const render = (name: string, runs: Results[]) =>
  FIGURES.find((f) => f.name === name)!.render(runs);
const finite = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);

/**
 * A figure missing from a hand-built Results: files always have these (the schema requires
 * them), but the figures take Results from library callers too and must not draw a hole as 0.
 */
const missing = null as unknown as number;

describe.each(FIGURES.map((f) => [f.name, f] as const))("figure %s", (name, spec) => {
  it("applies to the fixture (it has every strategy's data)", () => {
    expect(spec.applies([a])).toBe(true);
  });

  it("matches its snapshot (one run)", async () => {
    await expect(spec.render([a])).toMatchFileSnapshot(`__snapshots__/${name}.svg`);
  });

  it("matches its snapshot (two runs overlaid)", async () => {
    await expect(spec.render(both)).toMatchFileSnapshot(`__snapshots__/compare/${name}.svg`);
  });

  it.each([
    ["one run", () => [a]],
    ["two runs", () => both],
  ])("is well-formed, finite, titled and legible (%s)", (_, runs) => {
    const svg = spec.render(runs());
    assertWellFormed(svg);
    expect(svg).not.toMatch(/NaN|Infinity|undefined|null|\[object/);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="340" ')).toBe(true);
    expect(svg).toContain(`data-figure="${name}"`);
    const subtitle =
      runs().length === 1 ? "flash-crowd-small, seed 1" : "flash-crowd-small, seeds 1, 2";
    expect(svg).toContain(`>${subtitle}</text>`);
    expect(svg).toContain(`class="header"`);
    const sizes = [...svg.matchAll(/font-size="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(9);
    // every axis says what it measures, with a unit in parentheses
    const labels = [...svg.matchAll(/class="label"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(labels.length).toBeGreaterThan(0);
    for (const label of labels) expect(label).toMatch(/\(.+\)$/);
  });

  it("has marks, each tagged with a known strategy and run", () => {
    const found = marks(spec.render(both));
    expect(found.length).toBeGreaterThan(0);
    for (const m of found) {
      expect(a.strategies).toContain(m["data-strategy"]);
      if (m["data-run"] !== undefined) expect(["0", "1"]).toContain(m["data-run"]);
    }
  });

  it("is deterministic", () => {
    expect(spec.render(both)).toBe(spec.render(both));
    expect(spec.render([a])).toBe(spec.render([a]));
  });

  it("uses each strategy's report colour in its legend", () => {
    const colors = assignColors(a.strategies);
    const svg = spec.render([a]);
    const items = [
      ...svg.matchAll(
        /<g class="legend-item" data-strategy="([^"]+)">\n<(?:line|rect|circle|path) [^>]*(?:stroke|fill)="(#[0-9a-f]{6})"/g,
      ),
    ];
    expect(items.length).toBeGreaterThan(0);
    for (const [, strategy, color] of items) expect(color).toBe(colors.get(strategy));
  });
});

describe("figure content", () => {
  it.each([
    ["startup-cdf", (p: Results["peers"][number]) => p.startupLatencySeconds],
    ["lag-cdf", (p: Results["peers"][number]) => p.meanLagSeconds],
  ] as const)(
    "%s: one step line per strategy per run, domains cover the samples",
    (name, value) => {
      for (const runs of [[a], both]) {
        const svg = render(name, runs);
        const lines = marks(svg).filter((m) => m.class === "mark line");
        const expected = runs.flatMap((r, i) => r.strategies.map((s) => `${s}/${i}`));
        expect(lines.map((m) => `${m["data-strategy"]}/${m["data-run"]}`).sort()).toEqual(
          expected.sort(),
        );
        for (const m of lines)
          expect(m.stroke).toBe(assignColors(a.strategies).get(m["data-strategy"]));
        const samples = finite(runs.flatMap((r) => r.peers.map(value)));
        const [panel] = axisDomains(svg);
        expect(covers(panel.x, samples)).toBe(true);
        expect(panel.y).toEqual([0, 1]);
        expect(svg).toContain(">fraction of sessions (0–1)</text>");
        // every line ends at the share of all sessions that have a value (1 − never started)
        for (const m of lines) {
          const run = runs[Number(m["data-run"])];
          const sessions = run.peers.filter((p) => p.strategy === m["data-strategy"]);
          const share = sessions.filter((p) => value(p) !== null).length / sessions.length;
          const endY = Number(m.d.split(",").pop());
          expect(endY).toBeCloseTo(150 * (1 - share), 1);
        }
      }
    },
  );

  it("cdf: runs are told apart by dashes, strategies by colour", () => {
    const lines = marks(render("startup-cdf", both)).filter((m) => m.class === "mark line");
    for (const m of lines) {
      expect(m["stroke-dasharray"] === undefined).toBe(m["data-run"] === "0");
    }
  });

  it("stalls: one bar per strategy, value axes cover the summaries", () => {
    const svg = render("stalls", [a]);
    const bars = marks(svg).filter((m) => m.class === "mark bar");
    expect(bars).toHaveLength(2 * a.strategies.length);
    const [perMinute, ratio] = axisDomains(svg);
    const s = a.strategies.map((n) => a.summary[n]);
    expect(covers(perMinute.y, finite(s.map((x) => x.stallsPerMinute)))).toBe(true);
    expect(
      covers(
        ratio.y,
        finite(s.map((x) => x.stallRatio)).map((v) => v * 100),
      ),
    ).toBe(true);
    expect(svg).not.toContain("error-bar");
  });

  it("stalls: replicated seeds give a mean with a 95 % CI and a dot per seed", () => {
    const svg = render("stalls", both);
    expect(svg).toContain("whiskers: 95 % CI");
    const errorBars = svg.match(/class="error-bar"/g) ?? [];
    expect(errorBars).toHaveLength(2 * a.strategies.length);
    const dots = svg.match(/class="replicate"/g) ?? [];
    expect(dots).toHaveLength(2 * 2 * a.strategies.length);
    const tree = both.map((r) => r.summary.tree.stallsPerMinute!);
    const mean = (tree[0] + tree[1]) / 2;
    expect(svg).toContain(`mean ${Number(mean.toPrecision(3))} stalls per minute`);
    const [perMinute] = axisDomains(svg);
    // the CI of two seeds is wide: t(1) = 12.706
    const half = (12.706 * Math.abs(tree[0] - tree[1])) / Math.sqrt(2) / Math.sqrt(2);
    expect(covers(perMinute.y, [mean + half])).toBe(true);
  });

  it("stalls: different scenarios are not replications (grouped bars, no whiskers)", () => {
    const other = { ...both[1], scenario: "other-scenario" };
    const runs = labelRuns([both[0], other]);
    const svg = render("stalls", runs);
    expect(svg).not.toContain("error-bar");
    expect(marks(svg).filter((m) => m.class === "mark bar")).toHaveLength(
      2 * 2 * a.strategies.length,
    );
  });

  it("population: four panels whose axes cover the counts and the run time, events marked", () => {
    const svg = render("population", both);
    const panels = axisDomains(svg);
    expect(panels).toHaveLength(4);
    const rows = both.flatMap((r) => r.timeseries);
    const columns = ["population", "starting", "playing", "stalled"] as const;
    columns.forEach((c, i) => {
      expect(
        covers(
          panels[i].y,
          rows.map((r) => r[c]),
        ),
      ).toBe(true);
      expect(covers(panels[i].x, [0, 600, ...rows.map((r) => r.timeSeconds)])).toBe(true);
    });
    // the flash crowd is shared by all strategies: one grey line with its size
    expect(svg.match(/class="event shared"/g)).toHaveLength(1);
    expect(svg).toContain("flash crowd (+8 peers)");
    // relay departures are the strategy's own: rug ticks in its colour, one row per run
    const own = marks(svg).filter((m) => m.class === "mark event");
    const expected = both.flatMap((r) => r.events.filter((e) => e.kind === "relay-departure"));
    expect(own.length).toBeGreaterThan(0);
    expect(own.length).toBeLessThanOrEqual(expected.length);
    expect(new Set(own.map((m) => m["data-strategy"]))).toEqual(new Set(["tree", "striped"]));
    for (const e of expected) {
      expect(svg).toContain(
        `t = ${Number(e.timeSeconds.toFixed(1))} s: relay departure (${e.detail} children lost)`,
      );
    }
  });

  it("tradeoff: one point per strategy per run inside the axes", () => {
    const svg = render("tradeoff", both);
    const points = marks(svg).filter((m) => m.class === "mark point");
    expect(points).toHaveLength(2 * a.strategies.length);
    const s = both.flatMap((r) => r.strategies.map((n) => r.summary[n]));
    const [panel] = axisDomains(svg);
    expect(covers(panel.x, finite(s.map((x) => x.continuityIndex)))).toBe(true);
    expect(
      covers(
        panel.y,
        finite(s.map((x) => x.overheadRatio)).map((v) => v * 100),
      ),
    ).toBe(true);
    expect(panel.x![1]).toBeLessThanOrEqual(1);
  });

  it("qos-by-class: classes ordered by capacity, a bar per class per strategy, values right", () => {
    expect(uploadClasses([a])).toEqual(["128k", "384k", "1M", "5M"]);
    const svg = render("qos-by-class", [a]);
    expect(svg).toContain('data-domain="128k,384k,1M,5M"');
    const bars = marks(svg).filter((m) => m.class === "mark bar");
    expect(bars).toHaveLength(3 * 4 * a.strategies.length);
    const weak = a.peers.filter((p) => p.strategy === "tree" && p.class === "128k");
    const stalled = weak.reduce((s, p) => s + p.stalledSeconds, 0);
    const viewing = weak.reduce((s, p) => s + p.playingSeconds + p.stalledSeconds, 0);
    const share = Number(((stalled / viewing) * 100).toPrecision(3));
    expect(svg).toContain(`tree, class 128k\n${share} % of viewing time stalled`);
    const [stalledPanel] = axisDomains(svg);
    expect(covers(stalledPanel.y, [share])).toBe(true);
  });

  it("source-load: y axis in Mbit/s covers the source rates", () => {
    const svg = render("source-load", [a]);
    expect(svg).toContain("source upload (Mbit/s)");
    const [panel] = axisDomains(svg);
    expect(
      covers(
        panel.y,
        a.timeseries.map((r) => r.sourceUploadBitsPerSecond / 1e6),
      ),
    ).toBe(true);
  });

  it("strategy-specific figures only show the strategies that report them", () => {
    const only = (name: string) => new Set(marks(render(name, [a])).map((m) => m["data-strategy"]));
    expect(only("tree-depth")).toEqual(new Set(["tree"]));
    expect(only("stripes-held")).toEqual(new Set(["striped"]));
    expect(only("swarm-size")).toEqual(new Set(["swarm"]));
    expect(only("strategy-timeseries")).toEqual(new Set(["tree", "striped", "swarm"]));
  });

  it("tree-depth: shares per depth add up to 100 % per strategy", () => {
    const svg = render("tree-depth", [a]);
    const shares = [...svg.matchAll(/attachments \(([\d.]+) %\)/g)].map((m) => Number(m[1]));
    expect(shares.reduce((x, y) => x + y, 0)).toBeCloseTo(100, 0);
    const depths = a.gauges.filter((g) => g.name === "treeDepth").map((g) => g.value);
    expect(svg).toContain(`data-domain="${[...new Set(depths)].sort().join(",")}"`);
  });

  it("swarm-size: a point per observed slice, axes cover slices and sizes", () => {
    const svg = render("swarm-size", [a]);
    const gauges = a.gauges.filter((g) => g.name === "swarmSize");
    expect(svg.match(/<g class="point">/g)).toHaveLength(gauges.length);
    const [panel] = axisDomains(svg);
    expect(
      covers(
        panel.x,
        gauges.map((g) => g.peer!),
      ),
    ).toBe(true);
    expect(
      covers(
        panel.y,
        gauges.map((g) => g.value),
      ),
    ).toBe(true);
  });
});

describe("figures without data", () => {
  it("strategy-specific figures do not apply, and render a clean 'no data' figure", () => {
    const bare: Results = {
      ...a,
      gauges: [],
      events: [],
      timeseriesExtras: [],
      timeseries: a.timeseries.map((r) => ({ ...r, extra: {} })),
    };
    for (const name of ["tree-depth", "stripes-held", "swarm-size", "strategy-timeseries"]) {
      const spec = FIGURES.find((f) => f.name === name)!;
      expect(spec.applies([bare])).toBe(false);
      const svg = spec.render([bare]);
      assertWellFormed(svg);
      expect(svg).toContain('class="no-data"');
      expect(svg).not.toMatch(/NaN|Infinity/);
    }
    const pop = FIGURES.find((f) => f.name === "population")!.render([bare]);
    expect(pop).not.toContain(`class="event`);
    expect(pop).not.toContain(`class="mark event`);
  });

  it("every figure copes with a run where nobody started and nothing was sampled", () => {
    const empty: Results = {
      ...a,
      peers: a.peers.map((p) => ({
        ...p,
        startupLatencySeconds: null,
        meanLagSeconds: null,
        continuityIndex: null,
        playingSeconds: 0,
        stalledSeconds: 0,
        chunksOnTime: 0,
        chunksLate: 0,
        chunksMissed: 0,
      })),
      timeseries: [],
      gauges: [],
      summary: Object.fromEntries(
        Object.entries(a.summary).map(([k, s]) => [
          k,
          {
            ...s,
            stallsPerMinute: missing,
            stallRatio: missing,
            continuityIndex: missing,
            overheadRatio: missing,
          },
        ]),
      ),
    };
    for (const spec of FIGURES) {
      const svg = spec.render([empty]);
      assertWellFormed(svg);
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    }
  });
});

describe("figures of large runs", () => {
  /** The fixture with `n` extra peers per strategy and a long startup tail. */
  function large(n: number): Results {
    const extra = a.strategies.flatMap((strategy) =>
      Array.from({ length: n }, (_, i) => ({
        ...a.peers[0],
        strategy,
        peer: `x${i}`,
        startupLatencySeconds: i === 0 ? 900 : 1 + ((i * 7919) % 1000) / 250,
        meanLagSeconds: 2 + ((i * 104729) % 1000) / 100,
      })),
    );
    const departures = Array.from({ length: 1000 }, (_, i) => ({
      strategy: "tree",
      timeSeconds: (i * 0.59) % 600,
      kind: "relay-departure",
      detail: String(1 + (i % 4)),
    }));
    return { ...a, peers: [...a.peers, ...extra], events: [...a.events, ...departures] };
  }

  it("a long startup tail switches the CDF to a log axis that still covers every sample", () => {
    const big = large(50);
    const svg = render("startup-cdf", [big]);
    expect(svg).toContain("startup latency (s, log scale)");
    const [panel] = axisDomains(svg);
    const positive = finite(big.peers.map((p) => p.startupLatencySeconds)).filter((v) => v > 0);
    expect(covers(panel.x, positive)).toBe(true);
    expect(marks(svg).filter((m) => m.class === "mark line")).toHaveLength(a.strategies.length);
    // the fixture alone stays linear
    expect(render("startup-cdf", [a])).toContain("startup latency (s)</text>");
  });

  it("thousands of samples give compact paths (corners merged below half a pixel)", () => {
    const svg = render("lag-cdf", [large(5000)]);
    for (const m of marks(svg).filter((x) => x.class === "mark line")) {
      const corners = m.d.split(/[MLHV]/).length;
      expect(corners).toBeLessThan(2 * 290);
    }
    expect(svg.length).toBeLessThan(60_000);
  });

  it("a thousand relay departures become one binned rug row, every departure counted", () => {
    const big = large(0);
    const svg = render("population", [big]);
    const ticks = marks(svg).filter(
      (m) => m.class === "mark event" && m["data-strategy"] === "tree",
    );
    expect(ticks.length).toBeLessThanOrEqual(Math.ceil(278 / 3) + 1);
    const counted = [...svg.matchAll(/(\d+) relay departures|: relay departure \(/g)].reduce(
      (sum, m) => sum + (m[1] ? Number(m[1]) : 1),
      0,
    );
    const all = big.events.filter((e) => e.kind === "relay-departure").length;
    expect(counted).toBe(all);
  });
});

describe("figures a reviewer accepts", () => {
  /** The fixture with one strategy's summary values replaced. */
  function withSummary(
    base: Results,
    changes: Record<string, Partial<Results["summary"][string]>>,
  ): Results {
    const summary = { ...base.summary };
    for (const [name, change] of Object.entries(changes)) {
      summary[name] = { ...summary[name], ...change };
    }
    return { ...base, summary };
  }

  it("startup CDF over all sessions: 2 of 4 sessions started at 1 s and 2 s, so it rises to 0.25 then 0.5 and stays", () => {
    const template = a.peers.find((p) => p.strategy === "tree")!;
    const peers = [1, 2, null, null].map((startup, i) => ({
      ...template,
      peer: `p${i}`,
      startupLatencySeconds: startup,
    }));
    const run: Results = { ...a, strategies: ["tree"], peers };
    const svg = render("startup-cdf", [run]);
    const line = marks(svg).find((m) => m.class === "mark line")!;
    // y pixels: 150 at 0, 0 at 1; fraction 0.25 is y 112.5, 0.5 is y 75
    const corners = line.d
      .replace(/^M/, "")
      .split(/[LHV]/)
      .filter((c) => c.includes(","))
      .map((c) => c.split(",").map(Number));
    const ys = [...new Set(corners.map((c) => c[1]))];
    expect(ys).toEqual([150, 112.5, 75]);
    expect(svg).toContain("2 never started (50 %): the line levels off at 0.5");
  });

  it("tradeoff: coincident points are drawn apart, every point labelled once, no label overlaps", async () => {
    const { textBox, overlaps, MARKER_RADIUS } = await import("../../analysis/labelPlacement.ts");
    const run = withSummary(a, {
      tree: { continuityIndex: 0.97, overheadRatio: 0 },
      striped: { continuityIndex: 0.97, overheadRatio: 0 },
      swarm: { continuityIndex: 0.975, overheadRatio: 0.001 },
      "client-server": { continuityIndex: 1, overheadRatio: 0 },
    });
    const svg = render("tradeoff", [run]);
    const groups = svg.split('<g class="mark point"').slice(1);
    expect(groups).toHaveLength(4);
    const centres = groups.map((g) => {
      const m = g.match(/<path transform="translate\(([-\d.]+),([-\d.]+)\)"/)!;
      return [Number(m[1]), Number(m[2])];
    });
    // tree and striped share a value, yet their markers do not cover each other
    for (let i = 0; i < centres.length; i++) {
      for (let j = 0; j < i; j++) {
        const d = Math.hypot(centres[i][0] - centres[j][0], centres[i][1] - centres[j][1]);
        expect(d).toBeGreaterThanOrEqual(2 * MARKER_RADIUS);
      }
    }
    expect(svg.match(/class="spread"/g)).toHaveLength(2);
    expect(svg).toContain("drawn apart from 1 overlapping point(s)");
    // labels: one per point, none overlapping another label or a marker, all inside the panel
    const labels = groups.map((g) => {
      const m = g.match(
        /<text x="([-\d.]+)" y="([-\d.]+)" text-anchor="(\w+)" font-size="9" [^>]*>([^<]+)</,
      )!;
      return {
        text: m[4],
        box: textBox(m[4], 9, Number(m[1]), Number(m[2]), m[3] as "start" | "end" | "middle"),
      };
    });
    expect(labels.map((l) => l.text).sort()).toEqual([...a.strategies].sort());
    for (const [i, l] of labels.entries()) {
      expect(l.box.x).toBeGreaterThanOrEqual(0);
      expect(l.box.x + l.box.width).toBeLessThanOrEqual(278);
      for (const [j, other] of labels.entries()) {
        if (j !== i) expect(overlaps(l.box, other.box), `${l.text} / ${other.text}`).toBe(false);
      }
      for (const [cx, cy] of centres) {
        const marker = { x: cx - 4, y: cy - 4, width: 8, height: 8 };
        expect(overlaps(l.box, marker), `${l.text} on a marker`).toBe(false);
      }
    }
  });

  it("tradeoff: each strategy has its own marker shape; later runs are hollow", () => {
    const svg = render("tradeoff", both);
    const shapes = new Map<string, string>();
    for (const g of svg.split('<g class="mark point"').slice(1)) {
      const strategy = g.match(/data-strategy="([^"]+)"/)![1];
      const run = g.match(/data-run="(\d)"/)![1];
      const d = g.match(/ d="([^"]+)"/)![1];
      if (run === "0") shapes.set(strategy, d);
      else {
        expect(d).toBe(shapes.get(strategy));
        expect(g).toMatch(/fill="#fff"/);
      }
    }
    expect(new Set(shapes.values()).size).toBe(a.strategies.length);
  });

  it("bars: a zero is marked, a missing value is not, names are written once", () => {
    const run = withSummary(a, {
      tree: { stallsPerMinute: 0, stallRatio: 0 },
      swarm: { stallsPerMinute: missing, stallRatio: missing },
    });
    const svg = render("stalls", [run]);
    const treeBars = svg
      .split('<g class="mark bar" data-strategy="')
      .slice(1)
      .filter((g) => g.startsWith("tree"));
    expect(treeBars).toHaveLength(2);
    for (const g of treeBars) {
      expect(g).toContain('class="zero"');
      expect(g).toContain('class="zero-label"');
    }
    expect(svg).not.toMatch(/data-strategy="swarm" data-run="0">\n<rect class="zero"/);
    expect(svg.match(/class="zero"/g)).toHaveLength(2);
    // the strategy names appear once under the stack (and once in the legend); swarm, without
    // any value, is not in the figure
    for (const s of a.strategies.filter((n) => n !== "swarm")) {
      expect(svg.match(new RegExp(`>${s}</text>`, "g")), s).toHaveLength(2);
    }
    expect(svg).not.toContain(">swarm</text>");
  });

  it("bars: a panel without any value is left out", () => {
    const run = withSummary(
      a,
      Object.fromEntries(a.strategies.map((s) => [s, { stallRatio: missing }])),
    );
    const svg = render("stalls", [run]);
    expect(axisDomains(svg)).toHaveLength(1);
    expect(svg).not.toContain("stalled time (%)");
    expect(svg).toContain("stalls (per min)");
  });

  it("qos-by-class: class names once, under the last panel", () => {
    const svg = render("qos-by-class", [a]);
    for (const cls of ["128k", "384k", "1M", "5M"]) {
      expect(svg.match(new RegExp(`>${cls}</text>`, "g")), cls).toHaveLength(1);
    }
  });

  it("other-gauges: a gauge with one value throughout is a sentence, not a 100 % bar", () => {
    const gauges = [
      ...a.gauges,
      ...[1, 2, 3].map((t) => ({
        strategy: "striped",
        name: "lonely",
        timeSeconds: t,
        peer: 1,
        value: 7,
      })),
    ];
    const svg = render("other-gauges", [{ ...a, gauges }]);
    expect(svg).toContain(">lonely (gauge value): always 7 (striped)</text>");
    expect(svg).toContain("lonely: every observation is 7 (striped 3)");
  });

  it("time panels: panel names sit above the panels, outside the data area", () => {
    const svg = render("population", [a]);
    const labels = [...svg.matchAll(/class="panel-label"[\s\S]*?<text x="0" y="([-\d.]+)"/g)].map(
      (m) => Number(m[1]),
    );
    expect(labels).toHaveLength(4);
    for (const y of labels) expect(y).toBeLessThan(0);
  });

  it("lines carry their strategy's marker shape, staggered so coinciding lines all show", () => {
    const svg = render("population", [a]);
    const groups = [
      ...svg.matchAll(/<g class="line-markers" data-strategy="([^"]+)"[^>]*>\n([\s\S]*?)\n<\/g>/g),
    ];
    expect(groups.length).toBe(4 * a.strategies.length);
    const firstX = new Map<string, number>();
    for (const [, strategy, body] of groups) {
      const xs = [...body.matchAll(/translate\(([-\d.]+),/g)].map((m) => Number(m[1]));
      expect(xs.length).toBeGreaterThan(2);
      if (!firstX.has(strategy)) firstX.set(strategy, xs[0]);
    }
    // the same line drawn by every strategy (online count) still shows each one's markers
    expect(new Set(firstX.values()).size).toBe(a.strategies.length);
  });

  it.each(FIGURES.map((f) => [f.name, f] as const))(
    "%s: every mark colour has 3:1 contrast on white, and nothing is drawn faint",
    async (_, spec) => {
      const { contrastRatio } = await import("../../analysis/colors.ts");
      for (const runs of [[a], both]) {
        const svg = spec.render(runs);
        const colors = new Set(
          [...svg.matchAll(/(?:fill|stroke)="(#[0-9a-f]{6})"/g)].map((m) => m[1]),
        );
        for (const c of colors) {
          if (c === "#ffffff" || c === "#e6e6e6") continue; // background, halo, grid lines
          expect(contrastRatio(c, "#ffffff"), c).toBeGreaterThanOrEqual(3);
        }
        // PDF conversion ignores paint-order: a text halo would paint over the text there
        expect(svg).not.toContain("paint-order");
        // a see-through fill is only allowed with a full-strength outline (later runs' bars)
        for (const m of svg.matchAll(/<[a-z]+ [^>]*fill-opacity="([\d.]+)"[^>]*>/g)) {
          if (Number(m[1]) === 0 || Number(m[1]) === 1) continue;
          expect(m[0]).toMatch(/stroke="#[0-9a-f]{6}"/);
          expect(m[0]).not.toMatch(/stroke-opacity/);
        }
      }
    },
  );
});
