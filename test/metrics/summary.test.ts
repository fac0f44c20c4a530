import { describe, expect, it } from "vitest";
import { comparisonTable } from "../../sim/cli/table.ts";
import { PlayerState } from "../../sim/metrics/probe.ts";
import { QosCollector } from "../../sim/metrics/qos.ts";
import { distribution } from "../../sim/metrics/statistics.ts";
import { summarize, tidy } from "../../sim/metrics/summary.ts";
import type { NetworkModel } from "../../sim/network/transport.ts";
import type { Distribution } from "../../sim/results/schema.ts";
import { renderResults } from "../../sim/run/output.ts";
import { runScenario } from "../../sim/run/runScenario.ts";
import { parseScenario } from "../../sim/scenario/load.ts";

const S = 1_000_000;

/** A transport stand-in: summarize reads only its counters. */
const noTraffic = {
  counters: {
    controlBytes: 0,
    dataBytes: 0,
    sourceDataBytes: 0,
    deliveredDataBytes: 0,
    droppedAtSender: 0,
    droppedInFlight: 0,
  },
} as unknown as NetworkModel;

/*
 * Five sessions, 1 s chunks, a 2-chunk startup buffer, the run ends at 12 s (times in s):
 * 1. joins 0, plays at 1 (startup 1, lag 2), leaves 11: 10 s playing, 10 chunks on time.
 * 2. joins 0, never starts, leaves 7.5: owed floor(7.5) - 2 = 5 chunks, none on time.
 * 3. joins 2, never starts, online at the end: 10 s online, owed 10 - 2 = 8 chunks.
 * 4. joins 3, plays at 6 (startup 3, lag 3), stalls 8..10 (lag 3 -> 5), plays 10..12: playing
 *    4 s, stalled 2 s, 3 chunks on time and 1 late; lag integral 2*3 + (2*3 + 2^2/2) + 2*5 =
 *    24 s^2 over 6 s watched: 4 s.
 * 5. joins 4, plays at 4.5 (startup 0.5, lag 1.5) to the end: 7.5 s playing, 7 on time.
 * Online 11 + 7.5 + 10 + 9 + 8 = 45.5 s; playing 10 + 4 + 7.5 = 21.5 s.
 */
function fiveSessions(): QosCollector {
  const q = new QosCollector(6);
  const join = (p: number, t: number) => {
    q.onJoin(p, t * S);
    q.onPlayerState(p, t * S, PlayerState.Starting, 0);
  };
  const state = (p: number, t: number, s: 2 | 3 | 4, lag = 0) =>
    q.onPlayerState(p, t * S, s, lag * S);
  join(1, 0);
  join(2, 0);
  state(1, 1, PlayerState.Playing, 2);
  join(3, 2);
  join(4, 3);
  join(5, 4);
  state(5, 4.5, PlayerState.Playing, 1.5);
  state(4, 6, PlayerState.Playing, 3);
  q.onChunksDue(4, 2, 0, 0);
  state(2, 7.5, PlayerState.Left);
  state(4, 8, PlayerState.Stalled, 3);
  q.onChunksDue(4, 0, 1, 0);
  state(4, 10, PlayerState.Playing, 5);
  q.onChunksDue(1, 10, 0, 0);
  state(1, 11, PlayerState.Left);
  q.onChunksDue(4, 1, 0, 0);
  q.onChunksDue(5, 7, 0, 0);
  q.finish(12 * S);
  return q;
}

function summaryOf(q: QosCollector, endMicros: number, startupChunks = 2) {
  return summarize({
    entry: { name: "x", type: "test", options: {} },
    qos: q,
    transport: noTraffic,
    events: 0,
    extra: {},
    accounting: { endMicros, chunkMicros: S, startupChunks },
  });
}

