import { max, pathRound, scaleBand, scaleLinear } from "d3";
import { axisBandBottom, axisLeft, bandAxisHeight } from "./axes.ts";
import { barStyle } from "./barStyle.ts";
import { FONT, INK } from "./chart.ts";
import { type Attrs, el, textWidth, tip, txt } from "./svg.ts";

/** Height of the mark that stands for a bar of value zero, px. */
const ZERO_MARK_PX = 2;

/** One bar of a grouped bar panel. */
export interface Bar {
  /** The category on the x axis (strategy, upload class, depth...). */
  category: string;
  /** Position within the category's group (0..slots-1). */
  slot: number;
  value: number;
  /** Error bar ends, when there is one. */
  low?: number;
  high?: number;
  color: string;
  /** Run style index (fill, dash). */
  style: number;
  attrs: Attrs;
  tip: string;
  /** Individual values behind a mean (replications), drawn as dots. */
  dots?: { value: number; attrs: Attrs; tip: string }[];
}

export interface BarPanel {
  svg: string;
  /** Panel height plus what its axis needs below. */
  totalHeight: number;
}

/** A grouped bar panel `width` x `height` with a band x axis and a linear y axis from zero. */
export function barPanel(options: {
  categories: string[];
  slots: number;
  bars: Bar[];
  width: number;
  height: number;
  yLabel: string;
  xLabel?: string;
  format?: (v: number) => string;
  /** Upper end of the y domain at least this (e.g. 1 for fractions). */
  minTop?: number;
  /** Leave out the category names (a panel above another with the same categories). */
  hideCategoryLabels?: boolean;
}): BarPanel {
  const { categories, bars, width, height } = options;
  const x = scaleBand<string>()
    .domain(categories)
    .range([0, width])
    .paddingInner(0.2)
    .paddingOuter(0.1);
  const inner = scaleBand<number>()
    .domain(Array.from({ length: Math.max(1, options.slots) }, (_, i) => i))
    .range([0, x.bandwidth()])
    .paddingInner(0.08);
  const top =
    max(bars, (b) => Math.max(b.value, b.high ?? b.value, ...(b.dots ?? []).map((d) => d.value))) ??
    0;
  const y = scaleLinear()
    .domain([0, Math.max(top, options.minTop ?? 0) || 1])
    .nice(Math.max(2, Math.round(height / 28)))
    .range([height, 0]);
  const marks = bars.map((b) => {
    const bx = x(b.category)! + inner(b.slot)!;
    const bw = inner.bandwidth();
    const cx = bx + bw / 2;
    // A zero has no height: a short thick line on the axis and a "0" above it tell it apart
    // from a missing value (where nothing is drawn).
    const zero = b.value === 0;
    return el(
      "g",
      b.attrs,
      zero
        ? [
            el("rect", {
              class: "zero",
              x: bx,
              y: height - ZERO_MARK_PX,
              width: bw,
              height: ZERO_MARK_PX,
              fill: b.color,
            }),
            bw < textWidth("0", FONT.tick) + 1
              ? null
              : el(
                  "text",
                  {
                    class: "zero-label",
                    x: cx,
                    y: height - ZERO_MARK_PX - 2,
                    "text-anchor": "middle",
                    "font-size": FONT.tick,
                    fill: INK,
                  },
                  txt("0"),
                ),
          ]
        : null,
      el(
        "rect",
        {
          x: bx,
          y: y(b.value),
          width: bw,
          height: Math.max(0, height - y(b.value)),
          ...barStyle(b.color, b.style),
        },
        tip(b.tip),
      ),
      b.low !== undefined && b.high !== undefined
        ? el("path", {
            class: "error-bar",
            "pointer-events": "none",
            d: errorBarPath(cx, y(Math.max(0, b.low)), y(b.high)),
            stroke: INK,
            "stroke-width": 1,
            fill: "none",
          })
        : null,
      (b.dots ?? []).map((d) =>
        el(
          "circle",
          {
            ...d.attrs,
            cx,
            cy: y(d.value),
            r: 2.2,
            fill: "#fff",
            stroke: INK,
            "stroke-width": 0.8,
          },
          tip(d.tip),
        ),
      ),
    );
  });
  const svg = [
    axisLeft(y, width, { label: options.yLabel, format: options.format }),
    axisBandBottom(x, height, { label: options.xLabel, hideLabels: options.hideCategoryLabels }),
    el("g", { class: "marks" }, marks),
  ].join("\n");
  return {
    svg,
    totalHeight:
      height +
      bandAxisHeight(x, categories, options.hideCategoryLabels) +
      (options.xLabel ? 16 : 0),
  };
}

/** A vertical whisker from y0 to y1 at x with 6 px caps. */
function errorBarPath(x: number, y0: number, y1: number): string {
  const p = pathRound(2);
  p.moveTo(x, y0);
  p.lineTo(x, y1);
  for (const yy of [y0, y1]) {
    p.moveTo(x - 3, yy);
    p.lineTo(x + 3, yy);
  }
  return p.toString();
}
