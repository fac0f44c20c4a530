import type { Transport } from "../network/transport.ts";
import type { StrategyEntry } from "../scenario/scenario.ts";
import { type QosCollector, sessionLagMicros } from "./qos.ts";
import { type Distribution, distribution } from "./stats.ts";

/**
 * A strategy's entry in summary.json. Times in seconds. Every figure counts every session that
 * joined during the run; how a session that never started playback enters each one is stated
 * with it.
 */
export interface StrategySummary {
  type: string;
  /** Peer sessions that joined during the run. */
  peers: number;
  /**
   * Join to first playback, over all sessions: a session that never started counts as
   * +Infinity (it never got the stream), so a statistic that falls among those sessions (and
   * the mean and max as soon as one exists) is null, "not reached": a p95 is null when more
   * than about 5 % of the sessions never started. The empirical CDF of these values plateaus at
   * 1 - neverStartedShare.
   */
  startupLatencySeconds: Distribution;
  /** The same over the sessions that started only (conditional on starting). */
  startupLatencyOfStartedSeconds: Distribution;
  /** Sessions that left (or were still waiting at the end) without ever playing. */
  neverStarted: number;
  /** neverStarted / peers (0 without sessions). */
  neverStartedShare: number;
  /**
   * Seconds spent playing / seconds online, summed over all sessions, never-started ones (which
   * contribute their whole time online and no playing time) included. Startup, stalls and never
   * starting all lower it.
   */
  playingShare: number;
  /** Stall events per minute of watch time (playing plus stalled), over all peers. */
  stallsPerMinute: number;
  /** Stalled time / (stalled + playing time), over all peers. */
  stallRatio: number;
  /**
   * Chunks on time / chunks due, over all sessions. A session that started is due the chunks
   * whose playout deadlines passed while it played (the CoolStreaming definition). A session
   * that never started is owed one chunk per chunk duration it was online beyond the startup
   * buffer, max(0, floor(online / chunkDuration) - startupBufferChunks), none of them on time
   * (or the chunks its player counted as missed, if more), so viewers who never start lower the
   * index instead of vanishing from it.
   */
  continuityIndex: number;
  /**
   * Each session's time-averaged playback lag behind the live edge, over all sessions; a
   * session that never started counts as +Infinity, as in startupLatencySeconds.
   */
  playbackLagSeconds: Distribution;
  /** The same over the sessions that started only. */
  playbackLagOfStartedSeconds: Distribution;
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

/**
 * A per-session time in seconds as peers.csv writes it (9 significant digits), so that
 * quantiles computed from the CSV by the figures equal those in summary.json; +Infinity stays.
 */
function sessionSeconds(micros: number): number {
  return Number.isFinite(micros) ? tidy(micros / 1e6) : micros;
}

/** Inputs of {@link summarize}. */
export interface SummaryInput {
  entry: StrategyEntry;
  qos: QosCollector;
  transport: Transport;
  endMicros: number;
  events: number;
  extra: Record<string, unknown>;
  /** Chunk duration, microseconds. */
  chunkMicros: number;
  /** Chunks of content a player needs before it starts (the startup buffer). */
  startupChunks: number;
}

/** Computes a strategy's summary from its collector and transport counters. */
export function summarize(input: SummaryInput): StrategySummary {
  const { qos, transport, endMicros, chunkMicros, startupChunks } = input;
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
  // Per-session values in seconds, +Infinity for a session that never started.
  const startups: number[] = [];
  const lags: number[] = [];
  for (let peer = 1; peer < qos.joinMicros.length; peer++) {
    const join = qos.joinMicros[peer];
    if (join < 0) continue;
    peers++;
    const leave = qos.leaveMicros[peer] >= 0 ? qos.leaveMicros[peer] : endMicros;
    const online = leave - join;
    onlineMicros += online;
    const started = qos.startupMicros[peer] >= 0;
    startups.push(started ? sessionSeconds(qos.startupMicros[peer]) : Number.POSITIVE_INFINITY);
    lags.push(sessionSeconds(sessionLagMicros(qos, peer)));
    stalls += qos.stalls[peer];
    playing += qos.playingMicros[peer];
    stalled += qos.stalledMicros[peer];
    onTime += qos.onTime[peer];
    const counted = qos.onTime[peer] + qos.late[peer] + qos.missed[peer];
    if (started) {
      due += counted;
    } else {
      neverStarted++;
      const owed = Math.max(0, Math.floor(online / chunkMicros) - startupChunks);
      due += Math.max(owed, counted);
    }
    rejoins += qos.rejoins[peer];
    duplicateBytes += qos.duplicateBytes[peer];
    redundantBytes += qos.redundantBytes[peer];
  }
  const startedOnly = (values: number[]) => values.filter((v) => Number.isFinite(v));
  const watchMinutes = (playing + stalled) / 60e6;
  const counters = transport.counters;
  const useful = counters.deliveredDataBytes - duplicateBytes - redundantBytes;
  return {
    type: input.entry.type,
    peers,
    startupLatencySeconds: tidyDistribution(distribution(startups), 1),
    startupLatencyOfStartedSeconds: tidyDistribution(distribution(startedOnly(startups)), 1),
    neverStarted,
    neverStartedShare: tidy(peers > 0 ? neverStarted / peers : 0),
    playingShare: tidy(onlineMicros > 0 ? playing / onlineMicros : 0),
    stallsPerMinute: tidy(watchMinutes > 0 ? stalls / watchMinutes : 0),
    stallRatio: tidy(playing + stalled > 0 ? stalled / (playing + stalled) : 0),
    continuityIndex: tidy(due > 0 ? onTime / due : 0),
    playbackLagSeconds: tidyDistribution(distribution(lags), 1),
    playbackLagOfStartedSeconds: tidyDistribution(distribution(startedOnly(lags)), 1),
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
