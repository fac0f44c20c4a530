import { line, max, scaleLinear } from "d3";
import { axisBottom, axisLeft } from "./axes.ts";
import {
  allSeries,
  type FigureContext,
  FONT,
  figureFrame,
  INK,
  MARGIN,
  MUTED,
  panelGroup,
  type Series,
  seriesAttrs,
} from "./chart.ts";
import { lineMarkers } from "./lineMarkers.ts";
import { el, fitText, textWidth, tip, translate, txt } from "./svg.ts";
import type { EventRow, TimeRow } from "./types.ts";
import { fmt, fmtSeconds, timeUnit } from "./units.ts";

/*
 * Stacked time-series panels sharing one x axis (time), one line per strategy per run, with
 * invisible hover points for values and churn events marked along the top.
 */

export interface TimePanelSpec {
  /** Name shown inside the panel's top-left corner (with unit when there is no y label). */
  label: string;
  value: (row: TimeRow) => number | null;
  /** Unit for tooltips, e.g. "peers". */
  unit: string;
  integer?: boolean;
  /** Scale values for the axis (e.g. bit/s to Mbit/s). */
  divisor?: number;
}

export interface TimePanelsOptions {
  panels: TimePanelSpec[];
  /** One y label for the whole stack, with unit, e.g. "peers". */
  yLabel?: string;
  panelHeight: number;
  /** Draw events.csv markers. */
  events: boolean;
  top: number;
}

const MAX_HOVER_POINTS = 60;
/** Height of the row above a panel that holds its name, px. */
const PANEL_LABEL_HEIGHT = 12;
/** Space between a panel's name and its top edge, px. */
const PANEL_LABEL_GAP = 3;

/** Rows of one series, ordered by time. */
function seriesRows(s: Series): TimeRow[] {
  return s.run.timeseries
    .filter((r) => r.strategy === s.strategy)
    .sort((a, b) => a.timeSeconds - b.timeSeconds);
}

/** Whether any series has a value for this panel. */
export function panelHasData(ctx: FigureContext, spec: TimePanelSpec): boolean {
  return ctx.results.some((r) => r.timeseries.some((row) => spec.value(row) !== null));
}

/** Strategies with at least one value in any of the panels. */
export function strategiesWithData(ctx: FigureContext, specs: TimePanelSpec[]): string[] {
  return ctx.strategies.filter((strategy) =>
    ctx.results.some((r) =>
      r.timeseries.some(
        (row) => row.strategy === strategy && specs.some((p) => p.value(row) !== null),
      ),
    ),
  );
}

/** What {@link timePanelFigure} needs beyond the panels' own options. */
export interface TimePanelFigureOptions extends Omit<TimePanelsOptions, "top"> {
  /** File name of the figure, without extension. */
  name: string;
  title: string;
  /** Shown instead of the panels when no strategy has data. */
  emptyMessage: string;
  /** Space between the legend and the first panel, px. Default 6. */
  gap?: number;
}

/**
 * A whole figure made of stacked time panels: title, legend of the strategies with data, then
 * the panels (or a no-data note). The time-series figures differ only in their panels.
 */
export function timePanelFigure(ctx: FigureContext, options: TimePanelFigureOptions): string {
  const { name, title, emptyMessage, gap = 6, ...panelOptions } = options;
  const strategies = strategiesWithData(ctx, panelOptions.panels);
  const frame = figureFrame(ctx, name, title, { strategies, swatch: "line" }, gap);
  if (panelOptions.panels.length === 0 || strategies.length === 0) {
    return frame.empty(emptyMessage);
  }
  const stack = timePanels(ctx, { ...panelOptions, top: frame.top });
  return frame.document(stack.bottom, [stack.svg]);
}

