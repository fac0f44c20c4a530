/**
 * Scale benchmark: whole `sim run`s of scenarios/scale-100k.yaml (high-churn class mix and
 * sessions, churn on, 10 simulated minutes) at growing audiences, one strategy per run, each a
 * separate process from the compiled bundle on one thread (`--workers 0`, no plots).
 *
 * An audience of N is the scenario with its crowd and its arrival rate scaled by N / 100,000.
 * Per run the table shows sessions, events, CPU time (user + system, read by the child at exit;
 * the steady figure on a shared machine), CPU time per session, wall time, and the peak
 * resident set size, also per session. The verdict lines compare CPU time per session between
 * audiences against the targets of the README's scale table: at most 1.2 from 10k to 100k for
 * tree relay, ideal multicast and client-server, 1.3 from 1k to 10k for swarming and striped;
 * tree relay at 100k under 60 s of wall time and 1 GiB.
 *
 * `SCALE_BENCH=quick` runs only the smaller audience of each pair (a check that it works);
 * `SCALE_BENCH_ONLY=tree,striped-parity` only the strategies named (the whole benchmark takes
 * about ten minutes of processor time).
 *
 * `SCALE_BENCH=every` instead runs every strategy type once at 100k (the pairs' strategies, mesh
 * pull, live swarming, and the on-demand mesh with the stream made a 45-minute video) and
 * checks each against the target of under 5 minutes of wall time; it takes about an hour.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildBundle, timedSim } from "./timedSim.ts";

const SCENARIO = resolve(import.meta.dirname, "../scenarios/scale-100k.yaml");
/** Viewers the scenario's crowd has and its arrivals keep online, at scale 1. */
const AUDIENCE = 100_000;
/** Arrivals per minute at scale 1 (the crowd over the mean session of 5 minutes). */
const ARRIVALS_PER_MINUTE = 20_000;
const GIB = 1024 ** 3;

interface Case {
  strategy: string;
  audiences: [number, number];
  ratioTarget: number;
}

/** Wall time every strategy type must stay under at 100k, seconds (5 minutes). */
const EVERY_TYPE_WALL_SECONDS = 300;

/** Strategy types measured only at 100k by `SCALE_BENCH=every`, beside the pairs' strategies. */
const MORE_TYPES: { strategy: string; sets?: string[] }[] = [
  { strategy: "{name: mesh-pull, type: mesh-pull}" },
  { strategy: "{name: live-swarm, type: live-swarm}" },
  {
    strategy: "{name: vod-mesh, type: vod-mesh}",
    sets: ["stream.mode=on-demand", "stream.length=45min"],
  },
];

const CASES: Case[] = [
  {
    strategy: "{name: tree, type: tree-relay, policy: shallowest, maxChildren: 8}",
    audiences: [10_000, 100_000],
    ratioTarget: 1.2,
  },
  {
    strategy: "{name: ideal-multicast, type: ideal-multicast}",
    audiences: [10_000, 100_000],
    ratioTarget: 1.2,
  },
  {
    strategy: "{name: client-server, type: client-server}",
    audiences: [10_000, 100_000],
    ratioTarget: 1.2,
  },
  {
    strategy: "{name: minute-swarming, type: minute-swarming, sliceDuration: 60s}",
    audiences: [1_000, 10_000],
    ratioTarget: 1.3,
  },
  {
    strategy:
      "{name: striped-parity, type: striped, code: parity, k: 4, n: 5, interiorDisjoint: true, maxChildren: 32}",
    audiences: [1_000, 10_000],
    ratioTarget: 1.3,
  },
];

/** What one run measured. */
interface Measured {
  sessions: number;
  events: number;
  cpuSeconds: number;
  wallSeconds: number;
  peakBytes: number;
}

