import { hashUnit, type RandomStream, RandomStreams } from "../engine/random.ts";
import type { LatencyOptions } from "../network/latency.ts";
import { LatencyModel } from "../network/latency.ts";
import type { PeerClass } from "../network/peerClasses.ts";
import type { PlayerOnDemandOptions } from "../ondemand/options.ts";
import { secondsToMicros } from "../scenario/units.ts";
import { generateArrivals } from "./arrivals.ts";
import type { ChurnOptions } from "./churn.ts";
import { applyMassExit } from "./massExit.ts";
import { sampleSessionSeconds } from "./sessionLength.ts";
import { drawViewing, MAX_SEEKS, type Viewing } from "./viewing.ts";

/** What the workload generator needs from a scenario. */
export interface WorkloadInput {
  seed: number;
  durationSeconds: number;
  churn: ChurnOptions;
  classes: readonly PeerClass[];
  latency: LatencyOptions;
  /** On-demand mode: what viewers watch (absent when live). */
  onDemand?: PlayerOnDemandOptions & { lengthSeconds: number };
}

/**
 * The churn and bandwidth workload of a scenario: every peer session with its join and leave
 * time, departure kind, capacity class and position. It is generated once from `workload/...`
 * and `network/...` random streams and shared read-only by every strategy, so strategies are
 * compared on exactly the same arrivals, departures, capacities and latencies.
 *
 * Session i is node i + 1 in a run (node 0 is the source). Sessions are sorted by join time.
 */
export interface Workload {
  /** Number of peer sessions. */
  readonly size: number;
  /** Join time of each session, microseconds. */
  readonly joinMicros: Float64Array;
  /**
   * Leave time of each session, microseconds; sessions still running at the end of the run
   * carry a leave time past the run's end.
   */
  readonly leaveMicros: Float64Array;
  /** 1 where the session ends abruptly (no goodbye), 0 where it says goodbye. */
  readonly abrupt: Uint8Array;
  /** Index into {@link classes} of each session. */
  readonly classIndex: Uint8Array;
  /** Upload capacity of node n (index 0 is the source, filled in by the run), bits/s. */
  readonly uploadBitsPerSecond: Float64Array;
  /** Download capacity of node n, bits/s. */
  readonly downloadBitsPerSecond: Float64Array;
  /** The capacity classes, in scenario order. */
  readonly classes: readonly PeerClass[];
  /** Latency between nodes. */
  readonly latency: LatencyModel;
  /** On-demand mode: each session's start position and seeks (absent when live). */
  readonly viewing?: SessionViewing;
}

/** Start positions and seeks of every session, flattened (session i's seeks are
 * `seekFirst[i]` .. `seekFirst[i + 1] - 1`). */
export interface SessionViewing {
  /** Start position of each session in the video, seconds. */
  startSeconds: Float64Array;
  /** Index of each session's first seek; length sessions + 1. */
  seekFirst: Int32Array;
  /** Time of each seek, microseconds after the session's join. */
  seekAfterMicros: Float64Array;
  /** Signed jump of each seek, seconds. */
  seekJumpSeconds: Float64Array;
}

function pickClass(classes: readonly PeerClass[], random: RandomStream): number {
  const u = random.next();
  let cumulative = 0;
  for (let i = 0; i < classes.length; i++) {
    cumulative += classes[i].share;
    if (u < cumulative) return i;
  }
  return classes.length - 1;
}

/** One session with all its draws, before the sessions are merged in join order. */
interface DrawnSession {
  join: number;
  leave: number;
  abrupt: number;
  classIndex: number;
  x: number;
  y: number;
  /** Stable identity: a hash of the arrival process and the session's rank in it. */
  identity: number;
  /** On-demand mode: start position and seeks. */
  viewing?: Viewing;
}

/**
 * Generates the workload. Every arrival process draws its arrivals and then, for each of its
 * sessions in its own order, the session's length, class, departure kind and position from
 * streams of its own (`workload/arrivals/<i>`, `workload/sessions/<i>`, `workload/classes/<i>`,
 * `workload/departures/<i>`, `network/positions/<i>`). Sessions are then merged by join time.
 * So adding an arrival process adds sessions without changing any existing session, and
 * changing one concern's options (say the class mix) leaves the draws of the others untouched.
 */
