import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StrategySummary } from "../../sim/results/schema.ts";
import { runScenario } from "../../sim/run/runScenario.ts";
import { parseScenario } from "../../sim/scenario/load.ts";
import type { Scenario } from "../../sim/scenario/scenario.ts";
import type { MeshPullOptions } from "../../sim/strategies/meshPull/options.ts";
import { sim } from "./runMain.ts";

/*
 * The README's paired-replication table quotes figures of `npx sim run scenarios/ci.yaml`, and
 * its mesh-against-tree paragraph figures of `scenarios/high-churn.yaml` and
 * `scenarios/mesh-vs-tree.yaml`; this reruns them and compares every figure, rounded as the
 * README rounds it, so a model change that moves them fails here until the README says what the
 * model now produces.
 */

const root = join(import.meta.dirname, "../..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const out = mkdtempSync(join(tmpdir(), "readme-figures-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Interval {
  mean: number;
  halfWidth95: number;
}

const cell = (i: Interval) => `${i.mean.toFixed(4)} ± ${i.halfWidth95.toFixed(4)}`;

describe("the README's measured figures", () => {
  it("the paired-replication table is what scenarios/ci.yaml produces", async () => {
    const { code } = await sim("run", "scenarios/ci.yaml", "--out", join(out, "ci"));
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, "ci", "summary.json"), "utf8"));
    const rows = readme
      .split("\n")
      .filter((line) => /^\| (neverStartedShare|stallRatio) +\|/.test(line))
      .map((line) => line.split("|").map((c) => c.trim()));
    expect(rows.length).toBe(2);
    for (const [, metric, a, b, aAlone, bAlone, paired] of rows) {
      const confidence = (name: string): Interval => summary.strategies[name].confidence[metric];
      expect(aAlone, `${a} ${metric}`).toBe(cell(confidence(a)));
      expect(bAlone, `${b} ${metric}`).toBe(cell(confidence(b)));
      const difference = summary.pairedDifferences.find(
        (d: { a: string; b: string; metric: string }) =>
          d.a === a && d.b === b && d.metric === metric,
      );
      const verdict = difference.significant ? "(significant)" : "`(n.s.)`";
      expect(paired, `${a} - ${b} ${metric}`).toBe(`${cell(difference)} ${verdict}`);
    }
  }, 120_000);
});

/** The README paragraph that begins with `heading`, its lines joined by single spaces. */
function paragraph(heading: string): string {
  const start = readme.indexOf(heading);
  if (start < 0) throw new Error(`README.md has no paragraph beginning ${heading}`);
  const end = readme.indexOf("\n\n", start);
  return readme.slice(start, end < 0 ? undefined : end).replace(/\s+/g, " ");
}

/**
 * Runs the named strategies of a scenario file. A strategy draws only from its own random
 * stream and the workload from the scenario's, so each gets exactly the figures it has in a
 * run of the whole file (which would take several times longer).
 */
function runStrategies(file: string, names: string[]) {
  const scenario = parseScenario(readFileSync(join(root, file), "utf8"), file);
  const strategies = scenario.strategies.filter((entry) => names.includes(entry.name));
  expect(strategies.map((entry) => entry.name)).toEqual(names);
  const run = runScenario({ ...scenario, strategies });
  const summaries = new Map(run.runs.map((r) => [r.entry.name, r.summary]));
  return { scenario, summary: (name: string) => summaries.get(name) as StrategySummary };
}

/** A summary figure as a number (a distribution's quantile or a strategy's own figure). */
function num(x: unknown): number {
  if (typeof x !== "number") throw new Error(`expected a number, got ${String(x)}`);
  return x;
}

/** The README's roundings: to 3 and 2 decimals, two significant digits (seconds), percent. */
const f3 = (x: unknown) => num(x).toFixed(3);
const f2 = (x: unknown) => num(x).toFixed(2);
const seconds = (x: unknown) => num(x).toPrecision(2);
/** A share as a percentage: one decimal, or one significant digit below 0.1%. */
const percent = (x: unknown) =>
  num(x) >= 0.001 ? (num(x) * 100).toFixed(1) : (num(x) * 100).toPrecision(1);
