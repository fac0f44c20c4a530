import { line, max, scaleLinear } from "d3";
import { mean } from "../../sim/metrics/statistics.ts";
import { axisBottom, axisLeft } from "../axes.ts";
import {
  allSeries,
  type FigureOptions,
  figureContext,
  figureFrame,
  marker,
  seriesAttrs,
} from "../chart.ts";
import { el, tip } from "../svg.ts";
import type { Results } from "../types.ts";
import { fmt } from "../units.ts";

/**
 * Swarm size per slice (gauge `swarmSize`, `peer` = slice index): peers in each slice's swarm,
 * averaged when a slice was observed more than once.
 */
export function swarmSize(results: Results[], options: FigureOptions = {}): string {
  const ctx = figureContext(results, options);
  const title = "Swarm size per slice";
  const data = allSeries(ctx)
    .map((s) => {
      const bySlice = new Map<number, number[]>();
      for (const g of s.run.gauges) {
        if (g.strategy !== s.strategy || g.name !== "swarmSize" || g.peer === null) continue;
        const list = bySlice.get(g.peer);
        if (list) list.push(g.value);
        else bySlice.set(g.peer, [g.value]);
      }
      const points = [...bySlice.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([slice, values]) => ({
          slice,
          mean: mean(values)!,
          max: Math.max(...values),
          n: values.length,
        }));
      return { s, points };
    })
    .filter((d) => d.points.length > 0);
  const strategies = [...new Set(data.map((d) => d.s.strategy))];
  const frame = figureFrame(ctx, "swarm-size", title, { strategies, swatch: "line" }, 8);
  const top = frame.top;
  if (data.length === 0) return frame.empty("no swarmSize observations");
  const width = frame.plotWidth;
  const height = 150;
  const sMin = Math.min(...data.flatMap((d) => d.points.map((p) => p.slice)));
  const sMax = Math.max(...data.flatMap((d) => d.points.map((p) => p.slice)));
  const x = scaleLinear()
    .domain([sMin, sMax > sMin ? sMax : sMin + 1])
    .range([0, width]);
  const y = scaleLinear()
    .domain([0, max(data, (d) => max(d.points, (p) => p.mean)) || 1])
    .nice(5)
    .range([height, 0]);
  const path = line<{ slice: number; mean: number }>()
    .x((p) => x(p.slice))
    .y((p) => y(p.mean))
    .digits(2);
  const marks = data.map(({ s, points }) =>
    el(
      "g",
      seriesAttrs(s, "mark series"),
      el("path", {
        d: path(points),
        fill: "none",
        stroke: s.color,
        "stroke-width": 1.4,
        "stroke-dasharray": s.dash,
      }),
      points.map((p) =>
        el(
          "g",
          { class: "point" },
          marker(s.symbol, x(p.slice), y(p.mean), s.color),
          tip(
            `${s.name}\nslice ${p.slice}: ${fmt(p.mean)} peers${p.n > 1 ? ` (mean of ${p.n}, max ${fmt(p.max)})` : ""}`,
          ),
        ),
      ),
    ),
  );
  const plot = frame.panel(
    top,
    axisLeft(y, width, { label: "swarm size (peers)", format: (v) => fmt(v) }),
    axisBottom(x, height, { label: "slice (index)", integer: true }),
    el("g", { class: "marks" }, marks),
  );
  return frame.document(top + height + 34, [plot]);
}