describe("summary over every session", () => {
  it("counts never-started sessions in the shares, continuity, startup and lag (hand-computed)", () => {
    const s = summaryOf(fiveSessions(), 12 * S);
    expect(s.peers).toBe(5);
    expect(s.neverStarted).toBe(2);
    expect(s.neverStartedShare).toBe(0.4);
    expect(s.playingShare).toBeCloseTo(21.5 / 45.5, 8);
    expect(s.stallRatio).toBeCloseTo(2 / 23.5, 8);
    // On time 10 + 3 + 7 = 20; due 10 + 5 + 8 + 4 + 7 = 34 (the never-started owe 5 and 8).
    expect(s.continuityIndex).toBeCloseTo(20 / 34, 8);
    // Startup over all sessions, sorted: 0.5, 1, 3, +inf, +inf. Type-7 p50: h = 4 * 0.5 = 2,
    // exactly the third value, 3; p95 (h = 3.8) and p99 interpolate towards +inf: not reached.
    expect(s.startupLatencySeconds).toEqual({
      mean: null,
      p50: 3,
      p95: null,
      p99: null,
      max: null,
    });
    // Over the three that started: p95 at h = 1.9 is 1 + 0.9 * (3 - 1) = 2.8.
    expect(s.startupLatencyOfStartedSeconds).toEqual({
      mean: 1.5,
      p50: 1,
      p95: 2.8,
      p99: 2.96,
      max: 3,
    });
    // Lags 1.5, 2, 4, +inf, +inf.
    expect(s.playbackLagSeconds).toEqual({ mean: null, p50: 4, p95: null, p99: null, max: null });
    expect(s.playbackLagOfStartedSeconds).toEqual({
      mean: 2.5,
      p50: 2,
      p95: 3.8,
      p99: 3.96,
      max: 4,
    });
  });

  it("owes a never-started session nothing while it is online no longer than the startup buffer", () => {
    const q = new QosCollector(2);
    q.onJoin(1, 0);
    q.onPlayerState(1, 0, PlayerState.Starting, 0);
    q.onPlayerState(1, 2.9 * S, PlayerState.Left, 0);
    q.finish(10 * S);
    // floor(2.9) - 3 < 0: nothing due at all, so the index has nothing to measure.
    const s = summaryOf(q, 10 * S, 3);
    expect(s.continuityIndex).toBe(0);
    expect(s.neverStartedShare).toBe(1);
    expect(s.playingShare).toBe(0);
  });

  it("gives a session that started and left at once its lag at start", () => {
    const q = new QosCollector(2);
    q.onJoin(1, 0);
    q.onPlayerState(1, 0, PlayerState.Starting, 0);
    q.onPlayerState(1, 2 * S, PlayerState.Playing, 3 * S);
    q.onPlayerState(1, 2 * S, PlayerState.Left, 0);
    q.finish(10 * S);
    expect(summaryOf(q, 10 * S).playbackLagSeconds.max).toBe(3);
  });
});

/*
 * The case the figures used to hide: 150 viewers join at 10 s, but the source takes 4 children
 * and no viewer can relay (100 kbps upload for a 500 kbps stream), so 146 never start. Each is
 * online 60 - 10 = 50 s and owed 50 - 2 = 48 chunks. Conditioned on the 4 that started, the
 * continuity index read 1 and the median startup a second or two.
 */
describe("146 of 150 viewers never start", () => {
  const text = `name: starved
seed: 3
duration: 60s
stream: { bitrate: 500kbps, chunkDuration: 1s }
source: { upload: 10Mbps }
peers:
  classes: [{ name: thin, share: 1, upload: 100kbps, download: 10Mbps }]
  latency: { model: constant, oneWay: 10ms }
churn:
  arrivals: [{ type: flash-crowd, count: 150, at: 10s }]
  session: { distribution: fixed, mean: 1h }
  abruptShare: 0
player: { startupBuffer: 2s }
strategies:
  - { name: tree, type: tree-relay, sourceMaxChildren: 4, heartbeat: 0s }
`;
  const result = runScenario(parseScenario(text, "starved.yaml"));
  const run = result.runs[0];
  const q = run.qos;
  const s = run.summary;

  it("reads continuity far below 1, not 1", () => {
    let onTime = 0;
    let startedDue = 0;
    for (let p = 1; p <= 150; p++) {
      if (q.startupMicros[p] < 0) continue;
      onTime += q.onTime[p];
      startedDue += q.onTime[p] + q.late[p] + q.missed[p];
    }
    // The 4 that started play without a stall: conditioned on them the index is 1.
    expect(onTime).toBe(startedDue);
    expect(s.neverStarted).toBe(146);
    expect(s.neverStartedShare).toBeCloseTo(146 / 150, 9);
    expect(s.continuityIndex).toBeCloseTo(onTime / (startedDue + 146 * 48), 9);
    expect(s.continuityIndex).toBeLessThan(0.05);
  });

  it("gives the never-started sessions in peers.csv their owed chunks as missed and continuity 0", () => {
    const files = renderResults(result, { version: "test", gitCommit: null });
    const [header, ...lines] = files.get("peers.csv")!.trim().split("\n");
    const at = (name: string) => header.split(",").indexOf(name);
    const rows = lines.map((line) => line.split(","));
    const never = rows.filter((row) => row[at("startupLatencySeconds")] === "");
    expect(never).toHaveLength(146);
    for (const row of never) {
      expect(row[at("chunksOnTime")]).toBe("0");
      expect(row[at("chunksMissed")]).toBe("48");
      expect(row[at("continuityIndex")]).toBe("0");
    }
  });

  it("reports startup and lag quantiles as not reached, and the table says so", () => {
    expect(s.startupLatencySeconds.p50).toBeNull();
    expect(s.playbackLagSeconds.p50).toBeNull();
    expect(s.startupLatencyOfStartedSeconds.p50).toBeLessThan(3);
    // Playing share: at most the 4 players' 50 s out of 150 x 50 s online.
    expect(s.playingShare).toBeGreaterThan(0);
    expect(s.playingShare).toBeLessThan(4 / 150);
    const table = comparisonTable({ tree: s });
    expect(table).toMatch(/never started.*startup p50 s.*playing share/);
    const row = table.split("\n")[2].trim().split(/\s+/);
    expect(row.slice(0, 5)).toEqual(["tree", "150", "0.9733", "never", "never"]);
  });
});

