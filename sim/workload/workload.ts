import { type RandomStream, RandomStreams } from "../engine/random.ts";
import type { LatencyOptions } from "../network/latency.ts";
import { LatencyModel } from "../network/latency.ts";
import type { PeerClass } from "../network/peerClasses.ts";
import { secondsToMicros } from "../scenario/units.ts";
import { type Arrival, generateArrivals } from "./arrivals.ts";
import type { ChurnOptions } from "./churn.ts";
import { sampleSessionSeconds } from "./sessionLength.ts";

/** What the workload generator needs from a scenario. */
export interface WorkloadInput {
  seed: number;
  durationSeconds: number;
  churn: ChurnOptions;
  classes: readonly PeerClass[];
  latency: LatencyOptions;
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

/**
 * Generates the workload. Each concern draws from its own named stream (arrivals per process,
 * sessions, classes, departures, positions, latency salt), so changing one concern's options
 * leaves the draws of the others untouched.
 */
export function generateWorkload(
  input: WorkloadInput,
  sourceUploadBitsPerSecond: number,
  sourceDownloadBitsPerSecond = sourceUploadBitsPerSecond,
): Workload {
  const streams = new RandomStreams(input.seed);
  const arrivals: Arrival[] = [];
  input.churn.arrivals.forEach((process, index) => {
    const random = streams.stream(`workload/arrivals/${index}`);
    for (const arrival of generateArrivals(process, random)) arrivals.push(arrival);
  });
  // Stable sort keeps generation order for equal join times, which keeps runs deterministic.
  const order = arrivals
    .map((arrival, index) => ({ arrival, index }))
    .sort((p, q) => p.arrival.joinSeconds - q.arrival.joinSeconds || p.index - q.index)
    .map((entry) => entry.arrival)
    .filter((arrival) => arrival.joinSeconds < input.durationSeconds);

  const n = order.length;
  const sessions = streams.stream("workload/sessions");
  const classDraws = streams.stream("workload/classes");
  const departures = streams.stream("workload/departures");
  const positions = streams.stream("network/positions");
  const latencySalt = streams.stream("network/latency");

  const joinMicros = new Float64Array(n);
  const leaveMicros = new Float64Array(n);
  const abrupt = new Uint8Array(n);
  const classIndex = new Uint8Array(n);
  const upload = new Float64Array(n + 1);
  const download = new Float64Array(n + 1);
  const x = new Float64Array(n + 1);
  const y = new Float64Array(n + 1);
  upload[0] = sourceUploadBitsPerSecond;
  download[0] = sourceDownloadBitsPerSecond;
  x[0] = 0.5;
  y[0] = 0.5;
  const classNames = input.classes.map((c) => c.name);
  for (let i = 0; i < n; i++) {
    const arrival = order[i];
    // Every draw happens for every session, used or not, so that a trace that fixes some values
    // does not shift the draws of the sessions after it.
    const sessionSeconds = sampleSessionSeconds(input.churn.session, sessions);
    const drawnClass = pickClass(input.classes, classDraws);
    const isAbrupt = departures.next() < input.churn.abruptShare;
    const px = positions.next();
    const py = positions.next();
    const join = secondsToMicros(arrival.joinSeconds);
    joinMicros[i] = join;
    const leaveSeconds = arrival.leaveSeconds ?? arrival.joinSeconds + sessionSeconds;
    // A session lasts at least one microsecond, so that leave always follows join.
    leaveMicros[i] = Math.max(join + 1, secondsToMicros(leaveSeconds));
    abrupt[i] = isAbrupt ? 1 : 0;
    let c = drawnClass;
    if (arrival.className !== undefined) {
      c = classNames.indexOf(arrival.className);
      if (c < 0) {
        throw new Error(
          `trace names unknown peer class '${arrival.className}' (known: ${classNames.join(", ")})`,
        );
      }
    }
    classIndex[i] = c;
    upload[i + 1] = input.classes[c].uploadBitsPerSecond;
    download[i + 1] = input.classes[c].downloadBitsPerSecond;
    x[i + 1] = px;
    y[i + 1] = py;
  }
  const salt = Math.floor(latencySalt.next() * 4294967296);
  return {
    size: n,
    joinMicros,
    leaveMicros,
    abrupt,
    classIndex,
    uploadBitsPerSecond: upload,
    downloadBitsPerSecond: download,
    classes: input.classes,
    latency: new LatencyModel(input.latency, x, y, salt),
  };
}
