import type { FigureOptions } from "./chart.ts";
import { hasGauge } from "./figures/gaugeHistogram.ts";
import { lagCdf } from "./figures/lagCdf.ts";
import { otherGaugeNames, otherGauges } from "./figures/otherGauges.ts";
import { population } from "./figures/population.ts";
import { qosByClass } from "./figures/qosByClass.ts";
import { sourceLoad } from "./figures/sourceLoad.ts";
import { stalls } from "./figures/stalls.ts";
import { startupCdf } from "./figures/startupCdf.ts";
import { reportedExtras, strategyTimeseries } from "./figures/strategyTimeseries.ts";
import { stripesHeld } from "./figures/stripesHeld.ts";
import { swarmSize } from "./figures/swarmSize.ts";
import { tradeoff } from "./figures/tradeoff.ts";
import { treeDepth } from "./figures/treeDepth.ts";
import type { Results } from "./types.ts";

/*
 * The figure registry: figure names (file names of plots/*.svg) to figure functions.
 * The entry points for the CLI are `plot.ts` (writePlots) and `compare.ts` (compareRuns).
 */

export type { FigureOptions } from "./chart.ts";

/** A figure function: runs in, SVG text out (deterministic). */
export type FigureFunction = (results: Results[], options?: FigureOptions) => string;

/** A registered figure. */
export interface FigureSpec {
  /** File name without `.svg`, also the id in the report. */
  name: string;
  title: string;
  /** One or two sentences for the report's caption. */
  caption: string;
  /** Whether the runs have the data (strategy-specific figures only appear when reported). */
  applies: (results: readonly Results[]) => boolean;
  render: FigureFunction;
}

const always = () => true;

/** Every figure, in report order. */
export const FIGURES: readonly FigureSpec[] = [
  {
    name: "startup-cdf",
    title: "Startup latency",
    caption:
      "CDF of the time from joining to the first frame played, over all peer sessions: a line levels off at the share of sessions that ever started playing (1 − never-started share).",
    applies: always,
    render: startupCdf,
  },
  {
    name: "stalls",
    title: "Stalls per strategy",
    caption:
      "Stalls per minute of viewing and share of viewing time spent stalled, from the run summary; a zero is marked with a 0 (a missing value has no mark). Replicated runs (same scenario and code, several seeds) show the mean with a 95 % confidence interval.",
    applies: always,
    render: stalls,
  },
  {
    name: "population",
    title: "Peers over time",
    caption:
      "Online peers and how many are starting, playing or stalled. Dashed grey lines mark workload events shared by all strategies (flash crowds); ticks along the top mark a strategy's own events (departures of relays with children), taller where there are more. Each strategy has its own colour and marker shape.",
    applies: always,
    render: population,
  },
  {
    name: "lag-cdf",
    title: "Playback lag",
    caption:
      "CDF of each session's mean playback lag behind the live edge, over all peer sessions: a line levels off at the share of sessions that ever played.",
    applies: always,
    render: lagCdf,
  },
  {
    name: "tradeoff",
    title: "Overhead vs continuity",
    caption:
      "The trade-off: overhead ratio against continuity index, one point per strategy (its marker shape as in the legend). Better is right and down. Points that would cover each other are drawn apart around their common position, with a thin line to it; a point whose name finds no free place is known by its marker shape in the legend.",
    applies: always,
    render: tradeoff,
  },
  {
    name: "qos-by-class",
    title: "QoS by upload class",
    caption:
      "Who suffers: stalled time, chunks late or missed, and median startup latency per upload class.",
    applies: always,
    render: qosByClass,
  },
  {
    name: "source-load",
    title: "Source load over time",
    caption: "Upload rate of the source over time.",
    applies: always,
    render: sourceLoad,
  },
  {
    name: "strategy-timeseries",
    title: "Strategy metrics over time",
    caption: "Strategy-specific time series, for the strategies that report them.",
    applies: (results) => reportedExtras(results).length > 0,
    render: strategyTimeseries,
  },
  {
    name: "tree-depth",
    title: "Tree depth at attachment",
    caption: "Depth at which peers attach to the tree, as a share of attachments.",
    applies: (results) => hasGauge(results, "treeDepth"),
    render: treeDepth,
  },
  {
    name: "stripes-held",
    title: "Stripes held per peer",
    caption: "How many stripes peers hold, as a share of observations.",
    applies: (results) => hasGauge(results, "stripesHeld"),
    render: stripesHeld,
  },
  {
    name: "swarm-size",
    title: "Swarm size per slice",
    caption: "Peers in each slice's swarm (mean over observations of that slice).",
    applies: (results) => hasGauge(results, "swarmSize"),
    render: swarmSize,
  },
  {
    name: "other-gauges",
    title: "Other strategy gauges",
    caption:
      "Histograms of the other strategy-specific observations in gauges.csv (e.g. children lost per relay departure); a gauge with a single value throughout is stated in a line instead.",
    applies: (results) => otherGaugeNames(results).length > 0,
    render: otherGauges,
  },
];

/** A rendered figure. */
export interface RenderedFigure {
  spec: FigureSpec;
  svg: string;
}

/** Renders every figure that applies to the runs. */
export function renderFigures(results: Results[], options: FigureOptions = {}): RenderedFigure[] {
  return FIGURES.filter((spec) => spec.applies(results)).map((spec) => ({
    spec,
    svg: spec.render(results, options),
  }));
}