export function generateWorkload(
  input: WorkloadInput,
  sourceUploadBitsPerSecond: number,
  sourceDownloadBitsPerSecond = sourceUploadBitsPerSecond,
): Workload {
  const streams = new RandomStreams(input.seed);
  const classNames = input.classes.map((c) => c.name);
  const drawn: DrawnSession[] = [];
  input.churn.arrivals.forEach((process, index) => {
    const arrivals = generateArrivals(process, streams.stream(`workload/arrivals/${index}`));
    const sessions = streams.stream(`workload/sessions/${index}`);
    const classDraws = streams.stream(`workload/classes/${index}`);
    const departures = streams.stream(`workload/departures/${index}`);
    const positions = streams.stream(`network/positions/${index}`);
    // Created only in on-demand mode; new names, so live workloads draw exactly as before.
    const onDemand = input.onDemand;
    const startDraws = onDemand ? streams.stream(`workload/startPositions/${index}`) : undefined;
    const seekDraws = onDemand ? streams.stream(`workload/seeks/${index}`) : undefined;
    for (let rank = 0; rank < arrivals.length; rank++) {
      const arrival = arrivals[rank];
      // Every draw happens for every session, used or not, so that a trace that fixes some
      // values does not shift the draws of the sessions after it.
      const sessionSeconds = sampleSessionSeconds(input.churn.session, sessions);
      let classIndex = pickClass(input.classes, classDraws);
      const abrupt = departures.next() < input.churn.abruptShare ? 1 : 0;
      const x = positions.next();
      const y = positions.next();
      if (arrival.className !== undefined) {
        classIndex = classNames.indexOf(arrival.className);
        if (classIndex < 0) {
          throw new Error(
            `trace names unknown peer class '${arrival.className}' (known: ${classNames.join(", ")})`,
          );
        }
      }
      const leaveSeconds = arrival.leaveSeconds ?? arrival.joinSeconds + sessionSeconds;
      const viewing =
        onDemand && startDraws && seekDraws
          ? drawViewing(
              onDemand,
              onDemand.lengthSeconds,
              Math.min(leaveSeconds, input.durationSeconds) - arrival.joinSeconds,
              startDraws,
              seekDraws,
            )
          : undefined;
      if (arrival.joinSeconds >= input.durationSeconds) continue;
      const join = secondsToMicros(arrival.joinSeconds);
      // A session lasts at least one microsecond, so that leave always follows join.
      const leave = Math.max(join + 1, secondsToMicros(leaveSeconds));
      const identity = Math.floor(hashUnit(0x5e55, index, rank) * 4294967295) + 1;
      drawn.push({ join, leave, abrupt, classIndex, x, y, identity, viewing });
    }
  });
  // A stable sort keeps process order, then generation order, for equal join times.
  drawn.sort((p, q) => p.join - q.join);
  const latencySalt = streams.stream("network/latency");

  const n = drawn.length;
  const joinMicros = new Float64Array(n);
  const leaveMicros = new Float64Array(n);
  const abrupt = new Uint8Array(n);
  const classIndex = new Uint8Array(n);
  const upload = new Float64Array(n + 1);
  const download = new Float64Array(n + 1);
  const x = new Float64Array(n + 1);
  const y = new Float64Array(n + 1);
  const identity = new Uint32Array(n + 1);
  upload[0] = sourceUploadBitsPerSecond;
  download[0] = sourceDownloadBitsPerSecond;
  x[0] = 0.5;
  y[0] = 0.5;
  for (let i = 0; i < n; i++) {
    const session = drawn[i];
    joinMicros[i] = session.join;
    leaveMicros[i] = session.leave;
    abrupt[i] = session.abrupt;
    classIndex[i] = session.classIndex;
    upload[i + 1] = input.classes[session.classIndex].uploadBitsPerSecond;
    download[i + 1] = input.classes[session.classIndex].downloadBitsPerSecond;
    x[i + 1] = session.x;
    y[i + 1] = session.y;
    identity[i + 1] = session.identity;
  }
  const salt = Math.floor(latencySalt.next() * 4294967296);
  // Mass exits come last and draw from streams of their own, so that adding one changes the
  // leave times of the sessions it picks and nothing else.
  (input.churn.massExits ?? []).forEach((exit, index) => {
    const sessions = {
      joinMicros,
      leaveMicros,
      abrupt,
      identity: identity.subarray(1),
    };
    applyMassExit(exit, sessions, streams.stream(`workload/massExits/${index}`));
  });
  return {
    ...(input.onDemand ? { viewing: flattenViewing(drawn) } : {}),
    size: n,
    joinMicros,
    leaveMicros,
    abrupt,
    classIndex,
    uploadBitsPerSecond: upload,
    downloadBitsPerSecond: download,
    classes: input.classes,
    latency: new LatencyModel(input.latency, x, y, salt, identity),
  };
}

/** Flattens the sessions' viewing draws (sessions already in join order). */
function flattenViewing(drawn: readonly DrawnSession[]): SessionViewing {
  const n = drawn.length;
  const startSeconds = new Float64Array(n);
  const seekFirst = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    seekFirst[i] = total;
    total += drawn[i].viewing?.seekAfterMicros.length ?? 0;
    if (total > MAX_SEEKS) throw new Error(`the workload has more than ${MAX_SEEKS} seeks`);
  }
  seekFirst[n] = total;
  const seekAfterMicros = new Float64Array(total);
  const seekJumpSeconds = new Float64Array(total);
  for (let i = 0; i < n; i++) {
    const v = drawn[i].viewing;
    if (!v) continue;
    startSeconds[i] = v.startSeconds;
    seekAfterMicros.set(v.seekAfterMicros, seekFirst[i]);
    seekJumpSeconds.set(v.seekJumpSeconds, seekFirst[i]);
  }
  return { startSeconds, seekFirst, seekAfterMicros, seekJumpSeconds };
}
