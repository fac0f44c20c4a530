import { type SymbolType, symbol, symbolCircle } from "d3";
import { assignStyles, runDash, type StrategyStyle } from "./colors.ts";
import { describeRuns } from "./labels.ts";
import { type Attrs, type Child, el, fitText, textWidth, tip, translate, txt } from "./svg.ts";
import type { Results } from "./types.ts";

/*
 * The frame shared by all figures: the per-report context (strategies, colours, runs), the
 * series (one per strategy per run), the title block, the legend and the SVG document.
 */

/** Options every figure function takes. */
export interface FigureOptions {
  /** Figure width in px; default 340 (a paper column, about 3.5 in). */
  width?: number;
}

export const FONT = { title: 11, subtitle: 9.5, label: 10, tick: 9, legend: 9.5, note: 9 };
export const FONT_FAMILY = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";
export const INK = "#222222";
export const MUTED = "#666666";
export const GRID = "#e6e6e6";
export const MARGIN = { left: 50, right: 12 };

/** What every figure of a report shares. */
export interface FigureContext {
  results: Results[];
  /** Union of strategy names over the runs, in order of first appearance. */
  strategies: string[];
  colors: Map<string, string>;
  /** Colour, marker shape and position of each strategy. */
  styles: Map<string, StrategyStyle>;
  multiRun: boolean;
  width: number;
  subtitle: string;
}

export function figureContext(results: readonly Results[], options: FigureOptions = {}) {
  if (results.length === 0) throw new Error("a figure needs at least one results directory");
  const strategies: string[] = [];
  for (const r of results)
    for (const s of r.strategies) if (!strategies.includes(s)) strategies.push(s);
  const styles = assignStyles(strategies);
  return {
    results: [...results],
    strategies,
    colors: new Map([...styles].map(([name, style]) => [name, style.color])),
    styles,
    multiRun: results.length > 1,
    width: options.width ?? 340,
    subtitle: describeRuns(results),
  } satisfies FigureContext;
}

/** One line/bar group of a figure: one strategy in one run. */
export interface Series {
  run: Results;
  runIndex: number;
  strategy: string;
  color: string;
  /** Marker shape of the strategy. */
  symbol: SymbolType;
  /** The strategy's position among the report's strategies (staggers line markers). */
  styleIndex: number;
  dash: string | null;
  /** "tree", or "tree, x@1" in comparisons. */
  name: string;
}

/** All series, strategy-major (the order of legends and grouped bars). */
export function allSeries(ctx: FigureContext): Series[] {
  const out: Series[] = [];
  for (const strategy of ctx.strategies) {
    ctx.results.forEach((run, runIndex) => {
      if (!run.strategies.includes(strategy)) return;
      out.push({
        run,
        runIndex,
        strategy,
        color: ctx.colors.get(strategy)!,
        symbol: ctx.styles.get(strategy)!.symbol,
        styleIndex: ctx.styles.get(strategy)!.index,
        dash: runDash(runIndex),
        name: ctx.multiRun ? `${strategy}, ${run.label}` : strategy,
      });
    });
  }
  return out;
}

/** Attributes that let the report toggle a mark with its strategy and run. */
export function seriesAttrs(s: Series, cls = "mark"): Attrs {
  return { class: cls, "data-strategy": s.strategy, "data-run": String(s.runIndex) };
}

/** Area of a point mark (a strategy's symbol in scatter plots and their legends), px². */
export const POINT_SIZE = 48;
/** Area of the markers along lines, px². */
export const LINE_MARKER_SIZE = 26;

/** A strategy's marker shape at (x, y), filled with its colour and edged in white. */
export function marker(
  shape: SymbolType,
  x: number,
  y: number,
  color: string,
  size = LINE_MARKER_SIZE,
): string {
  return el("path", {
    transform: translate(x, y),
    d: symbol(shape, size).digits(2)()!,
    fill: color,
    stroke: "#fff",
    "stroke-width": 0.6,
  });
}

