import type { ScaleBand, ScaleLinear, ScaleLogarithmic } from "d3";
import { FONT, GRID, INK, MARGIN } from "./chart.ts";
import { el, num, textWidth, translate, txt } from "./svg.ts";

/*
 * Axes drawn as plain SVG from d3 scales (d3-axis needs a DOM; these follow its look: a domain
 * line, 4 px ticks, labels from scale.tickFormat). Coordinates are panel-local: the panel is
 * `width` x `height` with the x axis along its bottom edge. Each axis group carries its domain
 * in `data-domain` so tests can check it covers the data.
 */

export interface LinearAxisOptions {
  /** Axis title with units, e.g. "startup latency (s)". */
  label?: string;
  ticks?: number;
  /** Only integer ticks (counts). */
  integer?: boolean;
  /** Format tick values; default scale.tickFormat. */
  format?: (value: number) => string;
  /** Hide tick labels (stacked panels sharing an x axis). */
  hideLabels?: boolean;
  /** Draw light grid lines across the panel. */
  grid?: boolean;
}

/** The continuous scales the axes draw. */
export type NumericScale = ScaleLinear<number, number> | ScaleLogarithmic<number, number>;

function isLog(scale: NumericScale): scale is ScaleLogarithmic<number, number> {
  return "base" in scale;
}

function tickValues(scale: NumericScale, count: number, integer: boolean) {
  const ticks = scale.ticks(count);
  return integer ? ticks.filter((t) => Number.isInteger(t)) : ticks;
}

/**
 * Tick label formatter. On a log scale only 1, 2 and 5 times powers of ten are labelled (the
 * other ticks stay as unlabelled marks), or only powers of ten when they are many.
 */
function tickFormat(scale: NumericScale, count: number, format?: (v: number) => string) {
  if (!isLog(scale)) return format ?? scale.tickFormat(count);
  const [lo, hi] = scale.domain();
  const decades = Math.log10(hi / lo);
  const label = format ?? ((v: number) => String(v));
  return (v: number) => {
    const mantissa = Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9));
    const keep = decades > 3 ? mantissa === 1 : mantissa === 1 || mantissa === 2 || mantissa === 5;
    return keep ? label(v) : "";
  };
}

function domainAttr(scale: NumericScale): string {
  const [a, b] = scale.domain();
  return `${num(a)},${num(b)}`;
}

/** Bottom x axis of a panel `height` tall. */
export function axisBottom(
  scale: NumericScale,
  height: number,
  options: LinearAxisOptions = {},
): string {
  const count =
    options.ticks ?? Math.max(2, Math.round((scale.range()[1] - scale.range()[0]) / 55));
  const ticks = tickValues(scale, count, options.integer ?? false);
  const format = tickFormat(scale, count, options.format);
  const [r0, r1] = scale.range();
  const grid = options.grid
    ? ticks.map((t) => el("line", { x1: scale(t), x2: scale(t), y1: 0, y2: height, stroke: GRID }))
    : [];
  return el(
    "g",
    { class: "axis x", "data-domain": domainAttr(scale), "font-size": FONT.tick, fill: INK },
    el("g", { class: "grid" }, grid),
    el("path", { class: "domain", d: `M${num(r0)},${num(height)}H${num(r1)}`, stroke: INK }),
    ticks.map((t) =>
      el(
        "g",
        { class: "tick", transform: translate(scale(t), height) },
        el("line", { y2: 4, stroke: INK }),
        options.hideLabels ? null : el("text", { y: 13, "text-anchor": "middle" }, txt(format(t))),
      ),
    ),
    options.label && !options.hideLabels
      ? el(
          "text",
          {
            class: "label",
            x: (r0 + r1) / 2,
            y: height + 26,
            "text-anchor": "middle",
            "font-size": FONT.label,
          },
          txt(options.label),
        )
      : null,
  );
}

