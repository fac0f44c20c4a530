import { scaleLinear, scalePoint } from "d3";
import type { PointStatistics } from "../sim/experiments/tables.ts";
import { FONT, FONT_FAMILY, GRID, INK, MUTED } from "./chart.ts";
import { runDash, strategyColor } from "./colors.ts";
import { el, fitText, num, tip, translate, txt } from "./svg.ts";

/** The metrics drawn against each swept field (others are in points.csv). */
export const SWEEP_FIGURE_METRICS = [
  "startupLatencySeconds.p50",
  "startupLatencySeconds.p95",
  "stallsPerMinute",
  "stallRatio",
  "continuityIndex",
  "neverStartedShare",
  "playingShare",
  "overheadRatio",
];

const WIDTH = 640;
const HEIGHT = 360;
const PLOT = { left: 60, right: 190, top: 34, bottom: 44 };

/** A file-name-safe version of a YAML path or metric name. */
export function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** One line of a sweep figure: a strategy at fixed values of the other swept fields. */
interface Line {
  label: string;
  strategy: string;
  dash: string | null;
  points: { x: string; mean: number; halfWidth: number | null }[];
}

function lines(
  field: string,
  fields: readonly string[],
  metric: string,
  stats: readonly PointStatistics[],
): Line[] {
  const others = fields.filter((f) => f !== field);
  const byKey = new Map<string, Line>();
  const combos: string[] = [];
  for (const s of stats) {
    const i = s.intervals[metric];
    if (!i || i.mean === null) continue;
    const combo = others.map((f) => `${f}=${s.point[f]}`).join(", ");
    if (!combos.includes(combo)) combos.push(combo);
    const key = `${s.strategy}\n${combo}`;
    let line = byKey.get(key);
    if (!line) {
      line = {
        label: combo === "" ? s.strategy : `${s.strategy} (${combo})`,
        strategy: s.strategy,
        dash: runDash(combos.indexOf(combo)),
        points: [],
      };
      byKey.set(key, line);
    }
    line.points.push({ x: s.point[field], mean: i.mean, halfWidth: i.halfWidth95 });
  }
  return [...byKey.values()];
}

/**
 * One figure per metric and swept field: the metric's mean over the replications against the
 * field's values (in the sweep file's order), one line per strategy (and per combination of the
 * other swept fields, dashed differently), with the 95% confidence interval as a band.
 * Deterministic SVG text, keyed by file name (`plots/<metric>-vs-<field>.svg`).
 */
export function sweepFigures(
  fields: readonly string[],
  values: Record<string, readonly string[]>,
  stats: readonly PointStatistics[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const metric of SWEEP_FIGURE_METRICS) {
    if (!stats.some((s) => s.intervals[metric]?.mean !== null && s.intervals[metric] !== undefined))
      continue;
    for (const field of fields) {
      const drawn = lines(field, fields, metric, stats);
      const x = scalePoint<string>()
        .domain(values[field])
        .range([PLOT.left, WIDTH - PLOT.right])
        .padding(0.3);
      const extent = drawn.flatMap((l) =>
        l.points.flatMap((p) => [p.mean - (p.halfWidth ?? 0), p.mean + (p.halfWidth ?? 0)]),
      );
      const y = scaleLinear()
        .domain([Math.min(0, ...extent), Math.max(...extent, 1e-9)])
        .nice()
        .range([HEIGHT - PLOT.bottom, PLOT.top]);
      const title = `${metric} against ${field}`;
      const parts = [
        el("rect", { width: WIDTH, height: HEIGHT, fill: "#ffffff" }),
        el(
          "text",
          { x: 8, y: 16, "font-size": FONT.title, "font-weight": "bold", fill: INK },
          txt(title),
        ),
        el(
          "text",
          { x: 8, y: 28, "font-size": FONT.subtitle, fill: MUTED },
          txt("mean over replications; band: 95% confidence interval"),
        ),
        ...y.ticks(5).map((t) =>
          el(
            "g",
            { transform: translate(0, y(t)) },
            el("line", { x1: PLOT.left, x2: WIDTH - PLOT.right, stroke: GRID }),
            el(
              "text",
              {
                x: PLOT.left - 6,
                dy: 3,
                "text-anchor": "end",
                "font-size": FONT.tick,
                fill: INK,
              },
              txt(String(t)),
            ),
          ),
        ),
        ...values[field].map((v) =>
          el(
            "text",
            {
              x: x(v) ?? 0,
              y: HEIGHT - PLOT.bottom + 14,
              "text-anchor": "middle",
              "font-size": FONT.tick,
              fill: INK,
            },
            txt(v),
          ),
        ),
        el(
          "text",
          {
            x: (PLOT.left + WIDTH - PLOT.right) / 2,
            y: HEIGHT - 8,
            "text-anchor": "middle",
            "font-size": FONT.label,
            fill: INK,
          },
          txt(field),
        ),
        ...drawn.map((line, index) => {
          const color = strategyColor(line.strategy);
          const pts = line.points.map((p) => ({ ...p, px: x(p.x) ?? 0 }));
          const band = pts.every((p) => p.halfWidth !== null)
            ? `M${pts.map((p) => `${num(p.px)},${num(y(p.mean + p.halfWidth!))}`).join("L")}L${[
                ...pts,
              ]
                .reverse()
                .map((p) => `${num(p.px)},${num(y(p.mean - p.halfWidth!))}`)
                .join("L")}Z`
            : null;
          return el(
            "g",
            { class: "series", "data-series": line.label },
            tip(line.label),
            band
              ? el("path", { d: band, fill: color, "fill-opacity": 0.15, stroke: "none" })
              : null,
            el("path", {
              d: `M${pts.map((p) => `${num(p.px)},${num(y(p.mean))}`).join("L")}`,
              fill: "none",
              stroke: color,
              "stroke-width": 1.5,
              "stroke-dasharray": line.dash,
            }),
            ...pts.map((p) =>
              el(
                "circle",
                { cx: p.px, cy: y(p.mean), r: 2.5, fill: color },
                tip(`${line.label}: ${p.x} -> ${p.mean}`),
              ),
            ),
            el(
              "text",
              {
                x: WIDTH - PLOT.right + 10,
                y: PLOT.top + 12 + index * 14,
                "font-size": FONT.legend,
                fill: color,
              },
              txt(fitText(line.label, FONT.legend, PLOT.right - 14)),
            ),
          );
        }),
      ];
      out.set(
        `plots/${slug(metric)}-vs-${slug(field)}.svg`,
        `${el(
          "svg",
          {
            xmlns: "http://www.w3.org/2000/svg",
            width: WIDTH,
            height: HEIGHT,
            viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
            "font-family": FONT_FAMILY,
          },
          parts,
        )}\n`,
      );
    }
  }
  return out;
}