function runAt(strategy: string, audience: number, dir: string, sets: string[] = []): Measured {
  const scale = audience / AUDIENCE;
  const out = join(dir, "out");
  rmSync(out, { recursive: true, force: true });
  const t = timedSim(
    [
      "run",
      SCENARIO,
      "--out",
      out,
      "--quiet",
      "--no-plots",
      "--workers",
      "0",
      "--set",
      `churn.arrivals[0].count=${Math.round(AUDIENCE * scale)}`,
      "--set",
      `churn.arrivals[1].rate=${Math.round(ARRIVALS_PER_MINUTE * scale)}/min`,
      "--set",
      `strategies=[${strategy}]`,
      ...sets.flatMap((set) => ["--set", set]),
    ],
    { sources: false },
  );
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  const [entry] = Object.values(summary.strategies) as { peers: number; events: number }[];
  return {
    sessions: entry.peers,
    events: entry.events,
    cpuSeconds: t.cpuSeconds,
    wallSeconds: t.wallSeconds,
    peakBytes: t.peakBytes,
  };
}

const row = (name: string, audience: number, m: Measured) =>
  [
    name.padEnd(16),
    `${audience / 1000}k`.padStart(5),
    String(m.sessions).padStart(8),
    String(m.events).padStart(11),
    `${m.cpuSeconds.toFixed(1)} s`.padStart(8),
    `${((m.cpuSeconds / m.sessions) * 1e6).toFixed(0)} us`.padStart(10),
    `${m.wallSeconds.toFixed(1)} s`.padStart(8),
    `${(m.peakBytes / 2 ** 20).toFixed(0)} MiB`.padStart(9),
    String(Math.round(m.peakBytes / m.sessions)).padStart(10),
  ].join("  ");

const HEADER =
  "strategy          size  sessions       events       cpu  cpu/sess      wall       peak  peak/sess";

/** The strategy's name in its YAML flow mapping. */
const nameOf = (strategy: string) => /name: ([^,]+),/.exec(strategy)?.[1] ?? strategy;

/** `SCALE_BENCH=every`: each strategy type once at 100k, against the 5-minute target. */
function everyType(only: string[] | undefined): void {
  const dir = mkdtempSync(join(tmpdir(), "scale-bench-"));
  const verdicts: string[] = [];
  console.log(HEADER);
  try {
    const types: { strategy: string; sets?: string[] }[] = [...CASES, ...MORE_TYPES];
    for (const { strategy, sets } of types) {
      const name = nameOf(strategy);
      if (only && !only.includes(name)) continue;
      const m = runAt(strategy, AUDIENCE, dir, sets);
      console.log(row(name, AUDIENCE, m));
      const met = m.wallSeconds < EVERY_TYPE_WALL_SECONDS;
      verdicts.push(
        `${name} at 100k: ${m.wallSeconds.toFixed(1)} s wall, ${m.cpuSeconds.toFixed(1)} s CPU (target < ${EVERY_TYPE_WALL_SECONDS} s wall: ${met ? "met" : "NOT met"})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(verdicts.join("\n"));
}

export async function run(): Promise<void> {
  const quick = process.env.SCALE_BENCH === "quick";
  const only = process.env.SCALE_BENCH_ONLY?.split(",");
  buildBundle();
  if (process.env.SCALE_BENCH === "every") {
    everyType(only);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "scale-bench-"));
  const verdicts: string[] = [];
  console.log(HEADER);
  try {
    for (const c of CASES) {
      const name = nameOf(c.strategy);
      if (only && !only.includes(name)) continue;
      const audiences = quick ? [c.audiences[0]] : c.audiences;
      const measured = audiences.map((audience) => {
        const m = runAt(c.strategy, audience, dir);
        console.log(row(name, audience, m));
        return m;
      });
      if (measured.length < 2) continue;
      const [small, big] = measured;
      const ratio = big.cpuSeconds / big.sessions / (small.cpuSeconds / small.sessions);
      const [a, b] = c.audiences.map((n) => `${n / 1000}k`);
      verdicts.push(
        `${name}: CPU per session ${b} / ${a} = ${ratio.toFixed(2)} (target <= ${c.ratioTarget}: ${ratio <= c.ratioTarget ? "met" : "NOT met"})`,
      );
      if (name === "tree") {
        verdicts.push(
          `tree at ${b}: ${big.wallSeconds.toFixed(1)} s wall (target < 60 s: ${big.wallSeconds < 60 ? "met" : "NOT met"}), peak ${(big.peakBytes / GIB).toFixed(2)} GiB (target < 1 GiB: ${big.peakBytes < GIB ? "met" : "NOT met"}), ${Math.round(big.peakBytes / big.sessions)} bytes per session`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(verdicts.join("\n"));
}