/** The stack of panels; returns markup and the y just below it. */
export function timePanels(
  ctx: FigureContext,
  options: TimePanelsOptions,
): { svg: string; bottom: number } {
  const width = ctx.width - MARGIN.left - MARGIN.right;
  const series = allSeries(ctx);
  const maxTime = Math.max(
    ...ctx.results.map((r) => r.durationSeconds),
    ...ctx.results.flatMap((r) => r.timeseries.map((row) => row.timeSeconds)),
  );
  const unit = timeUnit(maxTime);
  const x = scaleLinear()
    .domain([0, maxTime / unit.divisor])
    .range([0, width]);
  const events = options.events ? eventMarks(ctx, x, unit.divisor) : null;
  let top = options.top + (events ? events.height : 0);
  const stackTop = top;
  const parts: string[] = [];
  // Panel names go above their panels, where no data runs (not inside, across the lines).
  const labelled = !(options.yLabel && options.panels.length === 1);
  options.panels.forEach((spec, index) => {
    const last = index === options.panels.length - 1;
    if (labelled) top += PANEL_LABEL_HEIGHT;
    const height = options.panelHeight;
    const divisor = spec.divisor ?? 1;
    const data = series.map((s) => ({
      s,
      points: seriesRows(s)
        .map((row) => {
          const v = spec.value(row);
          return v === null
            ? null
            : ([row.timeSeconds / unit.divisor, v / divisor] as [number, number]);
        })
        .filter((p): p is [number, number] => p !== null),
    }));
    const yMax = max(data, (d) => max(d.points, (p) => p[1])) ?? 0;
    const yMin = Math.min(0, ...data.flatMap((d) => d.points.map((p) => p[1])));
    const y = scaleLinear()
      .domain([yMin, yMax > yMin ? yMax : yMin + 1])
      .nice(4)
      .range([height, 0]);
    const path = line<[number, number]>()
      .x((p) => x(p[0]))
      .y((p) => y(p[1]))
      .digits(2);
    const marks = data
      .filter((d) => d.points.length > 0)
      .map(({ s, points }) => {
        const step = Math.max(1, Math.ceil(points.length / MAX_HOVER_POINTS));
        const hover = points.filter((_, i) => i % step === 0 || i === points.length - 1);
        const vertices = points.map(([px, py]) => [x(px), y(py)] as [number, number]);
        return [
          el("path", {
            ...seriesAttrs(s, "mark line"),
            d: path(points),
            fill: "none",
            stroke: s.color,
            "stroke-width": 1.4,
            "stroke-dasharray": s.dash,
            "stroke-linejoin": "round",
          }),
          lineMarkers(s, vertices, ctx.strategies.length, ctx.results.length),
          el(
            "g",
            { ...seriesAttrs(s, "hover-points"), fill: s.color, "fill-opacity": 0 },
            hover.map((p) =>
              el(
                "circle",
                { class: "hover", cx: x(p[0]), cy: y(p[1]), r: 3 },
                tip(
                  `${s.name}\nt = ${fmt(p[0])} ${unit.label}\n${spec.label}: ${withUnit(p[1], spec.unit)}`,
                ),
              ),
            ),
          ),
        ];
      });
    parts.push(
      panelGroup(
        MARGIN.left,
        top,
        axisLeft(y, width, {
          ticks: Math.max(2, Math.round(height / 22)),
          integer: spec.integer,
          format: (v) => fmt(v),
        }),
        axisBottom(x, height, { hideLabels: !last, label: `time (${unit.label})` }),
        el("g", { class: "marks" }, marks),
        labelled ? panelLabel(fitText(spec.label, FONT.note, width)) : null,
      ),
    );
    top += height + (last ? 0 : 10);
  });
  const stackBottom = top;
  if (options.yLabel) {
    parts.push(
      el(
        "text",
        {
          class: "label",
          transform: `translate(${MARGIN.left - 36},${(stackTop + stackBottom) / 2}) rotate(-90)`,
          "text-anchor": "middle",
          "font-size": FONT.label,
          fill: INK,
        },
        txt(options.yLabel),
      ),
    );
  }
  // Events go underneath the panels, so that a panel name's white backing hides the dashed
  // line of a shared event where it crosses the name.
  if (events) parts.unshift(events.draw(options.top, stackTop, stackBottom));
  return { svg: parts.join("\n"), bottom: stackBottom + 34 };
}

