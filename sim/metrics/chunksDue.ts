import type { QosCollector } from "./qos.ts";

/** What deciding the chunks a session was due needs to know about the run. */
export interface DueAccounting {
  /** End of the run, microseconds: a session still online then is counted up to it. */
  endMicros: number;
  /** Chunk duration, microseconds. */
  chunkMicros: number;
  /** Chunks of content a player needs before it starts (the startup buffer). */
  startupChunks: number;
}

/** The chunks one session was due, by what became of them. */
export interface SessionChunks {
  onTime: number;
  late: number;
  /** Skipped chunks; for a session that never started, also the chunks it was owed. */
  missed: number;
}

/**
 * The chunks session `peer` was due. A session that played is due the chunks whose playout
 * deadlines passed while it played, as its player counted them (on time, late: the chunk it
 * stalled on, missed: skipped). A session that never started has no playout deadlines, but it
 * is owed one chunk per chunk duration it was online beyond the startup buffer,
 * max(0, floor(online / chunkDuration) - startupChunks), none of them on time: they count as
 * missed (above what its player counted, if less), so that a viewer who never starts lowers
 * the continuity index instead of vanishing from it. summary.json's continuityIndex and the
 * per-session figures of peers.csv both come from here.
 */
export function sessionChunks(
  qos: QosCollector,
  peer: number,
  accounting: DueAccounting,
): SessionChunks {
  const onTime = qos.onTime[peer];
  const late = qos.late[peer];
  let missed = qos.missed[peer];
  if (qos.startupMicros[peer] < 0) {
    const leave = qos.leaveMicros[peer] >= 0 ? qos.leaveMicros[peer] : accounting.endMicros;
    const online = leave - qos.joinMicros[peer];
    const owed = Math.max(
      0,
      Math.floor(online / accounting.chunkMicros) - accounting.startupChunks,
    );
    missed += Math.max(0, owed - (onTime + late + missed));
  }
  return { onTime, late, missed };
}
