import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../sim/scenario/load.ts";
import { runScenario, type ScenarioRun } from "../support/checkedRun.ts";

/*
 * Hand-computed expectations for a chain source -> A -> B.
 *
 * Every node uploads 4 Mbps and downloads 40 Mbps; one-way latency is 10 ms everywhere; the
 * stream is 400 kbps in 1 s chunks (50,000 bytes = 400,000 bits). The source and A each take
 * one child, so B must attach below A. The source downloads at its upload rate (4 Mbps).
 * Times in microseconds:
 * - a 100-byte control message: 200 (upload) + 10,000 (latency) + 20 (download) = 10,220, or
 *   10,400 when it goes to the source (200 to download at 4 Mbps);
 * - the tracker's reply with one candidate (108 bytes): 216 + 10,000 + 22 = 10,238;
 * - a chunk: 100,000 (upload) + 10,000 + 10,000 (download) = 120,000 per hop.
 * Chunk c exists at the source at (c + 1) s.
 *
 * A joins at 10.5 s: its query reaches the tracker (at the source) at 10.510400, the reply
 * comes back at 10.520638, the attach request reaches the source at 10.531038. The source's
 * newest chunk is then 9, so A starts at chunk 9 (which arrives at 10.651238, after the accept's 200 us on the source's wire); chunk 10 arrives
 * at 11.12. With a
 * 2 s startup buffer A plays from 11.12: startup 0.62 s, lag 11.12 - 9 = 2.12 s.
 * B joins at 20.5 s; the tracker answers at 20.520638 with A (the source is full) and B's
 * request reaches A at 20.530858; A's newest is 19, so B starts
 * at chunk 19; chunk 20 reaches A at 21.12 and B at 21.24: startup 0.74 s, lag 2.24 s.
 */
function chainScenario(extra: string): string {
  return `
name: chain
seed: 5
duration: 60s
stream: { bitrate: 400kbps, chunkDuration: 1s }
source: { upload: 4Mbps }
peers:
  classes: [{ name: fast, share: 1, upload: 4Mbps, download: 40Mbps }]
  latency: { model: constant, oneWay: 10ms }
churn:
  arrivals: [{ type: trace, file: chain-trace.csv }]
  session: { distribution: fixed, mean: 1h }
  abruptShare: 1
  detectionDelay: 3s
${extra}
`;
}

function run(text: string): ScenarioRun {
  const file = resolve(import.meta.dirname, "fixtures", "chain.yaml");
  return runScenario(parseScenario(text, file));
}

const tree = (resume: string) => `
strategies:
  - name: tree
    type: tree-relay
    maxChildren: 1
    sourceMaxChildren: 1
    heartbeat: 0s
    resume: ${resume}
`;

const A = 1;
const B = 2;