/**
 * A panel's name in the row above it, on a white backing (a plain rectangle rather than a text
 * halo: PDF conversion does not support paint-order).
 */
function panelLabel(text: string): string {
  const width = textWidth(text, FONT.note);
  return el(
    "g",
    { class: "panel-label", "pointer-events": "none" },
    el("rect", {
      x: -1,
      y: -PANEL_LABEL_GAP - 0.8 * FONT.note,
      width: width + 2,
      height: FONT.note + 1,
      fill: "#ffffff",
    }),
    el("text", { x: 0, y: -PANEL_LABEL_GAP, "font-size": FONT.note, fill: INK }, txt(text)),
  );
}

const RUG_ROW_PX = 8;
const RUG_BIN_PX = 3;

/** Plain words for an event, e.g. "flash crowd (+8 peers)". */
export function describeEvent(e: Pick<EventRow, "kind" | "detail">): string {
  const detail = e.detail.trim();
  switch (e.kind) {
    case "flash-crowd":
      return detail ? `flash crowd (+${detail} peers)` : "flash crowd";
    case "relay-departure":
      return detail ? `relay departure (${detail} children lost)` : "relay departure";
    default:
      return detail ? `${e.kind.replace(/-/g, " ")} (${detail})` : e.kind.replace(/-/g, " ");
  }
}

/** Plain words for events close in time, e.g. "3 relay departures (7 children lost)". */
export function describeEventGroup(events: readonly EventRow[]): string {
  const first = events[0];
  const last = events[events.length - 1];
  const when =
    first.timeSeconds === last.timeSeconds
      ? `t = ${fmtSeconds(first.timeSeconds)} s`
      : `t = ${fmtSeconds(first.timeSeconds)}–${fmtSeconds(last.timeSeconds)} s`;
  if (events.length === 1) return `${when}: ${describeEvent(first)}`;
  const kinds = [...new Set(events.map((e) => e.kind))];
  const parts = kinds.map((kind) => {
    const list = events.filter((e) => e.kind === kind);
    const details = list.map((e) => Number(e.detail));
    const total = details.every((d) => Number.isFinite(d))
      ? details.reduce((a, b) => a + b, 0)
      : null;
    const words = kind.replace(/-/g, " ");
    const plural = list.length === 1 ? words : `${words}s`;
    const sum =
      total === null
        ? ""
        : kind === "relay-departure"
          ? ` (${fmt(total)} children lost)`
          : kind === "flash-crowd"
            ? ` (+${fmt(total)} peers)`
            : ` (total ${fmt(total)})`;
    return `${list.length} ${plural}${sum}`;
  });
  return `${when}: ${parts.join(", ")}`;
}

/**
 * Events of a run that every one of its strategies reports at the same time (workload events
 * such as a flash crowd) are drawn once as a grey line across the stack; the others as
 * triangles in the strategy's colour along the top.
 */
