import { extent, scaleLinear, symbol } from "d3";
import { axisBottom, axisLeft } from "../axes.ts";
import {
  allSeries,
  type FigureOptions,
  FONT,
  figureContext,
  figureFrame,
  INK,
  MUTED,
  POINT_SIZE,
  runPointStyle,
  seriesAttrs,
} from "../chart.ts";
import { type Box, MARKER_RADIUS, placeLabels, spreadCoincident } from "../labelPlacement.ts";
import { el, num, tip, translate, txt } from "../svg.ts";

/** Height of the row above the panel that says which way is better, px. */
const HINT_HEIGHT = 10;
/** Gap between the y axis's lowest value and the x axis, px. */
const FLOOR_INSET = 8;

import type { Results } from "../types.ts";
import { fmt } from "../units.ts";

/**
 * The trade-off: overhead ratio against continuity index, one point per strategy (per run),
 * from the summaries. Better is right (more chunks on time) and down (less overhead).
 */
export function tradeoff(results: Results[], options: FigureOptions = {}): string {
  const ctx = figureContext(results, options);
  const title = "Overhead vs continuity";
  const points = allSeries(ctx)
    .map((s) => {
      const summary = s.run.summary[s.strategy];
      const overhead = summary.overheadRatio;
      return { s, cx: summary.continuityIndex, oy: overhead === null ? null : overhead * 100 };
    })
    .filter((p): p is typeof p & { cx: number; oy: number } => p.cx !== null && p.oy !== null);
  const strategies = ctx.strategies.filter((name) => points.some((p) => p.s.strategy === name));
  // Room above the panel for the hint, so that it never sits on a point.
  const frame = figureFrame(
    ctx,
    "tradeoff",
    title,
    { strategies, swatch: "point" },
    8 + HINT_HEIGHT,
  );
  const top = frame.top;
  if (points.length === 0) return frame.empty("no continuity/overhead values");
  const width = frame.plotWidth;
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
    // The lowest value sits a little above the x axis so that points at zero overhead (the
    // usual case) have room for a label beside them.
    .range([height - FLOOR_INSET, 0]);
  // Markers that would cover each other are spread on a small ring around their common
  // position, with a thin line to it, so that no strategy hides behind another.
  const spread = spreadCoincident(points.map((p) => ({ x: x(p.cx), y: y(p.oy) })));
  // One label per strategy: on its first run's point (later runs are told apart by fill).
  const labelled = points.map(
    (p) =>
      p.s.runIndex === 0 ||
      !points.some((q) => q.s.strategy === p.s.strategy && q.s.runIndex === 0),
  );
  const labelPoints = points
    .map((p, i) => ({ x: spread[i].x, y: spread[i].y, text: p.s.strategy, i }))
    .filter((p) => labelled[p.i]);
  const others: Box[] = points
    .map((_, i) => i)
    .filter((i) => !labelled[i])
    .map((i) => ({
      x: spread[i].x - MARKER_RADIUS,
      y: spread[i].y - MARKER_RADIUS,
      width: 2 * MARKER_RADIUS,
      height: 2 * MARKER_RADIUS,
    }));
  const placed = placeLabels(labelPoints, FONT.note, width, height, others);
  const labelOf = new Map(labelPoints.map((p, k) => [p.i, placed[k]]));
  const marks = points.map(({ s, cx, oy }, i) => {
    const at = spread[i];
    const label = labelOf.get(i);
    const moved = at.group > 1;
    return el(
      "g",
      seriesAttrs(s, "mark point"),
      moved
        ? el("line", {
            class: "spread",
            x1: at.groupX,
            y1: at.groupY,
            x2: at.x,
            y2: at.y,
            stroke: MUTED,
            "stroke-width": 0.8,
          })
        : null,
      el(
        "path",
        {
          transform: translate(at.x, at.y),
          d: symbol(s.symbol, POINT_SIZE).digits(2)()!,
          ...runPointStyle(s.color, s.runIndex),
        },
        tip(
          [
            s.name,
            `continuity index ${fmt(cx)}`,
            `overhead ratio ${fmt(oy / 100)} (${fmt(oy)} %)`,
            moved
              ? `drawn apart from ${at.group - 1} overlapping point(s); the line leads to the common position`
              : "",
          ]
            .filter((line) => line !== "")
            .join("\n"),
        ),
      ),
      label?.leader
        ? el("line", { class: "leader", ...label.leader, stroke: MUTED, "stroke-width": 0.6 })
        : null,
      label
        ? el(
            "text",
            {
              x: label.x,
              y: label.y,
              "text-anchor": label.anchor,
              "font-size": FONT.note,
              fill: INK,
            },
            txt(s.strategy),
          )
        : null,
    );
  });
  const plot = frame.panel(
    top,
    axisLeft(y, width, { label: "overhead (% of useful bytes)", format: (v) => fmt(v) }),
    axisBottom(x, height, { label: "continuity index (fraction of chunks on time)", grid: true }),
    el("path", {
      class: "domain",
      d: `M0,${num(height - FLOOR_INSET)}V${num(height)}`,
      stroke: INK,
    }),
    el(
      "text",
      {
        class: "hint",
        "pointer-events": "none",
        x: width,
        y: -5,
        "text-anchor": "end",
        "font-size": FONT.note,
        fill: MUTED,
      },
      txt("better: right and down"),
    ),
    el("g", { class: "marks" }, marks),
  );
  return frame.document(top + height + 34, [plot]);
}
