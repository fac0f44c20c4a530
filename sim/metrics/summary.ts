import type { Transport } from "../network/transport.ts";
import type { StrategyEntry } from "../scenario/scenario.ts";
import type { QosCollector } from "./qos.ts";
import { type Distribution, distribution } from "./stats.ts";

/** A strategy's entry in summary.json. Times in seconds. */
export interface StrategySummary {
  type: string;
  /** Peer sessions that joined during the run. */
  peers: number;
  /** Join to first playback, over peers that started. */
  startupLatencySeconds: Distribution;
  /** Peers that left (or were still waiting at the end) without ever playing. */
  neverStarted: number;
  /** Stall events per minute of watch time (playing plus stalled), over all peers. */
  stallsPerMinute: number;
  /** Stalled time / (stalled + playing time), over all peers. */
  stallRatio: number;
  /** Chunks on time / chunks due, over all peers. */
  continuityIndex: number;
  /** Each peer's time-averaged playback lag behind the live edge. */
  playbackLagSeconds: Distribution;
  /** Source (server) load: stream bytes the source sent / stream bytes all nodes sent. */
  sourceUploadShare: number;
  /**
   * (Control bytes + duplicate stream bytes + FEC redundancy bytes) / useful stream bytes
   * delivered, where useful = data bytes delivered - duplicates - redundancy. Redundancy is zero
   * for uncoded strategies; for a k-of-n code it adds about (n - k) / k.
   */
  overheadRatio: number;
  /** Rejoins (after losing an upstream) per peer-hour online. */
  rejoinsPerPeerHour: number;
  /** Orphaned to receiving again, per episode. */
  recoverySeconds: Distribution;
  /** Events the engine processed. */
  events: number;
  [extra: string]: unknown;
}

/** Rounds to 9 significant digits, so summaries read well and stay exact across runs. */
export function tidy(value: number): number {
  if (!Number.isFinite(value) || value === 0) return Number.isFinite(value) ? value : 0;
  return Number(value.toPrecision(9));
}

function tidyDistribution(d: Distribution, scale: number): Distribution {
  const f = (v: number | null) => (v === null ? null : tidy(v * scale));
  return { mean: f(d.mean), p50: f(d.p50), p95: f(d.p95), p99: f(d.p99), max: f(d.max) };
}

/** Inputs of {@link summarize}. */
export interface SummaryInput {
  entry: StrategyEntry;
  qos: QosCollector;
  transport: Transport;
  endMicros: number;
  events: number;
  extra: Record<string, unknown>;
}

/** Computes a strategy's summary from its collector and transport counters. */
export function summarize(input: SummaryInput): StrategySummary {
  const { qos, transport, endMicros } = input;
  let peers = 0;
  let neverStarted = 0;
  let stalls = 0;
  let playing = 0;
  let stalled = 0;
  let onTime = 0;
  let due = 0;
  let rejoins = 0;
  let onlineMicros = 0;
  let duplicateBytes = 0;
  let redundantBytes = 0;
  const startups: number[] = [];
  const lags: number[] = [];
  for (let peer = 1; peer < qos.joinMicros.length; peer++) {
    const join = qos.joinMicros[peer];
    if (join < 0) continue;
    peers++;
    const leave = qos.leaveMicros[peer] >= 0 ? qos.leaveMicros[peer] : endMicros;
    onlineMicros += leave - join;
    if (qos.startupMicros[peer] >= 0) startups.push(qos.startupMicros[peer]);
    else neverStarted++;
    stalls += qos.stalls[peer];
    playing += qos.playingMicros[peer];
    stalled += qos.stalledMicros[peer];
    onTime += qos.onTime[peer];
    due += qos.onTime[peer] + qos.late[peer] + qos.missed[peer];
    rejoins += qos.rejoins[peer];
    duplicateBytes += qos.duplicateBytes[peer];
    redundantBytes += qos.redundantBytes[peer];
    const watch = qos.playingMicros[peer] + qos.stalledMicros[peer];
    if (watch > 0) lags.push(qos.lagIntegral[peer] / watch);
  }
  const watchMinutes = (playing + stalled) / 60e6;
  const counters = transport.counters;
  const useful = counters.deliveredDataBytes - duplicateBytes - redundantBytes;
  return {
    type: input.entry.type,
    peers,
    startupLatencySeconds: tidyDistribution(distribution(startups), 1e-6),
    neverStarted,
    stallsPerMinute: tidy(watchMinutes > 0 ? stalls / watchMinutes : 0),
    stallRatio: tidy(playing + stalled > 0 ? stalled / (playing + stalled) : 0),
    continuityIndex: tidy(due > 0 ? onTime / due : 0),
    playbackLagSeconds: tidyDistribution(distribution(lags), 1e-6),
    sourceUploadShare: tidy(
      counters.dataBytes > 0 ? counters.sourceDataBytes / counters.dataBytes : 0,
    ),
    overheadRatio: tidy(
      useful > 0 ? (counters.controlBytes + duplicateBytes + redundantBytes) / useful : 0,
    ),
    rejoinsPerPeerHour: tidy(onlineMicros > 0 ? rejoins / (onlineMicros / 3600e6) : 0),
    recoverySeconds: tidyDistribution(distribution(qos.recoveries.values()), 1e-6),
    events: input.events,
    controlBytes: counters.controlBytes,
    dataBytes: counters.dataBytes,
    duplicateBytes,
    droppedMessages: counters.droppedAtSender + counters.droppedInFlight,
    ...Object.fromEntries(
      Object.entries(input.extra).map(([k, v]) => [k, typeof v === "number" ? tidy(v) : v]),
    ),
  };
}