/** Left y axis of a panel `width` wide. */
export function axisLeft(
  scale: NumericScale,
  width: number,
  options: LinearAxisOptions = {},
): string {
  const [r0, r1] = scale.range();
  const span = Math.abs(r0 - r1);
  const count = options.ticks ?? Math.max(2, Math.round(span / 28));
  const ticks = tickValues(scale, count, options.integer ?? false);
  const format = tickFormat(scale, count, options.format);
  const widest = Math.max(0, ...ticks.map((t) => textWidth(format(t), FONT.tick)));
  const labelX = -Math.min(MARGIN.left - 10, Math.max(34, widest + 14));
  const grid =
    options.grid === false
      ? []
      : ticks.map((t) =>
          el("line", { x1: 0, x2: width, y1: scale(t), y2: scale(t), stroke: GRID }),
        );
  return el(
    "g",
    { class: "axis y", "data-domain": domainAttr(scale), "font-size": FONT.tick, fill: INK },
    el("g", { class: "grid" }, grid),
    el("path", { class: "domain", d: `M0,${num(r0)}V${num(r1)}`, stroke: INK }),
    ticks.map((t) =>
      el(
        "g",
        { class: "tick", transform: translate(0, scale(t)) },
        el("line", { x2: -4, stroke: INK }),
        options.hideLabels
          ? null
          : el("text", { x: -6, y: 3, "text-anchor": "end" }, txt(format(t))),
      ),
    ),
    options.label
      ? el(
          "text",
          {
            class: "label",
            transform: `translate(${num(labelX)},${num((r0 + r1) / 2)}) rotate(-90)`,
            "text-anchor": "middle",
            "font-size": FONT.label,
          },
          txt(options.label),
        )
      : null,
  );
}

/** How much room a band axis's labels need below the panel (they turn when they don't fit). */
export function bandAxisHeight(
  scale: ScaleBand<string>,
  labels: readonly string[],
  hideLabels = false,
): number {
  if (hideLabels) return 6;
  const widest = Math.max(0, ...labels.map((l) => textWidth(l, FONT.tick)));
  return widest + 4 <= scale.step() ? 16 : Math.min(70, widest * 0.6 + 14);
}

/** Sine of the angle turned labels make with the axis (35°). */
const TURN_SINE = Math.sin((35 * Math.PI) / 180);

/**
 * Every how many bands a label is written: turned labels are parallel lines step × sin(35°)
 * apart and need a line height (the tick font plus a pixel) between them.
 */
export function bandLabelEvery(scale: ScaleBand<string>, turned: boolean): number {
  if (!turned) return 1;
  return Math.max(1, Math.ceil((FONT.tick + 1.5) / (scale.step() * TURN_SINE)));
}

/** Bottom axis of a band (categorical) scale; labels turn 35° when wider than a band. */
export function axisBandBottom(
  scale: ScaleBand<string>,
  height: number,
  options: { label?: string; hideLabels?: boolean } = {},
): string {
  const domain = scale.domain();
  const widest = Math.max(0, ...domain.map((l) => textWidth(l, FONT.tick)));
  const turn = widest + 4 > scale.step();
  const every = bandLabelEvery(scale, turn);
  const [r0, r1] = scale.range();
  const labelY = height + bandAxisHeight(scale, domain, options.hideLabels) + 10;
  return el(
    "g",
    { class: "axis x band", "data-domain": domain.join(","), "font-size": FONT.tick, fill: INK },
    el("path", { class: "domain", d: `M${num(r0)},${num(height)}H${num(r1)}`, stroke: INK }),
    domain.map((d, i) =>
      el(
        "g",
        { class: "tick", transform: translate(scale(d)! + scale.bandwidth() / 2, height) },
        el("line", { y2: 4, stroke: INK }),
        options.hideLabels || i % every !== 0
          ? null
          : turn
            ? el("text", { transform: "translate(3,10) rotate(-35)", "text-anchor": "end" }, txt(d))
            : el("text", { y: 13, "text-anchor": "middle" }, txt(d)),
      ),
    ),
    options.label
      ? el(
          "text",
          {
            class: "label",
            x: (r0 + r1) / 2,
            y: labelY,
            "text-anchor": "middle",
            "font-size": FONT.label,
          },
          txt(options.label),
        )
      : null,
  );
}