/**
 * Fill of a point by run: the first run's points are solid, later runs' points are hollow
 * rings in the strategy's colour (runs are told apart without relying on colour).
 */
export function runPointStyle(color: string, run: number): Attrs {
  return run === 0
    ? { fill: color, stroke: "#fff", "stroke-width": 0.7 }
    : { fill: "#fff", stroke: color, "stroke-width": 1.6 };
}

/** The title block: figure title and the runs it shows. Returns markup and its height. */
export function header(ctx: FigureContext, title: string): { svg: string; height: number } {
  const maxWidth = ctx.width - 12;
  const svg = el(
    "g",
    { class: "header" },
    el(
      "text",
      { x: 6, y: 14, "font-size": FONT.title, "font-weight": "bold", fill: INK },
      txt(fitText(title, FONT.title, maxWidth)),
    ),
    el(
      "text",
      { x: 6, y: 27, "font-size": FONT.subtitle, fill: MUTED },
      txt(fitText(ctx.subtitle, FONT.subtitle, maxWidth)),
    ),
  );
  return { svg, height: 34 };
}

/** How a legend entry draws its swatch. */
export type Swatch = "line" | "rect" | "point";

/** A legend entry for a run (or a group of replicated runs) drawn with the i-th run style. */
export interface RunEntry {
  label: string;
  /** Index of the run style (dash, fill) used. */
  style: number;
  /** The run's index, for toggling; null for a group of runs. */
  runIndex: number | null;
}

/** Legend entries for the runs of a comparison; none for a single run. */
export function runEntries(ctx: FigureContext): RunEntry[] {
  if (!ctx.multiRun) return [];
  return ctx.results.map((run, i) => ({ label: run.label, style: i, runIndex: i }));
}

/**
 * The legend: one entry per strategy (its colour), and in comparisons one per run (its dash).
 * Entries wrap into rows. Returns markup and its height.
 */
export function legend(
  ctx: FigureContext,
  strategies: readonly string[],
  swatch: Swatch,
  top: number,
  runs: readonly RunEntry[] = runEntries(ctx),
): { svg: string; height: number } {
  type Entry = { label: string; draw: (x: number, y: number) => string; attrs: Attrs };
  const entries: Entry[] = strategies.map((strategy) => {
    const style = ctx.styles.get(strategy)!;
    const color = style.color;
    return {
      label: strategy,
      attrs: { class: "legend-item", "data-strategy": strategy },
      draw: (x, y) =>
        swatch === "line"
          ? [
              el("line", { x1: x, y1: y, x2: x + 14, y2: y, stroke: color, "stroke-width": 2 }),
              marker(style.symbol, x + 7, y, color),
            ].join("\n")
          : swatch === "rect"
            ? el("rect", { x: x + 2, y: y - 4.5, width: 10, height: 9, fill: color })
            : marker(style.symbol, x + 7, y, color, POINT_SIZE),
    };
  });
  for (const run of runs) {
    const dash = runDash(run.style);
    const style = run.style;
    entries.push({
      label: run.label,
      attrs: {
        class: "legend-item",
        "data-run": run.runIndex === null ? null : String(run.runIndex),
      },
      draw: (x, y) =>
        swatch === "point"
          ? el("path", {
              transform: translate(x + 7, y),
              d: symbol(symbolCircle, POINT_SIZE).digits(2)()!,
              ...runPointStyle(MUTED, style),
            })
          : swatch === "rect"
            ? el("rect", {
                x: x + 1,
                y: y - 4.5,
                width: 12,
                height: 9,
                fill: MUTED,
                "fill-opacity": style === 0 ? 1 : 0.35,
                stroke: INK,
                "stroke-dasharray": dash,
              })
            : el("line", {
                x1: x,
                y1: y,
                x2: x + 14,
                y2: y,
                stroke: INK,
                "stroke-width": 1.5,
                "stroke-dasharray": dash,
              }),
    });
  }
  const rowHeight = 13;
  const items: string[] = [];
  let x = 6;
  let row = 0;
  for (const entry of entries) {
    const w = 18 + textWidth(entry.label, FONT.legend) + 10;
    if (x > 6 && x + w > ctx.width - 4) {
      x = 6;
      row++;
    }
    const y = top + 6 + row * rowHeight;
    items.push(
      el(
        "g",
        entry.attrs,
        entry.draw(x, y),
        el(
          "text",
          { x: x + 18, y: y + 3.5, "font-size": FONT.legend, fill: INK },
          txt(fitText(entry.label, FONT.legend, ctx.width - x - 24)),
        ),
      ),
    );
    x += w;
  }
  if (items.length === 0) return { svg: "", height: 0 };
  return { svg: el("g", { class: "legend" }, items), height: (row + 1) * rowHeight + 4 };
}

