import { CdnAssist, EdgeLatency, withEdgeCapacities } from "../cdn/cdnAssist.ts";
import { RandomStreams } from "../engine/random.ts";
import { Simulator } from "../engine/simulator.ts";
import type { DueAccounting } from "../metrics/chunksDue.ts";
import { PlayerState, Probe, type RunListener } from "../metrics/probe.ts";
import { QosCollector } from "../metrics/qos.ts";
import { summarize } from "../metrics/summary.ts";
import { UplinkMeter } from "../network/linkMeter.ts";
import { createNetworkModel } from "../network/models.ts";
import { type NetworkModel, Traffic } from "../network/transport.ts";
import { onDemandRun } from "../ondemand/onDemandRun.ts";
import { SeekDriver } from "../ondemand/seekDriver.ts";
import { SeekMetrics } from "../ondemand/seekMetrics.ts";
import { Players } from "../player/player.ts";
import type { StrategySummary } from "../results/schema.ts";
import type { Scenario, StrategyEntry } from "../scenario/scenario.ts";
import { secondsToMicros } from "../scenario/units.ts";
import { STRATEGIES } from "../strategies/index.ts";
import type { StrategyContext, StreamInfo } from "../strategies/types.ts";
import type { Workload } from "../workload/workload.ts";

/** One row of timeseries.csv. */
export interface TimeseriesRow {
  timeSeconds: number;
  population: number;
  starting: number;
  playing: number;
  stalled: number;
  /** Mean playback lag of playing and stalled peers; null when there are none. */
  meanLagSeconds: number | null;
  /** Stream bytes the source sent over the last interval (counted as they leave its uplink), bits/s. */
  sourceUploadBitsPerSecond: number;
  /** Strategy-specific columns. */
  extra: Record<string, number>;
}

/** One strategy-specific observation (gauges.csv). */
export interface GaugeRow {
  name: string;
  timeSeconds: number;
  peer: number;
  value: number;
}

/** Everything one strategy run produced. */
export interface StrategyRun {
  entry: StrategyEntry;
  summary: StrategySummary;
  qos: QosCollector;
  transport: NetworkModel;
  /** How the chunks each session was due are counted (peers.csv counts them as the summary). */
  accounting: DueAccounting;
  timeseries: TimeseriesRow[];
  gauges: GaugeRow[];
  events: number;
}

/** Hooks for callers: extra listeners (tests, traces) and a progress callback. */
export interface RunHooks {
  /** Listeners added to the run's probe beside the metrics. */
  listeners?: RunListener[];
  /** Called with the simulated fraction done (0..1), at most every metrics interval. */
  onProgress?: (fraction: number) => void;
  /** Called with the context before the strategy starts (tests use it to observe). */
  onContext?: (context: StrategyContext) => void;
}

/** Most gauge observations kept per run (a limit: gauges are for figures, not a trace). */
const MAX_GAUGES = 200_000;

/** Stream parameters in engine units. */
export function streamInfo(scenario: Scenario): StreamInfo {
  const chunkMicros = secondsToMicros(scenario.stream.chunkSeconds);
  const durationMicros = secondsToMicros(scenario.durationSeconds);
  return {
    bitrateBitsPerSecond: scenario.stream.bitrateBitsPerSecond,
    chunkMicros,
    chunkBytes: Math.ceil(
      (scenario.stream.bitrateBitsPerSecond * scenario.stream.chunkSeconds) / 8,
    ),
    chunkCount: Math.floor(durationMicros / chunkMicros),
    durationMicros,
  };
}

/**
 * Runs one strategy of a scenario on the shared workload, from an empty network at time 0 to
 * the scenario's duration, and gathers its metrics.
 */
