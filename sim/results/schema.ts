import { z } from "zod";

/*
 * The result files' one definition. `sim run` builds summary.json and manifest.json with the
 * types inferred here and checks them against these schemas before writing; `sim sweep` does
 * the same for sweep.json and its unit files; the analysis (analysis/readResults.ts) validates
 * what it reads with them; and docs/schema/summary.schema.json, the JSON Schema other tools
 * validate summary.json with, is generated from them (`npm run schema`). The descriptions are
 * part of that JSON Schema, so they document the fields for readers outside this code base.
 */

/** A statistic that may be undefined (no samples) or not reached (null). */
const statistic = z
  .number({ error: (issue) => `expected a number or null, got ${shown(issue.input)}` })
  .nullable();

/** A number of things: a non-negative integer. */
const count = z.int().nonnegative();

/** A share or ratio of a part to its whole, in [0, 1]. */
const share = z.number().min(0).max(1);

/** A non-negative figure (a rate, a ratio that may exceed 1, bytes). */
const amount = z.number().nonnegative();

/**
 * A distribution's summary, in the unit its name states. A statistic is null when it is
 * undefined (no samples) or not reached (it falls among +Infinity samples, such as sessions that
 * never started).
 */
export const distributionSchema = z
  .strictObject({
    mean: statistic.describe("Arithmetic mean; null as soon as one sample is not reached."),
    p50: statistic.describe("Median (R's type-7 quantile, as d3-array, NumPy and R compute it)."),
    p95: statistic.describe("95th percentile (type 7)."),
    p99: statistic.describe("99th percentile (type 7)."),
    max: statistic.describe("Largest sample; null as soon as one sample is not reached."),
  })
  .meta({
    id: "Distribution",
    description:
      "A distribution's summary, {mean, p50, p95, p99, max}, in the unit the figure's name states; null means undefined (no samples) or not reached (among sessions that never started).",
  });

/** See {@link distributionSchema}. */
export type Distribution = z.infer<typeof distributionSchema>;

/** A strategy-specific figure of summary.json: a number or a distribution. */
export const extraFigureSchema = z.union([z.number(), distributionSchema], {
  error: (issue) =>
    `expected a number or a distribution {mean, p50, p95, p99, max}, got ${shown(issue.input)}`,
});

/** See {@link extraFigureSchema}. */
export type ExtraFigure = z.infer<typeof extraFigureSchema>;

/** A mean over replications with the half-width of its 95% Student-t confidence interval. */
export const intervalSchema = z
  .strictObject({
    mean: statistic.describe("Mean over the replications where the metric is defined."),
    halfWidth95: statistic
      .refine((v) => v === null || v >= 0, "expected a half-width of at least 0")
      .describe("Half-width of the 95% Student-t interval; null with fewer than two values."),
    n: count.describe("Replications where the metric is defined."),
  })
  .meta({ id: "Interval", description: "A metric over replications: {mean, halfWidth95, n}." });

/** See {@link intervalSchema}. */
export type Interval = z.infer<typeof intervalSchema>;

/** The difference a - b of one metric between two strategies, paired by replication. */
export const pairedDifferenceSchema = z
  .strictObject({
    a: z.string(),
    b: z.string(),
    metric: z.string().describe("A flattened metric name, such as startupLatencySeconds.p95."),
    mean: statistic.describe("Mean of a - b over the replications where both are defined."),
    halfWidth95: statistic.describe("Half-width of its 95% Student-t interval."),
    n: count.describe("Replications where both strategies have the metric."),
    significant: z.boolean().describe("Whether the interval excludes zero."),
  })
  .meta({
    id: "PairedDifference",
    description: "The difference a - b of one metric, paired by replication (same workload).",
  });

/** See {@link pairedDifferenceSchema}. */
export type PairedDifference = z.infer<typeof pairedDifferenceSchema>;

/**
 * The figures every strategy's entry has. Times in seconds. Every figure counts every session
 * that joined during the run; how a session that never started playback enters each one is
 * stated with it.
 */
