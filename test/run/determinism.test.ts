import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_PEER_CLASSES } from "../../sim/network/peerClasses.ts";
import { renderResults } from "../../sim/run/output.ts";
import { runScenario, type ScenarioRun } from "../../sim/run/runScenario.ts";
import { parseOverride, parseScenario } from "../../sim/scenario/load.ts";
import type { ArrivalOptions } from "../../sim/workload/arrivals.ts";
import type { ChurnOptions } from "../../sim/workload/churn.ts";
import {
  generateWorkload,
  type Workload,
  type WorkloadInput,
} from "../../sim/workload/workload.ts";

const root = resolve(import.meta.dirname, "../..");

const SCENARIO = `name: determinism
seed: 11
duration: 2min
stream: { bitrate: 400kbps, chunkDuration: 1s }
source: { upload: 6Mbps }
peers:
  latency: { model: plane, access: 5ms, propagation: 60ms }
churn:
  arrivals:
    - { type: poisson, rate: 30/min }
    - { type: flash-crowd, count: 15, at: 40s, over: 5s }
  session: { distribution: pareto, mean: 1min, shape: 1.8 }
  abruptShare: 0.5
  detectionDelay: 4s
metrics: { interval: 10s }
strategies:
  - { name: cs, type: client-server }
  - { name: tree, type: tree-relay, maxChildren: 4 }
  - { name: tree-bb, type: tree-relay, maxChildren: 4, resume: back-buffer, backBuffer: 10s }
`;

const FACTS = { version: "test", gitCommit: null };
const COMPARED = ["summary.json", "peers.csv", "timeseries.csv", "gauges.csv", "events.csv"];

function run(text = SCENARIO, seed?: number, sets: string[] = []): ScenarioRun {
  return runScenario(parseScenario(text, "determinism.yaml", sets.map(parseOverride), seed));
}

describe("determinism", () => {
  it("the same scenario and seed give byte-identical result files", () => {
    const first = renderResults(run(), FACTS);
    const second = renderResults(run(), FACTS);
    for (const name of [...COMPARED, "manifest.json"]) {
      expect(second.get(name), name).toBe(first.get(name));
    }
    // Not vacuous: the run had churn and every strategy streamed.
    const summary = JSON.parse(first.get("summary.json")!);
    for (const name of ["cs", "tree", "tree-bb"]) {
      expect(summary.strategies[name].peers).toBeGreaterThan(40);
      expect(summary.strategies[name].continuityIndex).toBeGreaterThan(0);
    }
    expect(summary.strategies.tree.rejoinsPerPeerHour).toBeGreaterThan(0);
  });

  it("a different seed gives a different workload and different results", () => {
    const a = run();
    const b = run(SCENARIO, 12);
    expect(b.scenario.seed).toBe(12);
    expect(Array.from(b.workload.joinMicros)).not.toEqual(Array.from(a.workload.joinMicros));
    const ra = renderResults(a, FACTS);
    const rb = renderResults(b, FACTS);
    for (const name of ["summary.json", "peers.csv", "timeseries.csv"]) {
      expect(rb.get(name), name).not.toBe(ra.get(name));
    }
  });

  it("adding a strategy leaves the other strategies' results unchanged (common random numbers)", () => {
    const base = run();
    const extended = run(SCENARIO, undefined, [
      "strategies.3.name=extra",
      "strategies.3.type=tree-relay",
      "strategies.3.policy=random",
      "strategies.3.maxChildren=2",
    ]);
    expect(extended.runs.map((r) => r.entry.name)).toEqual(["cs", "tree", "tree-bb", "extra"]);
    // The added strategy did something else, so equality below is not a coincidence of
    // strategies that ignore the workload.
    expect(extended.runs[3].summary).not.toEqual(extended.runs[1].summary);
    for (let i = 0; i < base.runs.length; i++) {
      const before = base.runs[i];
      const after = extended.runs[i];
      expect(after.summary, before.entry.name).toEqual(before.summary);
      expect(after.timeseries).toEqual(before.timeseries);
      expect(after.gauges).toEqual(before.gauges);
      expect(after.qos.stalledMicros).toEqual(before.qos.stalledMicros);
      expect(after.transport.uploadedBytes).toEqual(before.transport.uploadedBytes);
    }
  });

  it("reordering the strategies does not change any strategy's results", () => {
    const base = run();
    const reordered = run(
      SCENARIO.replace(
        /strategies:\n[\s\S]*$/,
        "strategies:\n" +
          "  - { name: tree-bb, type: tree-relay, maxChildren: 4, resume: back-buffer, backBuffer: 10s }\n" +
          "  - { name: cs, type: client-server }\n" +
          "  - { name: tree, type: tree-relay, maxChildren: 4 }\n",
      ),
    );
    expect(reordered.runs.map((r) => r.entry.name)).toEqual(["tree-bb", "cs", "tree"]);
    for (const before of base.runs) {
      const after = reordered.runs.find((r) => r.entry.name === before.entry.name)!;
      expect(after.summary).toEqual(before.summary);
      expect(after.timeseries).toEqual(before.timeseries);
    }
  });
});