/*
 * summary.json and the figures take their quantiles from the same module and the same
 * per-session values: the quantiles of peers.csv's columns (an empty cell being a session that
 * never started, +Infinity) are exactly the summary's.
 */
describe("summary.json agrees with peers.csv", () => {
  const text = `name: agree
seed: 11
duration: 3min
stream: { bitrate: 400kbps, chunkDuration: 1s }
source: { upload: 4Mbps }
churn:
  arrivals: [{ type: poisson, rate: 1/s }]
  session: { distribution: exponential, mean: 1min }
strategies:
  - { name: cs, type: client-server }
  - { name: tree, type: tree-relay }
`;
  const result = runScenario(parseScenario(text, "agree.yaml"));
  const files = renderResults(result, { version: "test", gitCommit: null });
  const [header, ...lines] = files.get("peers.csv")!.trim().split("\n");
  const columns = header.split(",");
  const rows = lines.map((line) => line.split(","));
  const column = (strategy: string, name: string) => {
    const i = columns.indexOf(name);
    return rows
      .filter((row) => row[0] === strategy)
      .map((row) => (row[i] === "" ? Number.POSITIVE_INFINITY : Number(row[i])));
  };

  for (const strategy of ["cs", "tree"]) {
    it(`${strategy}: startup and lag quantiles and shares`, () => {
      const s = result.runs.find((r) => r.entry.name === strategy)!.summary;
      expect(s.neverStarted).toBeGreaterThan(0);
      const startups = column(strategy, "startupLatencySeconds");
      const lags = column(strategy, "meanLagSeconds");
      expect(startups.length).toBe(s.peers);
      expect(startups.filter((v) => v === Number.POSITIVE_INFINITY).length).toBe(s.neverStarted);
      expect(s.startupLatencySeconds).toEqual(tidied(distribution(startups)));
      expect(s.playbackLagSeconds).toEqual(tidied(distribution(lags)));
      const started = (values: number[]) => values.filter((v) => Number.isFinite(v));
      expect(s.startupLatencyOfStartedSeconds).toEqual(tidied(distribution(started(startups))));
      expect(s.playbackLagOfStartedSeconds).toEqual(tidied(distribution(started(lags))));
    });

    it(`${strategy}: peers.csv's chunk columns add up to the summary's continuity index`, () => {
      const s = result.runs.find((r) => r.entry.name === strategy)!.summary;
      const sum = (name: string) => column(strategy, name).reduce((a, b) => a + b, 0);
      const due = sum("chunksOnTime") + sum("chunksLate") + sum("chunksMissed");
      expect(s.continuityIndex).toBe(tidy(sum("chunksOnTime") / due));
      // Every session's own index is on time / due, blank only when nothing was due.
      const onTime = column(strategy, "chunksOnTime");
      const sessionDue = onTime.map(
        (v, k) => v + column(strategy, "chunksLate")[k] + column(strategy, "chunksMissed")[k],
      );
      column(strategy, "continuityIndex").forEach((index, k) => {
        if (sessionDue[k] === 0)
          expect(index).toBe(Number.POSITIVE_INFINITY); // a blank cell
        else expect(index).toBe(tidy(onTime[k] / sessionDue[k]));
      });
    });
  }
});

function tidied(d: Distribution): Distribution {
  const f = (v: number | null) => (v === null ? null : tidy(v));
  return { mean: f(d.mean), p50: f(d.p50), p95: f(d.p95), p99: f(d.p99), max: f(d.max) };
}
