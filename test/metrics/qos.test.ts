import { describe, expect, it } from "vitest";
import { PlayerState } from "../../sim/metrics/probe.ts";
import { QosCollector } from "../../sim/metrics/qos.ts";

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