describe("chain source -> A -> B", () => {
  it("gives the hand-computed startup latencies and lags", () => {
    const text = chainScenario(
      `player: { startupBuffer: 2s, rebufferThreshold: 1s }${tree("jump-to-live")}`,
    )
      // A never fails in this variant.
      .replace("chain-trace.csv", "chain-trace-stay.csv");
    const { runs } = run(text);
    const q = runs[0].qos;
    expect(q.startupMicros[A]).toBe(620_000);
    expect(q.startupMicros[B]).toBe(740_000);
    // Lag is constant while playing, so each peer's time-averaged lag is exact.
    expect(q.lagIntegral[A] / q.playingMicros[A]).toBeCloseTo(2_120_000, 3);
    expect(q.lagIntegral[B] / q.playingMicros[B]).toBeCloseTo(2_240_000, 3);
    // Chunk 9 + k is due at 11.12 + k s; by the end (60 s) 49 deadlines have passed for A.
    expect(q.onTime[A]).toBe(49);
    // Chunk 19 + k is due at 21.24 + k s: 39 deadlines by 60 s.
    expect(q.onTime[B]).toBe(39);
    expect(q.stalls[A] + q.stalls[B]).toBe(0);
    const summary = runs[0].summary;
    expect(summary.startupLatencySeconds.mean).toBeCloseTo(0.68, 9);
    expect(summary.startupLatencySeconds.max).toBeCloseTo(0.74, 9);
    expect(summary.continuityIndex).toBe(1);
    expect(summary.stallRatio).toBe(0);
    // Stream bytes sent: the source sends chunks 9..58 to A (50; chunk 59 goes on its wire at
    // the last instant, 60 s, and has not left it when the run ends: pending, not sent); A
    // forwards 19..58 to B (40).
    expect(summary.sourceUploadShare).toBeCloseTo(50 / (50 + 40), 9);
  });

  /*
   * A fails abruptly at 30.5 s. B (startup buffer 2 s) holds chunks up to 29 (chunk 29 reached
   * it at 30.24) and plays chunk 19 + k at 21.24 + k, so it stalls at 32.24 waiting for chunk 30.
   * B notices the failure at 30.5 + 3 = 33.5 s (the source frees A's slot at the same instant),
   * queries the tracker and its request reaches the source at 33.531038, whose newest chunk is
   * 32. The source's uplink first sends the accept (100 B: 200 us; control never shares the
   * wire), then the chunk, which arrives 200 + 120,000 us later, at 33.651238.
   */
  it("under jump-to-live, a relay failure costs exactly the computed stall and skipped chunks", () => {
    const { runs } = run(
      chainScenario(`player: { startupBuffer: 2s, rebufferThreshold: 1s }${tree("jump-to-live")}`),
    );
    const q = runs[0].qos;
    // Jump to live: B starts again at chunk 32 (arriving 33.651238) and skips 30 and 31.
    expect(q.stalls[B]).toBe(1);
    expect(q.stalledMicros[B]).toBe(33_651_238 - 32_240_000);
    expect(q.missed[B]).toBe(2);
    // Chunk 32 plays late, at 33.651238; then 33 + k is due at 34.651238 + k: 26 by 60 s.
    expect(q.late[B]).toBe(1);
    expect(q.onTime[B]).toBe(11 + 26); // chunks 19..29 on time before the failure
    // Orphaned at 30.5 s, receiving again at 33.651238 s.
    expect([...q.recoveries.values()]).toEqual([33_651_238 - 30_500_000]);
    expect(q.rejoins[B]).toBe(1);

    // The run's summary, from the same hand-computed timeline:
    // A plays 11.12 -> 30.5 s (19.38 s, 20 chunks due, all on time); B plays 21.24 -> 32.24,
    // stalls 1.411238 s, plays 33.651238 -> 60.
    const summary = runs[0].summary;
    const stalledSeconds = 1.411238;
    const watchSeconds = 19.38 + (32.24 - 21.24) + stalledSeconds + (60 - 33.651238);
    expect(summary.stallRatio).toBeCloseTo(stalledSeconds / watchSeconds, 8);
    expect(summary.stallsPerMinute).toBeCloseTo(1 / (watchSeconds / 60), 6);
    // Due: A 20 on time; B 37 on time, 1 late, 2 missed.
    expect(summary.continuityIndex).toBeCloseTo(57 / 60, 9);
    // One rejoin over 20 s (A) + 39.5 s (B) online.
    expect(summary.rejoinsPerPeerHour).toBeCloseTo(1 / (59.5 / 3600), 6);
    // Control: three joins of query (100 B) + reply (108 B) + attach (100 B) + accept (100 B).
    // Stream bytes delivered: A gets chunks 9..29 (21), B gets 19..29 from A (11) and 32..58
    // from the source (27); chunk 59 exists only at the end of the run.
    const chunkBytes = 50_000;
    expect(summary.controlBytes).toBe(3 * 408);
    expect(summary.overheadRatio).toBeCloseTo((3 * 408) / (59 * chunkBytes), 9);
    // Sent by the source: 9..32 to A (A is dropped as a child only at 33.5 s; 30..32 are lost)
    // and 32..58 to B (59 is still on its wire when the run ends); sent by A: 19..29 to B.
    expect(summary.sourceUploadShare).toBeCloseTo((24 + 27) / (24 + 27 + 11), 9);
    expect(summary.recoverySeconds.max).toBeCloseTo(3.151238, 9);
  });

  it("under back-buffer, the same failure stalls as long but skips nothing", () => {
    const { runs } = run(
      chainScenario(
        `player: { startupBuffer: 2s, rebufferThreshold: 1s }${tree("back-buffer\n    backBuffer: 20s")}`,
      ),
    );
    const q = runs[0].qos;
    // The source resends 30, 31, 32 from its back buffer; 30 arrives at 33.651238.
    expect(q.stalls[B]).toBe(1);
    expect(q.stalledMicros[B]).toBe(33_651_238 - 32_240_000);
    expect(q.missed[B]).toBe(0);
    expect(q.late[B]).toBe(1);
    expect([...q.recoveries.values()]).toEqual([33_651_238 - 30_500_000]);
  });

  /*
   * With a 5 s startup buffer B plays chunk c at c + 5.24 s, so chunk 30 is due at 35.24, after
   * the recovery (33.651238): the buffer covers it.
   */
  it("under back-buffer, no stall and no skipped chunk when the buffer covers the recovery", () => {
    const { runs } = run(
      chainScenario(
        `player: { startupBuffer: 5s, rebufferThreshold: 1s }${tree("back-buffer\n    backBuffer: 20s")}`,
      ),
    );
    const q = runs[0].qos;
    expect(q.startupMicros[B]).toBe(24_240_000 - 20_500_000);
    expect(q.stalls[B]).toBe(0);
    expect(q.missed[B]).toBe(0);
    expect(q.late[B]).toBe(0);
    // Chunk 19 + k is due at 24.24 + k: 36 deadlines by 60 s, every one on time.
    expect(q.onTime[B]).toBe(36);
    expect(runs[0].summary.continuityIndex).toBe(1);
  });

  it("under jump-to-live with the same buffer, no stall but exactly the two missed chunks", () => {
    const { runs } = run(
      chainScenario(`player: { startupBuffer: 5s, rebufferThreshold: 1s }${tree("jump-to-live")}`),
    );
    const q = runs[0].qos;
    expect(q.stalls[B]).toBe(0);
    expect(q.missed[B]).toBe(2);
    // Chunks 19..29 play on time; at 35.24 the player jumps over 30 and 31 and chunk 32 is due
    // at once (a jump in content takes no time), so chunk 32 + j is due at 35.24 + j: 25 by 60 s.
    expect(q.onTime[B]).toBe(11 + 25);
    // Skipping two chunks at 35.24 cuts B's lag from 5.24 s to 3.24 s.
    const lagSeconds = q.lagIntegral[B] / (q.playingMicros[B] + q.stalledMicros[B]) / 1e6;
    const expected = (5.24 * (35.24 - 24.24) + 3.24 * (60 - 35.24)) / (60 - 24.24);
    expect(lagSeconds).toBeCloseTo(expected, 6);
  });

  it("a graceful departure is noticed after one latency and costs nothing here", () => {
    const { runs } = run(
      chainScenario(
        `player: { startupBuffer: 2s, rebufferThreshold: 1s }${tree("jump-to-live")}`,
      ).replace("abruptShare: 1", "abruptShare: 0"),
    );
    const q = runs[0].qos;
    // B hears the goodbye at 30.510220 and its request reaches the source at 30.541078, before
    // chunk 30 exists; chunk 30 then reaches it at 31.12, well before its deadline of 32.24.
    expect(q.stalls[B]).toBe(0);
    expect(q.missed[B]).toBe(0);
    expect([...q.recoveries.values()]).toEqual([31_120_000 - 30_500_000]);
    expect(runs[0].summary.duplicateBytes).toBe(0);
  });
});