export function runStrategy(
  scenario: Scenario,
  workload: Workload,
  entry: StrategyEntry,
  hooks: RunHooks = {},
): StrategyRun {
  const definition = STRATEGIES.get(entry.type);
  if (!definition) throw new Error(`unknown strategy type '${entry.type}'`);
  const stream = streamInfo(scenario);
  const onDemand = scenario.onDemand ? onDemandRun(scenario, workload) : undefined;
  if (onDemand) stream.chunkCount = onDemand.videoChunks;
  const nodes = workload.size + 1;
  const sim = new Simulator();
  const probe = new Probe();
  const qos = new QosCollector(nodes);
  probe.add(qos);
  const seekMetrics = onDemand ? new SeekMetrics(nodes) : undefined;
  if (seekMetrics) probe.add(seekMetrics);
  const gauges: GaugeRow[] = [];
  probe.add({
    onGauge(name, peer, timeMicros, value) {
      if (gauges.length < MAX_GAUGES)
        gauges.push({ name, timeSeconds: timeMicros / 1e6, peer, value });
    },
  });
  for (const listener of hooks.listeners ?? []) probe.add(listener);
  // With a CDN, its edge servers are nodes after the peers, with their own capacity and latency.
  const cdnOptions = scenario.cdn;
  const transport = createNetworkModel({
    sim,
    latency: cdnOptions
      ? new EdgeLatency(workload.latency, nodes, secondsToMicros(cdnOptions.latencySeconds))
      : workload.latency,
    upload: cdnOptions
      ? withEdgeCapacities(workload.uploadBitsPerSecond, cdnOptions)
      : workload.uploadBitsPerSecond,
    download: cdnOptions
      ? withEdgeCapacities(workload.downloadBitsPerSecond, cdnOptions)
      : workload.downloadBitsPerSecond,
    options: scenario.network,
    horizonMicros: stream.durationMicros,
  });
  // Source load per metrics interval, counted as the bytes leave the source's uplink (an
  // observer of the transport).
  const intervalMicros = secondsToMicros(scenario.metrics.intervalSeconds);
  const sourceMeter = new UplinkMeter(
    0,
    Traffic.Data,
    (type) => transport.trafficOf(type),
    intervalMicros,
    Math.ceil(stream.durationMicros / intervalMicros),
  );
  transport.observe(sourceMeter);
  const memorySeconds = definition.memorySeconds?.(entry.options) ?? 0;
  const memoryChunks = Math.ceil(memorySeconds / scenario.stream.chunkSeconds);
  const players = new Players(
    sim,
    probe,
    scenario.player,
    stream.chunkMicros,
    nodes,
    2 * (memoryChunks + (onDemand?.prefetchChunks ?? 0)) + 64,
  );
  // Each strategy draws from its own stream, so workloads match across strategies.
  const streams = new RandomStreams(scenario.seed);
  const context: StrategyContext = {
    sim,
    transport,
    players,
    probe,
    random: streams.stream(`strategy/${entry.name}`),
    stream,
    workload,
    detectionDelayMicros: secondsToMicros(scenario.churn.detectionDelaySeconds),
    nodes,
    ...(onDemand ? { onDemand } : {}),
  };
  hooks.onContext?.(context);
  const create = onDemand ? definition.createOnDemand : definition.create;
  if (!create) throw new Error(`${entry.type} does not support stream.mode: on-demand`);
  const strategy = create(context, entry.options);
  if (onDemand) players.setEndChunk(onDemand.videoChunks);
  const cdn = cdnOptions
    ? new CdnAssist(
        {
          sim,
          transport,
          players,
          probe,
          stream,
          firstEdge: nodes,
          onDemand: onDemand !== undefined,
        },
        cdnOptions,
        nodes,
      )
    : undefined;
  const seeks = onDemand
    ? new SeekDriver(sim, players, strategy, workload, onDemand, stream.chunkMicros, (peer) =>
        cdn?.seek(peer),
      )
    : undefined;

  // Churn: one pending join at a time (the workload is sorted by join time); each join
  // schedules its own leave when that falls inside the run.
  const end = stream.durationMicros;
  let nextSession = 0;
  const leaveKind = sim.register("churn/leave", ["peer"], (peer) => {
    const abrupt = workload.abrupt[peer - 1] === 1;
    strategy.leave(peer, abrupt);
    transport.nodeDown(peer, abrupt);
    players.leave(peer);
  });
  const joinKind = sim.register("churn/join", ["peer"], (peer) => {
    probe.emitJoin(peer, sim.nowMicros);
    players.join(peer);
    strategy.join(peer);
    cdn?.join(peer);
    seeks?.join(peer);
    const leave = workload.leaveMicros[peer - 1];
    if (leave <= end) sim.at(leave, leaveKind, peer);
    nextSession++;
    if (nextSession < workload.size)
      sim.at(workload.joinMicros[nextSession], joinKind, nextSession + 1);
  });
  if (workload.size > 0) sim.at(workload.joinMicros[0], joinKind, 1);

  // Sampling for timeseries.csv (an observer: it reads counters, changes nothing).
  const timeseries: TimeseriesRow[] = [];
  const sampleKind = sim.register("metrics/sample", [], () => {
    const now = sim.nowMicros;
    const counts = qos.stateCounts;
    const lag = qos.meanWatchingLag(now);
    const interval = Math.ceil(now / intervalMicros) - 1;
    timeseries.push({
      timeSeconds: now / 1e6,
      population:
        counts[PlayerState.Starting] + counts[PlayerState.Playing] + counts[PlayerState.Stalled],
      starting: counts[PlayerState.Starting],
      playing: counts[PlayerState.Playing],
      stalled: counts[PlayerState.Stalled],
      meanLagSeconds: Number.isNaN(lag) ? null : lag / 1e6,
      sourceUploadBitsPerSecond: (sourceMeter.bytes[interval] * 8 * 1e6) / intervalMicros,
      extra: { ...strategy.sample?.(), ...cdn?.sample() },
    });
    hooks.onProgress?.(now / end);
    if (now + intervalMicros <= end) sim.after(intervalMicros, sampleKind);
  });
  sim.at(Math.min(intervalMicros, end), sampleKind);

  strategy.start();
  sim.run({ untilMicros: end, maxEvents: scenario.limits.maxEvents });
  players.finish();
  transport.finish();
  qos.finish(end);
  const accounting: DueAccounting = {
    endMicros: end,
    chunkMicros: stream.chunkMicros,
    startupChunks: players.startupChunks,
  };
  const summary = summarize({
    entry,
    qos,
    transport,
    events: sim.eventsProcessed,
    extra: { ...strategy.summary?.(), ...cdn?.summary(), ...seekMetrics?.summary(end) },
    accounting,
  });
  return {
    entry,
    summary,
    qos,
    transport,
    accounting,
    timeseries,
    gauges,
    events: sim.eventsProcessed,
  };
}
