import type { NetworkModel } from "../network/transport.ts";
import type { Distribution, ExtraFigure, StrategySummary } from "../results/schema.ts";
import type { StrategyEntry } from "../scenario/scenario.ts";
import { type DueAccounting, sessionChunks } from "./chunksDue.ts";
import { type QosCollector, sessionLagMicros } from "./qos.ts";
import { distribution } from "./statistics.ts";

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
  transport: NetworkModel;
  events: number;
  /** Strategy-specific figures (see {@link ExtraFigure}); numbers are rounded by {@link tidy}. */
  extra: Record<string, ExtraFigure>;
  /** The run's end and chunking, to count the chunks each session was due. */
  accounting: DueAccounting;
}

/**
 * Computes a strategy's summary (its entry in summary.json, whose fields the schema in
 * sim/results/schema.ts describes) from its collector and transport counters.
 */
export function summarize(input: SummaryInput): StrategySummary {
  const { qos, transport, accounting } = input;
  const { endMicros } = accounting;
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
    const chunks = sessionChunks(qos, peer, accounting);
    onTime += chunks.onTime;
    due += chunks.onTime + chunks.late + chunks.missed;
    if (!started) neverStarted++;
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
