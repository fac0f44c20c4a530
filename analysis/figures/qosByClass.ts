import { quantileSorted, sortedFinite } from "../../sim/metrics/statistics.ts";
import { type Bar, barPanel } from "../bars.ts";
import {
  allSeries,
  type FigureOptions,
  figureContext,
  figureFrame,
  type Series,
  seriesAttrs,
} from "../chart.ts";
import type { PeerRow, Results } from "../types.ts";
import { fmt } from "../units.ts";

interface ClassMeasure {
  yLabel: string;
  /** Value of a group of peers of one class, or null when it has none. */
  value: (peers: PeerRow[]) => number | null;
  describe: (v: number) => string;
}

function ratio(num: number, den: number): number | null {
  return den > 0 ? num / den : null;
}

const MEASURES: ClassMeasure[] = [
  {
    yLabel: "stalled time (%)",
    value: (peers) => {
      let stalled = 0;
      let viewing = 0;
      for (const p of peers) {
        stalled += p.stalledSeconds;
        viewing += p.playingSeconds + p.stalledSeconds;
      }
      const r = ratio(stalled, viewing);
      return r === null ? null : r * 100;
    },
    describe: (v) => `${fmt(v)} % of viewing time stalled`,
  },
  {
    yLabel: "late/missed (%)",
    value: (peers) => {
      let bad = 0;
      let all = 0;
      for (const p of peers) {
        bad += p.chunksLate + p.chunksMissed;
        all += p.chunksOnTime + p.chunksLate + p.chunksMissed;
      }
      const r = ratio(bad, all);
      return r === null ? null : r * 100;
    },
    describe: (v) => `${fmt(v)} % of chunks late or missed`,
  },
  {
    yLabel: "median startup (s)",
    value: (peers) =>
      quantileSorted(sortedFinite(peers.map((p) => p.startupLatencySeconds)), 0.5) ?? null,
    describe: (v) => `median startup latency ${fmt(v)} s`,
  },
];

/** Upload classes of all runs, ordered by their (median) upload capacity, then name. */
export function uploadClasses(results: readonly Results[]): string[] {
  const rates = new Map<string, number[]>();
  for (const r of results) {
    for (const p of r.peers) {
      const list = rates.get(p.class);
      if (list) list.push(p.uploadBitsPerSecond);
      else rates.set(p.class, [p.uploadBitsPerSecond]);
    }
  }
  return [...rates.entries()]
    .map(([name, list]) => ({ name, rate: quantileSorted(sortedFinite(list), 0.5) ?? 0 }))
    .sort((a, b) => a.rate - b.rate || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((c) => c.name);
}

/**
 * QoS per upload class (who suffers: low-capacity peers or everyone): stalled time, chunks
 * late or missed, and median startup latency, per class, one bar per strategy per run.
 */
export function qosByClass(results: Results[], options: FigureOptions = {}): string {
  const ctx = figureContext(results, options);
  const title = "QoS by upload class";
  const classes = uploadClasses(ctx.results);
  const series = allSeries(ctx).filter((s) => s.run.peers.some((p) => p.strategy === s.strategy));
  const strategies = [...new Set(series.map((s) => s.strategy))];
  const frame = figureFrame(ctx, "qos-by-class", title, { strategies, swatch: "rect" }, 10);
  if (classes.length === 0 || series.length === 0) return frame.empty("no peers");
  let top = frame.top;
  const width = frame.plotWidth;
  const groups = new Map<Series, Map<string, PeerRow[]>>();
  for (const s of series) {
    const byClass = new Map<string, PeerRow[]>();
    for (const p of s.run.peers) {
      if (p.strategy !== s.strategy) continue;
      const list = byClass.get(p.class);
      if (list) list.push(p);
      else byClass.set(p.class, [p]);
    }
    groups.set(s, byClass);
  }
  const panels = MEASURES.map((measure) => {
    const bars: Bar[] = [];
    series.forEach((s, slot) => {
      for (const cls of classes) {
        const peers = groups.get(s)!.get(cls) ?? [];
        const v = peers.length > 0 ? measure.value(peers) : null;
        if (v === null) continue;
        const never = peers.filter((p) => p.startupLatencySeconds === null).length;
        bars.push({
          category: cls,
          slot,
          value: v,
          color: s.color,
          style: s.runIndex,
          attrs: seriesAttrs(s, "mark bar"),
          tip: [
            `${s.name}, class ${cls}`,
            measure.describe(v),
            `${peers.length} sessions${never > 0 ? `, ${never} never started` : ""}`,
          ].join("\n"),
        });
      }
    });
    return { measure, bars };
  });
  // Panels without a single value are left out; class names are written once, under the last.
  const shown = panels.filter((p) => p.bars.length > 0);
  if (shown.length === 0) return frame.empty("no QoS values per class");
  shown.forEach(({ measure, bars }, index) => {
    const last = index === shown.length - 1;
    const panel = barPanel({
      categories: classes,
      slots: series.length,
      bars,
      width,
      height: 88,
      yLabel: measure.yLabel,
      xLabel: last ? "upload class (upload capacity, bit/s)" : undefined,
      format: (v) => fmt(v),
      hideCategoryLabels: !last,
    });
    frame.parts.push(frame.panel(top, panel.svg));
    top += panel.totalHeight + 10;
  });
  return frame.document(top);
}
