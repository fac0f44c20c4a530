import { describe, expect, it } from "vitest";
import { sessionChunks } from "../../sim/metrics/chunksDue.ts";
import { PlayerState } from "../../sim/metrics/probe.ts";
import { QosCollector } from "../../sim/metrics/qos.ts";

const S = 1_000_000;
/** 1 s chunks, a 2-chunk startup buffer, the run ends at 12 s. */
const accounting = { endMicros: 12 * S, chunkMicros: S, startupChunks: 2 };

function session(joinSeconds: number, leaveSeconds?: number, playSeconds?: number): QosCollector {
  const q = new QosCollector(2);
  q.onJoin(1, joinSeconds * S);
  q.onPlayerState(1, joinSeconds * S, PlayerState.Starting, 0);
  if (playSeconds !== undefined) q.onPlayerState(1, playSeconds * S, PlayerState.Playing, 2 * S);
  if (leaveSeconds !== undefined) q.onPlayerState(1, leaveSeconds * S, PlayerState.Left, 0);
  return q;
}

/** The session's chunks due once the run has ended. */
function dueAtEnd(q: QosCollector) {
  q.finish(accounting.endMicros);
  return sessionChunks(q, 1, accounting);
}

describe("sessionChunks", () => {
  it("gives a session that played what its player counted", () => {
    const q = session(0, 11, 1);
    q.onChunksDue(1, 8, 1, 1);
    expect(dueAtEnd(q)).toEqual({ onTime: 8, late: 1, missed: 1 });
  });

  it("owes a never-started session floor(online / chunk) - startup chunks, all missed", () => {
    // Online 0 to 7.5 s: floor(7.5) - 2 = 5.
    expect(dueAtEnd(session(0, 7.5))).toEqual({ onTime: 0, late: 0, missed: 5 });
    // Still online at the end: 2 to 12 s, 10 - 2 = 8.
    expect(dueAtEnd(session(2))).toEqual({ onTime: 0, late: 0, missed: 8 });
  });

  it("owes nothing to a never-started session online no longer than the startup buffer", () => {
    expect(dueAtEnd(session(0, 2.9))).toEqual({ onTime: 0, late: 0, missed: 0 });
  });

  it("keeps what a never-started session's player counted when that is more than it is owed", () => {
    const q = session(0, 4.5);
    q.onChunksDue(1, 0, 0, 4);
    // Owed floor(4.5) - 2 = 2, counted 4: the 4 stand.
    expect(dueAtEnd(q)).toEqual({ onTime: 0, late: 0, missed: 4 });
  });
});
