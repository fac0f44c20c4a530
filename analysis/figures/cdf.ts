import { curveStepAfter, line, scaleLinear, scaleLog } from "d3";
import { quantileSorted as quantile, sortedFinite } from "../../sim/metrics/statistics.ts";
import { axisBottom, axisLeft } from "../axes.ts";
import {
  allSeries,
  type FigureOptions,
  figureContext,
  figureFrame,
  type Series,
  seriesAttrs,
} from "../chart.ts";
import { ecdfPoints } from "../ecdf.ts";
import { lineMarkers } from "../lineMarkers.ts";
import { el, tip } from "../svg.ts";
import type { PeerRow, Results } from "../types.ts";
import { fmt } from "../units.ts";

/** What a CDF figure plots: one value per peer session, null when there is none. */
export interface CdfSpec {
  name: string;
  title: string;
  /** Axis label with unit. */
  xLabel: string;
  unit: string;
  value: (peer: PeerRow) => number | null;
  /** Wording for sessions without a value, e.g. "never started". */
  missing: string;
}

/**
 * An empirical CDF over all peer sessions, one step line per strategy (per run). Sessions
 * without a value (a viewer who never started playing has no startup latency and no lag) count
 * in the denominator, so a line levels off at 1 − (share without a value) instead of hiding
 * them: a strategy that leaves most viewers waiting cannot look good.
 */
export function cdfFigure(spec: CdfSpec, results: Results[], options: FigureOptions): string {
  const ctx = figureContext(results, options);
  const data = allSeries(ctx).map((s) => {
    const peers = s.run.peers.filter((p) => p.strategy === s.strategy);
    return { s, total: peers.length, values: sortedFinite(peers.map(spec.value)) };
  });
  const shown = data.filter((d) => d.values.length > 0);
  const frame = figureFrame(
    ctx,
    spec.name,
    spec.title,
    {
      strategies: ctx.strategies.filter((name) => shown.some((d) => d.s.strategy === name)),
      swatch: "line",
    },
    6,
  );
  const top = frame.top;
  if (shown.length === 0) return frame.empty(`no ${spec.title.toLowerCase()} samples`);
  const width = frame.plotWidth;
  const height = 150;
  const pooled = sortedFinite(shown.flatMap((d) => d.values));
  const log = useLogScale(pooled);
  const xMax = pooled[pooled.length - 1];
  const x = log
    ? scaleLog()
        .domain([pooled.find((v) => v > 0)!, xMax])
        .nice()
        .clamp(true)
        .range([0, width])
    : scaleLinear()
        .domain([Math.min(0, pooled[0]), xMax > 0 ? xMax : 1])
        .nice(Math.max(2, Math.round(width / 55)))
        .range([0, width]);
  const y = scaleLinear().domain([0, 1]).range([height, 0]);
  const path = line<[number, number]>()
    .x((p) => x(p[0]))
    .y((p) => y(p[1]))
    .curve(curveStepAfter)
    .digits(2);
  const marks = shown.map(({ s, total, values }) => {
    const corners = thin(ecdfPoints(values, x.domain()[0], x.domain()[1], total), x);
    const vertices: [number, number][] = [];
    corners.forEach(([cx, cy], i) => {
      if (i > 0) vertices.push([x(cx), y(corners[i - 1][1])]);
      vertices.push([x(cx), y(cy)]);
    });
    return [
      el(
        "path",
        {
          ...seriesAttrs(s, "mark line"),
          d: path(corners),
          fill: "none",
          stroke: s.color,
          "stroke-width": 1.6,
          "stroke-dasharray": s.dash,
          "stroke-linejoin": "round",
        },
        tip(describe(spec, s, total, values)),
      ),
      lineMarkers(s, vertices, ctx.strategies.length, ctx.results.length),
    ];
  });
  const plot = frame.panel(
    top,
    axisLeft(y, width, { label: "fraction of sessions (0–1)", format: (v) => fmt(v) }),
    axisBottom(x, height, {
      label: log ? spec.xLabel.replace(/\)$/, ", log scale)") : spec.xLabel,
      format: log ? (v) => fmt(v) : undefined,
    }),
    el("g", { class: "marks" }, marks),
  );
  return frame.document(top + height + 34, [plot]);
}

/**
 * A log x axis when the samples span orders of magnitude with a long tail (a few peers waiting
 * minutes while most start in seconds would otherwise squash every curve against the y axis).
 */
export function useLogScale(sorted: readonly number[]): boolean {
  const positive = sorted.filter((v) => v > 0);
  if (positive.length < 2) return false;
  const hi = positive[positive.length - 1];
  const median = quantile(sorted, 0.5) ?? 0;
  return median > 0 && hi / median > 10 && hi / positive[0] >= 30;
}

/** Merges ECDF corners less than half a pixel apart (large runs have thousands of samples). */
function thin(points: [number, number][], x: (v: number) => number): [number, number][] {
  const out: [number, number][] = [];
  for (const [px, py] of points) {
    const last = out[out.length - 1];
    if (out.length > 1 && Math.abs(x(px) - x(last[0])) < 0.5) last[1] = py;
    else out.push([px, py]);
  }
  return out;
}

function describe(spec: CdfSpec, s: Series, total: number, values: number[]): string {
  const u = spec.unit;
  const lines = [
    s.name,
    `${values.length} of ${total} sessions have a value`,
    `of those: median ${fmt(quantile(values, 0.5))} ${u}, p95 ${fmt(quantile(values, 0.95))} ${u}, max ${fmt(values[values.length - 1])} ${u}`,
  ];
  if (values.length < total) {
    lines.push(
      `${total - values.length} ${spec.missing} (${fmt(((total - values.length) / total) * 100)} %): the line levels off at ${fmt(values.length / total)}`,
    );
  }
  return lines.join("\n");
}