function eventMarks(
  ctx: FigureContext,
  x: (v: number) => number,
  divisor: number,
): {
  height: number;
  draw: (stripTop: number, stackTop: number, stackBottom: number) => string;
} | null {
  const shared = new Map<string, { e: EventRow; runs: number[] }>();
  const own: { e: EventRow; run: number }[] = [];
  ctx.results.forEach((run, runIndex) => {
    const byKey = new Map<string, EventRow[]>();
    for (const e of run.events) {
      const key = JSON.stringify([e.kind, e.timeSeconds, e.detail]);
      const list = byKey.get(key);
      if (list) list.push(e);
      else byKey.set(key, [e]);
    }
    for (const [key, list] of byKey) {
      const strategies = new Set(list.map((e) => e.strategy));
      if (run.strategies.length > 1 && run.strategies.every((s) => strategies.has(s))) {
        const entry = shared.get(key);
        if (entry) entry.runs.push(runIndex);
        else shared.set(key, { e: list[0], runs: [runIndex] });
      } else {
        for (const e of list) own.push({ e, run: runIndex });
      }
    }
  });
  if (shared.size === 0 && own.length === 0) return null;
  // The strategies' own events: one rug row per strategy (per run), binned to a few pixels
  // (a long run can have thousands of relay departures).
  const rugRows: { strategy: string; run: number; events: EventRow[] }[] = [];
  for (const strategy of ctx.strategies) {
    ctx.results.forEach((_, run) => {
      const events = own
        .filter((o) => o.run === run && o.e.strategy === strategy)
        .map((o) => o.e)
        .sort((p, q) => p.timeSeconds - q.timeSeconds);
      if (events.length > 0) rugRows.push({ strategy, run, events });
    });
  }
  const height = (shared.size > 0 ? 12 : 0) + rugRows.length * RUG_ROW_PX + 2;
  const draw = (stripTop: number, stackTop: number, stackBottom: number) => {
    const width = ctx.width - MARGIN.left - MARGIN.right;
    const lines = [...shared.values()]
      .sort((a, b) => a.e.timeSeconds - b.e.timeSeconds)
      .map(({ e, runs }) => {
        const ex = x(e.timeSeconds / divisor);
        const label = describeEvent(e);
        const fits = ex + 3 + textWidth(label, FONT.note) <= width;
        return el(
          "g",
          {
            class: "event shared",
            "data-run": runs.length === ctx.results.length ? null : String(runs[0]),
          },
          el("line", {
            x1: ex,
            x2: ex,
            y1: stripTop - stackTop + 2,
            y2: stackBottom - stackTop,
            stroke: MUTED,
            "stroke-dasharray": "3 2",
          }),
          el(
            "text",
            {
              x: fits ? ex + 3 : ex - 3,
              y: stripTop - stackTop + 9,
              "text-anchor": fits ? "start" : "end",
              "font-size": FONT.note,
              fill: MUTED,
            },
            txt(label),
          ),
          tip(`t = ${fmtSeconds(e.timeSeconds)} s: ${label}`),
        );
      });
    const rug = rugRows.map(({ strategy, run, events }, row) => {
      const color = ctx.colors.get(strategy)!;
      const bins = new Map<number, EventRow[]>();
      for (const e of events) {
        const bin = Math.floor(x(e.timeSeconds / divisor) / RUG_BIN_PX);
        const list = bins.get(bin);
        if (list) list.push(e);
        else bins.set(bin, [e]);
      }
      const most = Math.max(...[...bins.values()].map((b) => b.length));
      const top = -(rugRows.length - row) * RUG_ROW_PX - 2;
      const who = `${strategy}${ctx.multiRun ? `, ${ctx.results[run].label}` : ""}`;
      return [...bins.entries()]
        .sort((p, q) => p[0] - q[0])
        .map(([bin, list]) => {
          // Taller where there are more events; always in the full colour (no faint ticks).
          const tall = Math.max(2, ((RUG_ROW_PX - 2) * list.length) / most);
          return el(
            "rect",
            {
              class: "mark event",
              "data-strategy": strategy,
              "data-run": String(run),
              x: bin * RUG_BIN_PX,
              y: top + 1 + (RUG_ROW_PX - 2 - tall),
              width: RUG_BIN_PX - 0.6,
              height: tall,
              fill: color,
            },
            tip(`${who}\n${describeEventGroup(list)}`),
          );
        });
    });
    return el("g", { class: "events", transform: translate(MARGIN.left, stackTop) }, lines, rug);
  };
  return { height, draw };
}

/** "1 peer", "3 peers", "2.5 Mbit/s". */
function withUnit(value: number, unit: string): string {
  const singular = value === 1 && /^[a-z]+s$/.test(unit) ? unit.slice(0, -1) : unit;
  return `${fmt(value)} ${singular}`;
}
