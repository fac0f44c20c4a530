import { extent, scaleLinear, symbol } from "d3";
import { axisBottom, axisLeft } from "../axes.ts";
import {
  allSeries,
  type FigureContext,
  type FigureOptions,
  FONT,
  figureContext,
  header,
  INK,
  legend,
  MARGIN,
  MUTED,
  noData,
  panelGroup,
  seriesAttrs,
  svgDocument,
} from "../chart.ts";
import { runSymbol } from "../colors.ts";
import { el, textWidth, tip, translate, txt } from "../svg.ts";
import type { Results } from "../types.ts";
import { fmt } from "../units.ts";

/**
 * The trade-off: overhead ratio against continuity index, one point per strategy (per run),
 * from the summaries. Better is right (more chunks on time) and down (less overhead).
 */
export function tradeoff(results: Results[], options: FigureOptions = {}): string {
  const ctx: FigureContext = figureContext(results, options);
  const title = "Overhead vs continuity";
  const points = allSeries(ctx)
    .map((s) => {
      const summary = s.run.summary[s.strategy];
      const overhead = summary.overheadRatio;
      return { s, cx: summary.continuityIndex, oy: overhead === null ? null : overhead * 100 };
    })
    .filter((p): p is typeof p & { cx: number; oy: number } => p.cx !== null && p.oy !== null);
  const head = header(ctx, title);
  const strategies = ctx.strategies.filter((name) => points.some((p) => p.s.strategy === name));
  const leg = legend(ctx, strategies, "point", head.height);
  const top = head.height + leg.height + 8;
  if (points.length === 0) {
    return svgDocument(ctx, "tradeoff", title, top + 60, [
      head.svg,
      leg.svg,
      noData(ctx, top, "no continuity/overhead values"),
    ]);
  }
  const width = ctx.width - MARGIN.left - MARGIN.right;
  const height = 170;
  const [cMin, cMax] = extent(points, (p) => p.cx) as [number, number];
  const pad = Math.max((cMax - cMin) * 0.15, 0.005);
  const x = scaleLinear()
    .domain([Math.max(0, cMin - pad), Math.min(1, cMax + pad)])
    .nice(Math.max(2, Math.round(width / 55)))
    .range([0, width]);
  const [oMin, oMax] = extent(points, (p) => p.oy) as [number, number];
  const y = scaleLinear()
    .domain([Math.min(0, oMin), oMax > 0 ? oMax * 1.1 : 1])
    .nice(Math.max(2, Math.round(height / 28)))
    .range([height, 0]);
  const marks = points.map(({ s, cx, oy }) => {
    const px = x(cx);
    const py = y(oy);
    const labelled =
      s.runIndex === 0 || !points.some((p) => p.s.strategy === s.strategy && p.s.runIndex === 0);
    const labelRight = px + 7 + textWidth(s.strategy, FONT.note) <= width;
    return el(
      "g",
      seriesAttrs(s, "mark point"),
      el(
        "path",
        {
          transform: translate(px, py),
          d: symbol(runSymbol(s.runIndex), 42).digits(2)()!,
          fill: s.color,
          "fill-opacity": s.runIndex === 0 ? 0.95 : 0.5,
          stroke: s.color,
          "stroke-width": 1,
        },
        tip(
          `${s.name}\ncontinuity index ${fmt(cx)}\noverhead ratio ${fmt(oy / 100)} (${fmt(oy)} %)`,
        ),
      ),
      labelled
        ? el(
            "text",
            {
              x: labelRight ? px + 7 : px - 7,
              y: py - 5,
              "text-anchor": labelRight ? "start" : "end",
              "font-size": FONT.note,
              fill: INK,
            },
            txt(s.strategy),
          )
        : null,
    );
  });
  const plot = panelGroup(
    MARGIN.left,
    top,
    axisLeft(y, width, { label: "overhead (% of useful bytes)", format: (v) => fmt(v) }),
    axisBottom(x, height, { label: "continuity index (fraction of chunks on time)", grid: true }),
    el(
      "text",
      { class: "hint", "pointer-events": "none", x: 4, y: 10, "font-size": FONT.note, fill: MUTED },
      txt("better: right and down ↘"),
    ),
    el("g", { class: "marks" }, marks),
  );
  return svgDocument(ctx, "tradeoff", title, top + height + 34, [head.svg, leg.svg, plot]);
}