describe("workload generation", () => {
  const churn: ChurnOptions = {
    arrivals: [{ type: "poisson", ratePerSecond: 2, fromSeconds: 0, untilSeconds: 600 }],
    session: { distribution: "exponential", meanSeconds: 60 },
    abruptShare: 0.5,
    detectionDelaySeconds: 5,
  };
  const input: WorkloadInput = {
    seed: 3,
    durationSeconds: 600,
    churn,
    classes: DEFAULT_PEER_CLASSES,
    latency: { model: "plane", accessSeconds: 0.005, propagationSeconds: 0.06 },
  };
  const generate = (
    changes: Partial<WorkloadInput> = {},
    churnChanges: Partial<ChurnOptions> = {},
  ) => generateWorkload({ ...input, ...changes, churn: { ...churn, ...churnChanges } }, 10e6);

  /** Every per-session array of a workload, for comparison. */
  const arrays = (w: Workload, sessions = w.size) => ({
    join: Array.from(w.joinMicros.subarray(0, sessions)),
    leave: Array.from(w.leaveMicros.subarray(0, sessions)),
    abrupt: Array.from(w.abrupt.subarray(0, sessions)),
    classIndex: Array.from(w.classIndex.subarray(0, sessions)),
    upload: Array.from(w.uploadBitsPerSecond.subarray(0, sessions + 1)),
    download: Array.from(w.downloadBitsPerSecond.subarray(0, sessions + 1)),
    latency: Array.from({ length: sessions }, (_, i) => w.latency.micros(0, i + 1)),
    latencyPairs: Array.from({ length: sessions - 1 }, (_, i) => w.latency.micros(i + 1, i + 2)),
  });

  it("is identical across two generations with the same seed", () => {
    const a = generate();
    const b = generate();
    expect(a.size).toBeGreaterThan(1000);
    expect(arrays(b)).toEqual(arrays(a));
  });

  it("sorts sessions by join time and gives each a leave after its join", () => {
    const w = generate({}, { session: { distribution: "pareto", meanSeconds: 60, shape: 1.5 } });
    for (let i = 1; i < w.size; i++) {
      if (w.joinMicros[i] < w.joinMicros[i - 1]) throw new Error(`unsorted at ${i}`);
    }
    for (let i = 0; i < w.size; i++) {
      if (!(w.leaveMicros[i] > w.joinMicros[i])) throw new Error(`leave before join at ${i}`);
    }
  });

  it("an appended arrival process adds sessions and changes no existing one", () => {
    // Each process draws its sessions' attributes from streams of its own, so the sessions of
    // the first process keep their join, leave, class, departure kind and position; they are
    // only interleaved with the new ones.
    const extra: ArrivalOptions = {
      type: "flash-crowd",
      count: 50,
      atSeconds: 100,
      overSeconds: 10,
    };
    const uniform = { latency: { model: "uniform" as const, minSeconds: 0.01, maxSeconds: 0.2 } };
    const a = generate(uniform);
    const b = generate(uniform, { arrivals: [...churn.arrivals, extra] });
    expect(b.size).toBe(a.size + 50);
    // Latency between two sessions must survive too (the uniform model hashes identities).
    const index = (w: Workload, join: number) => w.joinMicros.indexOf(join) + 1;
    for (const [i, j] of [
      [0, 1],
      [5, 900],
      [100, 101],
    ]) {
      const ja = a.joinMicros[i];
      const jb = a.joinMicros[j];
      expect(b.latency.micros(index(b, ja), index(b, jb))).toBe(a.latency.micros(i + 1, j + 1));
    }
    const describe = (w: Workload, i: number) =>
      [
        w.joinMicros[i],
        w.leaveMicros[i],
        w.abrupt[i],
        w.classIndex[i],
        w.latency.micros(0, i + 1),
      ].join("/");
    const sessionsB = new Set(Array.from({ length: b.size }, (_, i) => describe(b, i)));
    for (let i = 0; i < a.size; i++) expect(sessionsB.has(describe(a, i))).toBe(true);
  });

  it("changing the session distribution changes only leave times", () => {
    const a = generate();
    const b = generate({}, { session: { distribution: "weibull", meanSeconds: 60, shape: 0.6 } });
    const { leave: leaveA, ...restA } = arrays(a);
    const { leave: leaveB, ...restB } = arrays(b);
    expect(restB).toEqual(restA);
    expect(leaveB).not.toEqual(leaveA);
  });

  it("changing the abrupt share only turns graceful departures abrupt (same draws)", () => {
    const a = generate({}, { abruptShare: 0.3 });
    const b = generate({}, { abruptShare: 0.6 });
    const { abrupt: abruptA, ...restA } = arrays(a);
    const { abrupt: abruptB, ...restB } = arrays(b);
    expect(restB).toEqual(restA);
    let turned = 0;
    for (let i = 0; i < a.size; i++) {
      expect(abruptB[i]).toBeGreaterThanOrEqual(abruptA[i]);
      turned += abruptB[i] - abruptA[i];
    }
    expect(turned).toBeGreaterThan(0);
  });

  it("changing the class mix leaves joins, leaves, departure kinds and positions alone", () => {
    const a = generate();
    const b = generate({
      classes: [
        { name: "a", share: 0.5, uploadBitsPerSecond: 1e6, downloadBitsPerSecond: 1e7 },
        { name: "b", share: 0.5, uploadBitsPerSecond: 2e6, downloadBitsPerSecond: 2e7 },
      ],
    });
    const pick = (w: Workload) => {
      const { join, leave, abrupt, latency, latencyPairs } = arrays(w);
      return { join, leave, abrupt, latency, latencyPairs };
    };
    expect(pick(b)).toEqual(pick(a));
  });
});

describe("no wall clock or unseeded randomness in the model", () => {
  const forbidden = /Math\.random|Date\.now|performance\.now|new Date\(|hrtime/;

  it("no file under sim/ outside sim/cli/ reads the clock or Math.random", () => {
    const offenders: string[] = [];
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          if (relative(root, path) !== join("sim", "cli")) walk(path);
        } else if (name.endsWith(".ts")) {
          files.push(path);
          readFileSync(path, "utf8")
            .split("\n")
            .forEach((line, index) => {
              if (forbidden.test(line))
                offenders.push(`${relative(root, path)}:${index + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk(join(root, "sim"));
    expect(files.length).toBeGreaterThan(20);
    expect(files.some((f) => f.endsWith(join("engine", "random.ts")))).toBe(true);
    expect(offenders).toEqual([]);
  });

  it("the guard's pattern does catch each forbidden call", () => {
    for (const line of [
      "const u = Math.random();",
      "const t = Date.now();",
      "performance.now()",
      "const d = new Date();",
      "process.hrtime.bigint()",
    ]) {
      expect(forbidden.test(line), line).toBe(true);
    }
  });
});
