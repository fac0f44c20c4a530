import { describe, expect, it } from "vitest";
import { PlayerState } from "../../sim/metrics/probe.ts";
import { QosCollector } from "../../sim/metrics/qos.ts";
import { distribution, mean, quantileSorted } from "../../sim/metrics/stats.ts";

describe("quantileSorted (R type 7)", () => {
  it("interpolates linearly between order statistics at h = (n - 1) p", () => {
    // 1, 2, 3, 4: h = 3p. p50: h = 1.5 -> 2.5; p95: h = 2.85 -> 3.85; p99: 3.97; p25: 1.75.
    const values = [1, 2, 3, 4];
    expect(quantileSorted(values, 0.5)).toBe(2.5);
    expect(quantileSorted(values, 0.95)).toBeCloseTo(3.85, 12);
    expect(quantileSorted(values, 0.99)).toBeCloseTo(3.97, 12);
    expect(quantileSorted(values, 0.25)).toBe(1.75);
    expect(quantileSorted(values, 0)).toBe(1);
    expect(quantileSorted(values, 1)).toBe(4);
    expect(quantileSorted([3], 0.99)).toBe(3);
    expect(quantileSorted([], 0.5)).toBeNull();
  });

  it("treats +Infinity as a censored value: reached only on a finite order statistic", () => {
    const inf = Number.POSITIVE_INFINITY;
    // 1, 5, inf: h = 2p. p50 lands on 5; p51 interpolates towards inf.
    expect(quantileSorted([1, 5, inf], 0.5)).toBe(5);
    expect(quantileSorted([1, 5, inf], 0.51)).toBe(inf);
    expect(quantileSorted([1, inf, inf], 0.75)).toBe(inf);
    expect(quantileSorted([1, inf, inf], 1)).toBe(inf);
  });

  it("differs from the nearest rank the summary used before (95 of 1..100 at p95)", () => {
    // Nearest rank of 1..100 at p95 is the 95th value, 95; type 7 gives 95.05.
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantileSorted(values, 0.95)).toBeCloseTo(95.05, 12);
  });
});

describe("distribution", () => {
  it("uses type-7 quantiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1, unsorted
    const d = distribution(values);
    // h = 99p: p50 = 50.5, p95 = 95.05, p99 = 99.01.
    expect(d.mean).toBe(50.5);
    expect(d.p50).toBe(50.5);
    expect(d.p95).toBeCloseTo(95.05, 12);
    expect(d.p99).toBeCloseTo(99.01, 12);
    expect(d.max).toBe(100);
    expect(mean([1, 2, 6])).toBe(3);
  });

  it("reports statistics that fall among +Infinity samples as null (not reached)", () => {
    const inf = Number.POSITIVE_INFINITY;
    // 2, 4, 6, inf: p50 at h = 1.5 -> 5; p95 at h = 2.85 interpolates towards inf.
    expect(distribution([inf, 6, 2, 4])).toEqual({
      mean: null,
      p50: 5,
      p95: null,
      p99: null,
      max: null,
    });
  });

  it("is all null without samples", () => {
    expect(distribution([])).toEqual({ mean: null, p50: null, p95: null, p99: null, max: null });
  });
});

describe("QosCollector", () => {
  it("integrates lag: constant while playing, growing while stalled", () => {
    const q = new QosCollector(2);
    q.onJoin(1, 0);
    q.onPlayerState(1, 0, PlayerState.Starting, 0);
    q.onPlayerState(1, 1_000_000, PlayerState.Playing, 2_000_000);
    // Stall at 5 s with lag 2 s; resume at 7 s with lag 4 s (it grew by the 2 s stall).
    q.onPlayerState(1, 5_000_000, PlayerState.Stalled, 2_000_000);
    expect(q.meanWatchingLag(6_000_000)).toBe(3_000_000);
    q.onPlayerState(1, 7_000_000, PlayerState.Playing, 4_000_000);
    expect(q.meanWatchingLag(8_000_000)).toBe(4_000_000);
    q.finish(9_000_000);
    // Lag integral: 4 s x 2 s + stall (2 s x 2 s + 2^2 / 2) + 2 s x 4 s = 8 + 6 + 8 = 22 s^2.
    expect(q.lagIntegral[1]).toBe(22e12);
    expect(q.playingMicros[1]).toBe(6_000_000);
    expect(q.stalledMicros[1]).toBe(2_000_000);
    expect(q.stalls[1]).toBe(1);
    expect(q.startupMicros[1]).toBe(1_000_000);
  });

  it("counts peers by state for the time series", () => {
    const q = new QosCollector(4);
    for (const p of [1, 2, 3]) q.onPlayerState(p, 0, PlayerState.Starting, 0);
    q.onPlayerState(1, 10, PlayerState.Playing, 5);
    q.onPlayerState(2, 10, PlayerState.Playing, 7);
    q.onPlayerState(2, 20, PlayerState.Stalled, 7);
    q.onPlayerState(3, 30, PlayerState.Left, 0);
    expect(q.stateCounts[PlayerState.Starting]).toBe(0);
    expect(q.stateCounts[PlayerState.Playing]).toBe(1);
    expect(q.stateCounts[PlayerState.Stalled]).toBe(1);
    expect(q.stateCounts[PlayerState.Left]).toBe(1);
    // Peer 1 lags 5; peer 2 lagged 7 at 20 and 17 at 30.
    expect(q.meanWatchingLag(30)).toBe((5 + 17) / 2);
  });
});