const strategyFigures = z.strictObject({
  type: z.string().min(1).describe("The strategy type, such as tree-relay."),
  peers: count.describe("Peer sessions that joined during the run."),
  startupLatencySeconds: distributionSchema.describe(
    "Join to first playback, over all sessions: a session that never started counts as +Infinity, so a statistic that falls among those sessions (and the mean and max as soon as one exists) is null. The empirical CDF plateaus at 1 - neverStartedShare.",
  ),
  startupLatencyOfStartedSeconds: distributionSchema.describe(
    "Join to first playback over the sessions that started only (conditional on starting).",
  ),
  neverStarted: count.describe(
    "Sessions that left (or were still waiting at the end) without ever playing.",
  ),
  neverStartedShare: share.describe("neverStarted / peers (0 without sessions)."),
  playingShare: share.describe(
    "Seconds playing / seconds online, summed over all sessions, never-started ones (their whole time online, no playing time) included.",
  ),
  stallsPerMinute: amount.describe(
    "Stall events per minute of watch time (playing plus stalled), over all peers.",
  ),
  stallRatio: share.describe("Stalled time / (stalled + playing time), over all peers."),
  continuityIndex: share.describe(
    "Chunks on time / chunks due, over all sessions. A session that started is due the chunks whose playout deadlines passed while it played; one that never started is owed max(0, floor(online / chunkDuration) - startupBufferChunks) chunks, none on time.",
  ),
  playbackLagSeconds: distributionSchema.describe(
    "Each session's time-averaged playback lag behind the live edge, over all sessions; a session that never started counts as +Infinity, as in startupLatencySeconds.",
  ),
  playbackLagOfStartedSeconds: distributionSchema.describe(
    "Playback lag over the sessions that started only.",
  ),
  sourceUploadShare: share.describe(
    "Source (server) load: stream bytes the source sent / stream bytes all nodes sent.",
  ),
  overheadRatio: amount.describe(
    "(Control bytes + duplicate stream bytes + FEC redundancy bytes) / useful stream bytes delivered (data delivered - duplicates - redundancy).",
  ),
  rejoinsPerPeerHour: amount.describe("Rejoins (after losing an upstream) per peer-hour online."),
  recoverySeconds: distributionSchema.describe("Orphaned to receiving again, per episode."),
  events: count.describe("Events the engine processed."),
  controlBytes: count.describe("Control bytes all nodes sent."),
  dataBytes: count.describe("Stream (data) bytes all nodes sent."),
  duplicateBytes: count.describe(
    "Stream bytes delivered that the receiver already held (counted in overheadRatio).",
  ),
  droppedMessages: count.describe(
    "Messages dropped at the sender (no uplink capacity, or a backlog over network.maxBacklog) or in flight (an end left).",
  ),
  replications: z
    .int()
    .min(2)
    .optional()
    .describe("With --replications R > 1: R (the other figures are replication 0's)."),
  confidence: z
    .record(z.string(), intervalSchema)
    .optional()
    .describe(
      "With replications: per flattened metric (stallRatio, startupLatencySeconds.p95, ...) its mean over the replications and 95% interval.",
    ),
});

/**
 * Figures added to the summary after its first version: results written before them lack them,
 * and the analysis reads those results too ({@link readableSummarySchema}).
 */
const LATER_FIGURES = {
  startupLatencyOfStartedSeconds: true,
  neverStarted: true,
  neverStartedShare: true,
  playingShare: true,
  playbackLagOfStartedSeconds: true,
  controlBytes: true,
  dataBytes: true,
  duplicateBytes: true,
  droppedMessages: true,
} as const;

/** A strategy's entry in summary.json: the common figures, then strategy-specific ones. */
export const strategySummarySchema = strategyFigures.catchall(extraFigureSchema).meta({
  id: "StrategySummary",
  description:
    "One strategy's figures. Strategy-specific figures (such as client-server's rejectedShare) follow the common ones, each a number or a distribution.",
});

/**
 * A strategy's entry in summary.json (see {@link strategySummarySchema}): the common figures
 * and, by name, strategy-specific ones ({@link ExtraFigure}).
 */
export type StrategySummary = z.infer<typeof strategyFigures> & { [figure: string]: unknown };

/** Strategy name -> summary, in the scenario's order; at least one strategy. */
const strategiesOf = <T extends z.ZodType>(entry: T) =>
  z
    .record(z.string().min(1), entry)
    .refine((strategies) => Object.keys(strategies).length > 0, "expected at least one strategy")
    .meta({ minProperties: 1 });

/** summary.json: one run of a scenario, every strategy on the same workload. */
export const summarySchema = z
  .strictObject({
    scenario: z.string().min(1).describe("The scenario's name."),
    seed: z.int().describe("The root seed of every random stream."),
    durationSeconds: z.number().positive().describe("Simulated time."),
    strategies: strategiesOf(strategySummarySchema).describe(
      "Strategy name -> its figures, in the scenario's order.",
    ),
    replications: z.int().min(2).optional().describe("With --replications R > 1: R."),
    seeds: z.array(z.int()).optional().describe("With replications: each replication's seed."),
    pairedDifferences: z
      .array(pairedDifferenceSchema)
      .optional()
      .describe("With replications: every pair of strategies and metric, a - b."),
  })
  .meta({
    title: "peercast-sim summary.json",
    description:
      "Quality-of-service figures of every strategy of one scenario run (peercast-sim). Byte-identical for the same scenario and seed.",
  });

/** See {@link summarySchema}. */
export type Summary = Omit<z.infer<typeof summarySchema>, "strategies"> & {
  strategies: Record<string, StrategySummary>;
};

/**
 * summary.json as the analysis accepts it: this version's, or an earlier one's that lacks the
 * figures added since ({@link LATER_FIGURES}) or has top-level fields added since.
 */
