import { describe, expect, it } from "vitest";
import { DEFAULT_PEER_CLASSES } from "../../sim/network/peerClasses.ts";
import type { PlayerOnDemandOptions } from "../../sim/ondemand/options.ts";
import { generateWorkload, type WorkloadInput } from "../../sim/workload/workload.ts";

const input: WorkloadInput = {
  seed: 9,
  durationSeconds: 2000,
  churn: {
    arrivals: [{ type: "poisson", ratePerSecond: 5, fromSeconds: 0, untilSeconds: 2000 }],
    session: { distribution: "exponential", meanSeconds: 300 },
    abruptShare: 0.5,
    detectionDelaySeconds: 5,
  },
  classes: DEFAULT_PEER_CLASSES,
  latency: { model: "constant", oneWaySeconds: 0.01 },
};

const viewing: PlayerOnDemandOptions & { lengthSeconds: number } = {
  lengthSeconds: 3600,
  startPosition: "uniform",
  seeks: {
    ratePerMinute: 0.5,
    distance: { distribution: "exponential", meanSeconds: 60 },
    backwardShare: 0.25,
  },
  prefetchSeconds: 10,
};

describe("on-demand viewing draws", () => {
  const live = generateWorkload(input, 10e6);
  const vod = generateWorkload({ ...input, onDemand: viewing }, 10e6);

  it("leave every live draw unchanged (their own streams)", () => {
    expect(vod.joinMicros).toEqual(live.joinMicros);
    expect(vod.leaveMicros).toEqual(live.leaveMicros);
    expect(vod.classIndex).toEqual(live.classIndex);
    expect(vod.abrupt).toEqual(live.abrupt);
    expect(live.viewing).toBeUndefined();
  });

  it("start uniformly over the video", () => {
    const starts = vod.viewing!.startSeconds;
    let sum = 0;
    for (const s of starts) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(3600);
      sum += s;
    }
    // Uniform on [0, 3600): mean 1800, sd 3600 / sqrt(12); five standard errors.
    const n = starts.length;
    expect(Math.abs(sum / n - 1800)).toBeLessThan((5 * 3600) / Math.sqrt(12 * n));
  });

  it("seek as a Poisson process over each session, with the configured direction and distance", () => {
    const v = vod.viewing!;
    // Expected seeks: rate x total time online within the run (each session until it leaves
    // or the run ends); Poisson, so five standard deviations.
    let exposureMinutes = 0;
    for (let i = 0; i < vod.size; i++) {
      const end = Math.min(vod.leaveMicros[i], 2000e6);
      exposureMinutes += (end - vod.joinMicros[i]) / 60e6;
      for (let k = v.seekFirst[i]; k < v.seekFirst[i + 1]; k++) {
        expect(vod.joinMicros[i] + v.seekAfterMicros[k]).toBeLessThan(end);
        if (k > v.seekFirst[i])
          expect(v.seekAfterMicros[k]).toBeGreaterThan(v.seekAfterMicros[k - 1]);
      }
    }
    const seeks = v.seekFirst[vod.size];
    const expected = 0.5 * exposureMinutes;
    expect(Math.abs(seeks - expected)).toBeLessThan(5 * Math.sqrt(expected));
    let backward = 0;
    let distance = 0;
    for (const jump of v.seekJumpSeconds) {
      if (jump < 0) backward++;
      distance += Math.abs(jump);
    }
    expect(Math.abs(backward / seeks - 0.25)).toBeLessThan(5 * Math.sqrt((0.25 * 0.75) / seeks));
    // Exponential, mean 60 s, sd 60 s.
    expect(Math.abs(distance / seeks - 60)).toBeLessThan((5 * 60) / Math.sqrt(seeks));
  });
});
