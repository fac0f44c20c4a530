import { describe, expect, it } from "vitest";
import { capacityWarnings, demandPeaks } from "../../sim/run/capacityBound.ts";
import { scenarioWorkload } from "../../sim/run/runScenario.ts";
import { parseScenario } from "../../sim/scenario/load.ts";

/** Ten viewers join at once and stay the whole run: N = 10 at every instant. */
function scenario(
  sourceUpload: string,
  peerUpload: string,
  tree = "  - { name: tree, type: tree-relay }\n",
) {
  return parseScenario(
    `duration: 1min
stream: { bitrate: 400kbps }
source: { upload: ${sourceUpload} }
peers:
  classes:
    - { name: a, share: 1, upload: ${peerUpload}, download: 10Mbps }
churn:
  arrivals:
    - { type: flash-crowd, count: 10, at: 0s }
  session: { distribution: fixed, mean: 10min }
strategies:
  - { name: multicast, type: ideal-multicast }
  - { name: cs, type: client-server }
${tree}`,
    "bound.yaml",
  );
}

describe("the Kumar-Liu-Ross bound on the generated workload", () => {
  it("finds the peak and the worst shortfall by hand: 10 x 400 kbps against 1 Mbps + 10 x 100 kbps", () => {
    const s = scenario("1Mbps", "100kbps");
    const peaks = demandPeaks(s, scenarioWorkload(s));
    expect(peaks.peakViewers).toBe(10);
    expect(peaks.worstViewers).toBe(10);
    expect(peaks.worstPeerUploadBitsPerSecond).toBe(1e6);
    // 4 Mbps demanded, 1 + 1 Mbps supplied.
    expect(peaks.worstShortfallBitsPerSecond).toBe(2e6);
  });

  it("warns for client-server past u_s / bitrate and for overlays past the bound, never for multicast", () => {
    const s = scenario("1Mbps", "100kbps");
    const warnings = capacityWarnings(s, scenarioWorkload(s));
    expect(warnings.map((w) => w.problem)).toEqual([
      "1 Mbps serves at most 2 viewers at 400 kbps from the source alone, but up to 10 are online at once (at 0s in the generated workload): cs cannot sustain the stream",
      "at 0s in the generated workload 10 viewers online demand 4 Mbps, above the 1 Mbps source plus their 1 Mbps upload (Kumar-Liu-Ross bound): tree cannot sustain the stream for everyone",
    ]);
  });

  it("is silent when the source and the peers can carry everyone: 4 Mbps = 1 Mbps + 10 x 300 kbps", () => {
    const s = scenario("4Mbps", "300kbps");
    expect(capacityWarnings(s, scenarioWorkload(s))).toEqual([]);
  });

  it("names every strategy when the source cannot send the stream at all", () => {
    // (A tree would be rejected at load time: its source has no relay slot.)
    const s = scenario("300kbps", "1Mbps", "");
    expect(capacityWarnings(s, scenarioWorkload(s)).map((w) => w.problem)).toEqual([
      "300 kbps is below the 400 kbps stream: no strategy can deliver it (multicast, cs)",
    ]);
  });
});