/** A message in place of a plot when there is nothing to show. */
export function noData(ctx: FigureContext, top: number, message: string): string {
  return el(
    "text",
    {
      class: "no-data",
      x: ctx.width / 2,
      y: top + 30,
      "text-anchor": "middle",
      "font-size": FONT.label,
      fill: MUTED,
    },
    txt(message),
  );
}

/** The SVG document around a figure's parts. */
export function svgDocument(
  ctx: FigureContext,
  name: string,
  title: string,
  height: number,
  parts: string[],
): string {
  const h = Math.ceil(height);
  return `${el(
    "svg",
    {
      xmlns: "http://www.w3.org/2000/svg",
      width: ctx.width,
      height: h,
      viewBox: `0 0 ${ctx.width} ${h}`,
      "font-family": FONT_FAMILY,
      "data-figure": name,
    },
    tip(`${title} (${ctx.subtitle})`),
    el("rect", { class: "background", width: ctx.width, height: h, fill: "#ffffff" }),
    parts,
  )}\n`;
}

/** A group translated to a panel's top-left corner. */
export function panelGroup(left: number, top: number, ...children: Child[]): string {
  return el("g", { class: "panel", transform: translate(left, top) }, children);
}

/** Which strategies a figure's legend lists, and how. */
export interface LegendSpec {
  strategies: readonly string[];
  swatch: Swatch;
  /** Run entries; default one per run when the figure compares runs ({@link runEntries}). */
  runs?: readonly RunEntry[];
}

/**
 * The start every figure shares, its title block and legend, and the two ways it ends: with its
 * panels, or with a note that there is nothing to plot.
 */
export interface FigureFrame {
  /** The markup so far (header, legend); a figure pushes notes and panels onto it. */
  readonly parts: string[];
  /** Where the panels start: below the legend and the figure's gap, px. */
  readonly top: number;
  /** Width of a panel's plot area between the margins, px. */
  readonly plotWidth: number;
  /** A panel whose plot area's top-left corner is at the left margin and `top`, px. */
  panel(top: number, ...children: Child[]): string;
  /** The finished figure, `height` px tall: the parts so far, then `more`. */
  document(height: number, more?: string[]): string;
  /** The figure with `message` in place of a plot, below the parts so far (at `top`, px). */
  empty(message: string, top?: number): string;
}

/** Draws a figure's header and legend; its panels start `gap` px below the legend. */
export function figureFrame(
  ctx: FigureContext,
  name: string,
  title: string,
  shown: LegendSpec,
  gap: number,
): FigureFrame {
  const head = header(ctx, title);
  const leg = legend(ctx, shown.strategies, shown.swatch, head.height, shown.runs);
  const parts = [head.svg, leg.svg];
  const frameTop = head.height + leg.height + gap;
  return {
    parts,
    top: frameTop,
    plotWidth: ctx.width - MARGIN.left - MARGIN.right,
    panel: (top, ...children) => panelGroup(MARGIN.left, top, ...children),
    document: (height, more = []) => svgDocument(ctx, name, title, height, [...parts, ...more]),
    empty: (message, top = frameTop) =>
      svgDocument(ctx, name, title, top + 60, [...parts, noData(ctx, top, message)]),
  };
}
