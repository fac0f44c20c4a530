import { describe, expect, it } from "vitest";
import { DEFAULT_PEER_CLASSES } from "../../sim/network/peerClasses.ts";
import { parseScenario } from "../../sim/scenario/load.ts";
import type { ArrivalOptions } from "../../sim/workload/arrivals.ts";
import type { MassExitOptions } from "../../sim/workload/massExit.ts";
import type { SessionLengthOptions } from "../../sim/workload/sessionLength.ts";
import { generateWorkload, type Workload } from "../../sim/workload/workload.ts";

const crowd = (count: number, atSeconds = 0): ArrivalOptions => ({
  type: "flash-crowd",
  count,
  atSeconds,
  overSeconds: 0,
});

function workload(
  arrivals: ArrivalOptions[],
  massExits: MassExitOptions[],
  session: SessionLengthOptions = { distribution: "fixed", meanSeconds: 1000 },
  abruptShare = 0.5,
): Workload {
  return generateWorkload(
    {
      seed: 5,
      durationSeconds: 2000,
      churn: { arrivals, session, abruptShare, detectionDelaySeconds: 5, massExits },
      classes: DEFAULT_PEER_CLASSES,
      latency: { model: "constant", oneWaySeconds: 0.01 },
    },
    10e6,
  );
}

const leaveTimes = (w: Workload) => Array.from(w.leaveMicros, (m) => m / 1e6);

describe("mass exits (correlated departures)", () => {
  it("exactly round(share x online) viewers leave at the given time, with the departure kind", () => {
    // 1000 viewers join at 0 for 1000 s; at 100 s, 40% leave abruptly at once.
    const exit = { atSeconds: 100, share: 0.4, overSeconds: 0, abrupt: true };
    const w = workload([crowd(1000)], [exit], undefined, 0);
    const leaves = leaveTimes(w);
    expect(leaves.filter((t) => t === 100).length).toBe(400);
    expect(leaves.filter((t) => t === 1000).length).toBe(600);
    for (let i = 0; i < w.size; i++) expect(w.abrupt[i]).toBe(leaves[i] === 100 ? 1 : 0);
    // A graceful exit leaves the departure kind as a goodbye.
    const graceful = workload([crowd(1000)], [{ ...exit, abrupt: false }], undefined, 1);
    for (let i = 0; i < graceful.size; i++) {
      expect(graceful.abrupt[i]).toBe(graceful.leaveMicros[i] === 100e6 ? 0 : 1);
    }
  });

  it("spreads the leavers uniformly over the window", () => {
    const w = workload(
      [crowd(10_000)],
      [{ atSeconds: 100, share: 0.5, overSeconds: 50, abrupt: false }],
    );
    const early = leaveTimes(w).filter((t) => t < 1000);
    expect(early.length).toBe(5000);
    expect(Math.min(...early)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...early)).toBeLessThanOrEqual(150);
    // Half of the 5000 leave in the first half of the window: binomial sd 35; five sd.
    const firstHalf = early.filter((t) => t < 125).length;
    expect(Math.abs(firstHalf - 2500)).toBeLessThan(5 * 35.4);
  });

  it("only the audience online at the start is counted, and earlier leave times are kept", () => {
    // 100 viewers for 120 s from t = 0, 100 more joining at 300 s; exit at 100 s over 50 s.
    const w = workload(
      [crowd(100), crowd(100, 300)],
      [{ atSeconds: 100, share: 1, overSeconds: 50, abrupt: true }],
      { distribution: "fixed", meanSeconds: 120 },
    );
    const leaves = leaveTimes(w);
    for (let i = 0; i < 100; i++) {
      // Leave at min(120, exit time in [100, 150]).
      expect(leaves[i]).toBeGreaterThanOrEqual(100);
      expect(leaves[i]).toBeLessThanOrEqual(120);
    }
    for (let i = 100; i < 200; i++) expect(leaves[i]).toBe(420);
  });

  it("adding a mass exit changes only the leave time and kind of the viewers it picks", () => {
    const arrivals: ArrivalOptions[] = [
      { type: "poisson", ratePerSecond: 5, fromSeconds: 0, untilSeconds: 1000 },
    ];
    const session: SessionLengthOptions = { distribution: "exponential", meanSeconds: 300 };
    const without = workload(arrivals, [], session);
    const withExit = workload(
      arrivals,
      [{ atSeconds: 500, share: 0.3, overSeconds: 20, abrupt: true }],
      session,
    );
    expect(withExit.size).toBe(without.size);
    expect(withExit.joinMicros).toEqual(without.joinMicros);
    expect(withExit.classIndex).toEqual(without.classIndex);
    expect(withExit.uploadBitsPerSecond).toEqual(without.uploadBitsPerSecond);
    let changed = 0;
    let online = 0;
    for (let i = 0; i < without.size; i++) {
      const wasOnline = without.joinMicros[i] <= 500e6 && without.leaveMicros[i] > 500e6;
      if (wasOnline) online++;
      if (withExit.leaveMicros[i] !== without.leaveMicros[i]) {
        changed++;
        expect(wasOnline).toBe(true);
        expect(withExit.leaveMicros[i]).toBeLessThanOrEqual(520e6);
        expect(withExit.abrupt[i]).toBe(1);
      } else if (!wasOnline) {
        expect(withExit.abrupt[i]).toBe(without.abrupt[i]);
      }
    }
    // Those picked whose own session ended inside the window keep it: at most 30% change.
    expect(changed).toBeLessThanOrEqual(Math.round(0.3 * online));
    expect(changed).toBeGreaterThan(0.25 * online);
  });

  it("a scenario lists mass exits under churn.massExits, with errors naming the field", () => {
    const text = (exit: string) =>
      `churn:\n  massExits:\n    - ${exit}\nstrategies:\n  - type: client-server\n`;
    const scenario = parseScenario(
      text("{ at: 5min, share: 0.6, over: 30s, departure: abrupt }"),
      "s.yaml",
    );
    expect(scenario.churn.massExits).toEqual([
      { atSeconds: 300, share: 0.6, overSeconds: 30, abrupt: true },
    ]);
    expect(() => parseScenario(text("{ at: 5min, share: 1.5 }"), "s.yaml")).toThrow(
      "s.yaml:3: churn.massExits[0].share: must be at most 1, got 1.5",
    );
    expect(() => parseScenario(text("{ at: 5min, share: 1, departure: rude }"), "s.yaml")).toThrow(
      "churn.massExits[0].departure: must be one of graceful, abrupt; got 'rude'",
    );
  });
});