const thousands = (x: unknown) => num(x).toLocaleString("en-US");

/** Viewers online in steady state by Little's law: arrival rate x mean session. */
function littlesLaw(scenario: Scenario): number {
  const [arrival] = scenario.churn.arrivals;
  if (scenario.churn.arrivals.length !== 1 || arrival.type !== "poisson")
    throw new Error("expected one Poisson arrival process");
  return arrival.ratePerSecond * scenario.churn.session.meanSeconds;
}

describe("the README's mesh-against-tree paragraph", () => {
  const text = paragraph("**Mesh against tree under churn, measured.**");
  const quoted: string[] = [];

  beforeAll(() => {
    const churny = runStrategies("scenarios/high-churn.yaml", ["tree", "mesh-pull"]);
    const mixed = runStrategies("scenarios/mesh-vs-tree.yaml", [
      "tree",
      "mesh-pull",
      "live-swarm",
      "minute-swarming",
    ]);
    for (const { scenario } of [churny, mixed]) {
      // "The parameters are the published defaults (DONet's five partners and one-second exchange)".
      const mesh = scenario.strategies.find((entry) => entry.name === "mesh-pull")!;
      expect(mesh.options as MeshPullOptions).toMatchObject({ partners: 5, exchangeSeconds: 1 });
    }
    const t = churny.summary("tree");
    const m = churny.summary("mesh-pull");
    const t2 = mixed.summary("tree");
    const m2 = mixed.summary("mesh-pull");
    const live = mixed.summary("live-swarm");
    const minute = mixed.summary("minute-swarming");
    quoted.push(
      `On \`scenarios/high-churn.yaml\` (seed ${churny.scenario.seed})`,
      `continuity ${f3(m.continuityIndex)} against ${f3(t.continuityIndex)}`,
      `stall ratio ${percent(m.stallRatio)}% against ${percent(t.stallRatio)}%`,
      `${f2(m.stallsPerMinute)} stalls per minute against ${f2(t.stallsPerMinute)}`,
      `time online (${f3(m.playingShare)} against ${f3(t.playingShare)})`,
      `starts later (median ${seconds(m.startupLatencySeconds.p50)} s against ${seconds(t.startupLatencySeconds.p50)} s)`,
      `(median lag ${seconds(m.playbackLagSeconds.p50)} s against ${seconds(t.playbackLagSeconds.p50)} s)`,
      `never starts ${percent(m.neverStartedShare)}% of sessions (${percent(t.neverStartedShare)}%)`,
      `spends ${percent(m.overheadRatio)}% of useful bytes on overhead (${percent(t.overheadRatio)}%:`,
      `${(num(m.duplicateBytes) / 1e9).toFixed(1)} GB of duplicates`,
      `churn at ${num(m.partnerChurnPerPeerHour).toFixed(0)} partnerships lost per peer-hour`,
      `(${thousands(m.partnerDepartures)} to departures, ${thousands(m.slowPartnerDrops)} slow partners dropped)`,
      `(${littlesLaw(mixed.scenario)} online in steady state by Little's law, seed ${mixed.scenario.seed})`,
      `higher continuity (${f3(m2.continuityIndex)} against ${f3(t2.continuityIndex)})`,
      `lower playing share (${f3(m2.playingShare)} against ${f3(t2.playingShare)})`,
      `of the time (${percent(m2.stallRatio)}% against ${percent(t2.stallRatio)}%)`,
      `live swarming plays ${f3(live.playingShare)} of the time (median startup ${seconds(live.startupLatencySeconds.p50)} s:`,
      `minute swarming ${f3(minute.playingShare)}.`,
    );
  }, 180_000);

  it("quotes each figure as the runs of the two scenarios produce it", () => {
    expect(quoted.length).toBeGreaterThan(0);
    for (const phrase of quoted) expect(text, phrase).toContain(phrase);
  });

  it("quotes no figure that this test does not check", () => {
    let rest = text;
    for (const phrase of quoted) rest = rest.replace(phrase, "");
    expect(rest.match(/\d+(?:[.,]\d+)*/g) ?? []).toEqual([]);
  });
});
