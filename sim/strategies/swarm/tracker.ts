import type { RandomStream } from "../../engine/random.ts";
import type { SwarmRecords } from "./records.ts";
import type { SwarmRing } from "./ring.ts";

/**
 * The tracker's answer to member m's announce: up to `trackerPeers` distinct peers of m's swarm
 * other than m, all of them when the swarm is that small, else a uniform sample. Writes them to
 * m's reply row (`replyPeers`, `replyCount`) and returns how many.
 */
export function trackerReply(
  rec: SwarmRecords,
  ring: SwarmRing,
  m: number,
  random: RandomStream,
): number {
  const r = rec.memberSlice[m] % ring.size;
  const list = ring.tracked[r];
  const size = ring.trackedCount[r];
  const limit = rec.trackerPeers;
  const want = Math.min(limit, size - 1);
  const reply = m * limit;
  const replyPeers = rec.replyPeers;
  let count = 0;
  if (size - 1 <= limit) {
    for (let i = 0; i < size; i++) {
      if (list[i] !== m) replyPeers[reply + count++] = rec.memberPeer[list[i]];
    }
  } else {
    // Rejection sampling: the reply is small beside the swarm, so repeats are rare.
    for (let tries = 0; count < want && tries < 8 * want + 16; tries++) {
      const other = list[random.int(size)];
      if (other === m) continue;
      const q = rec.memberPeer[other];
      let seen = false;
      for (let i = 0; i < count; i++) {
        if (replyPeers[reply + i] === q) {
          seen = true;
          break;
        }
      }
      if (!seen) replyPeers[reply + count++] = q;
    }
  }
  rec.replyCount[m] = count;
  return count;
}