const readableFigures = strategyFigures.partial(LATER_FIGURES);

/** See {@link readableSummarySchema}. */
export const readableSummarySchema = summarySchema
  .extend({ strategies: strategiesOf(readableFigures.catchall(extraFigureSchema)) })
  .loose();

/** A strategy's entry as the analysis reads it (see {@link readableSummarySchema}). */
export type ReadableStrategySummary = z.infer<typeof readableFigures> & {
  [figure: string]: unknown;
};

/** summary.json as the analysis reads it (see {@link readableSummarySchema}). */
export type ReadableSummary = Omit<Summary, "strategies"> & {
  strategies: Record<string, ReadableStrategySummary>;
};

/** A problem `sim run` found in the scenario and its workload, as manifest.json lists it. */
const warningSchema = z.strictObject({
  field: z.string().describe("The YAML path of the field concerned."),
  line: count.nullable().describe("Its line in the scenario file, when known."),
  problem: z.string(),
});

/** manifest.json: what the run was (reproducible from this) and which files it made. */
export const manifestSchema = z.strictObject({
  seed: z.int().describe("The root seed."),
  version: z.string().describe("peercast-sim's version."),
  gitCommit: z.string().nullable().describe("The commit of the code, when known."),
  scenario: z
    .looseObject({ name: z.string().min(1) })
    .describe("The fully resolved scenario (every default filled in)."),
  strategies: z.array(z.string().min(1)).describe("Strategy names in the scenario's order."),
  sessions: count.describe("Viewer sessions in the workload."),
  warnings: z.array(warningSchema).describe("What the scenario shows cannot work as written."),
  outputs: z
    .array(z.string())
    .describe("The top-level entries of the result directory this run made."),
});

/** See {@link manifestSchema}; the scenario is sim/scenario/scenario.ts's resolved Scenario. */
export type Manifest = Omit<z.infer<typeof manifestSchema>, "scenario"> & {
  scenario: { name: string };
};

/**
 * manifest.json as readers accept it: every field optional (earlier versions wrote fewer), and
 * fields added since kept.
 */
export const readableManifestSchema = manifestSchema.partial().loose();

/** sweep.json: what a sweep directory holds, enough to merge shards and resume. */
export const sweepManifestSchema = z.strictObject({
  name: z.string(),
  fingerprint: z.string().describe("Hash of the sweep file and the code's version."),
  replications: z.int().positive(),
  seeds: z.array(z.int()).describe("Seed of each replication (the same at every grid point)."),
  fields: z.array(z.string()).describe("The swept fields (YAML paths)."),
  points: z.array(z.record(z.string(), z.string())).describe("Each point's values, by field."),
  strategies: z.array(z.string()),
});

/** See {@link sweepManifestSchema}. */
export type SweepManifest = z.infer<typeof sweepManifestSchema>;

/** units/unit-NNNNNNN.json: every strategy of one replication of one grid point. */
export const unitResultSchema = z.strictObject({
  point: count,
  replication: count,
  seed: z.int(),
  summaries: strategiesOf(strategySummarySchema),
});

/** See {@link unitResultSchema}. */
export type UnitResult = Omit<z.infer<typeof unitResultSchema>, "summaries"> & {
  /** Strategy name -> summary, in scenario order. */
  summaries: Record<string, StrategySummary>;
};

/** A committed baseline of the regression gate (results/baselines/*.json, `sim check`). */
export const baselineSchema = z
  .strictObject({
    format: z.literal("peercast-sim baseline 1").describe("Format marker and version."),
    scenario: z.string().min(1).describe("The scenario's name."),
    seed: z.int().describe("The scenario's root seed."),
    replications: z.int().min(2).describe("Replications the values come from."),
    settings: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .optional()
      .describe(
        "Digest of the scenario's resolved settings other than its strategies (duration, stream, source, peers, churn, player, network, on-demand, CDN); absent in older baselines.",
      ),
    strategies: z
      .record(
        z.string().min(1),
        z.strictObject({
          type: z.string().min(1),
          metrics: z
            .record(z.string(), z.array(statistic))
            .describe("Per gate metric, the value of each replication (null: undefined)."),
        }),
      )
      .describe("Strategy -> its type and gate metrics, in the scenario's order."),
  })
  .superRefine((baseline, context) => {
    for (const [name, entry] of Object.entries(baseline.strategies)) {
      for (const [metric, values] of Object.entries(entry.metrics)) {
        if (values.length !== baseline.replications)
          context.addIssue({
            code: "custom",
            path: ["strategies", name, "metrics", metric],
            message: `expected ${baseline.replications} numbers`,
          });
      }
    }
  });

/** See {@link baselineSchema}. */
export type Baseline = z.infer<typeof baselineSchema>;

/** A value as an error message shows it: short, and JSON where that reads well. */
export function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
