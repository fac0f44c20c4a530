import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomicWrite.ts";
import { labelRuns, runLetter } from "./labels.ts";
import { metricNames, metricValue } from "./metrics.ts";
import { writeFigureSet } from "./output.ts";
import { readResults } from "./readResults.ts";
import type { Results } from "./types.ts";

/** One line of the comparison: one metric of one strategy across runs. */
export interface CompareRow {
  strategy: string;
  metric: string;
  /** Value per run (null when the run lacks the strategy or the metric has no value). */
  values: (number | null)[];
  /** For runs 1..n-1: value minus the first run's value (null when either is null). */
  diffs: (number | null)[];
  /** For runs 1..n-1: diff / |first| (null when undefined: a null, or a zero base). */
  relative: (number | null)[];
}

/** The comparison rows: strategies in first-seen order, then metrics in first-seen order. */
export function compareRows(results: readonly Results[]): CompareRow[] {
  const strategies: string[] = [];
  for (const r of results)
    for (const s of r.strategies) if (!strategies.includes(s)) strategies.push(s);
  const rows: CompareRow[] = [];
  for (const strategy of strategies) {
    for (const metric of metricNames(results, strategy)) {
      const values = results.map((r) => metricValue(r, strategy, metric));
      const base = values[0];
      const diffs = values.slice(1).map((v) => (v === null || base === null ? null : v - base));
      const relative = diffs.map((d) => {
        if (d === null || base === null) return null;
        if (base === 0) return d === 0 ? 0 : null;
        return d / Math.abs(base);
      });
      rows.push({ strategy, metric, values, diffs, relative });
    }
  }
  return rows;
}

/** A number for the table: integers exact, others to 6 significant digits. */
export function formatTableNumber(value: number | null): string {
  if (value === null) return "-";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** A relative difference as a signed percentage with one decimal. */
export function formatRelative(rel: number | null, diff: number | null): string {
  if (rel === null) return diff === null ? "-" : "n/a";
  const p = rel * 100;
  const text = Math.abs(p) < 0.05 ? "0.0" : p.toFixed(1);
  return `${p > 0 && text !== "0.0" ? "+" : ""}${text}%`;
}

/**
 * The plain-text table printed by `sim compare`: a key of the runs (A, B, ...), then one row
 * per strategy per metric with a column per run and, for every run after the first, the
 * difference to A and the relative difference.
 */
export function formatCompareTable(
  results: readonly Results[],
  rows: readonly CompareRow[],
): string {
  const letters = results.map((_, i) => runLetter(i));
  const key = results.map((r, i) => `  ${letters[i]}  ${r.label}  (${r.dir})`);
  const header = ["strategy", "metric", ...letters];
  for (let i = 1; i < results.length; i++) header.push(`${letters[i]}-A`, `${letters[i]}-A %`);
  const body = rows.map((row) => {
    const cells = [row.strategy, row.metric, ...row.values.map(formatTableNumber)];
    row.diffs.forEach((d, i) => {
      cells.push(formatTableNumber(d), formatRelative(row.relative[i], d));
    });
    return cells;
  });
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((cells) => cells[c].length)));
  const lines = table.map((cells) =>
    cells
      .map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join("  ")
      .trimEnd(),
  );
  return [`Runs:`, ...key, "", ...lines, ""].join("\n");
}

/**
 * `sim compare`: reads several results directories, writes a combined report with the figures
 * overlaid (plots/*.svg, report.html) and the metric table (compare.txt) into outDir, and
 * returns the table for printing and the report's path.
 */
export async function compareRuns(
  dirs: string[],
  outDir: string,
): Promise<{ table: string; reportPath: string }> {
  if (dirs.length < 2) {
    throw new Error(`sim compare needs at least two results directories, got ${dirs.length}`);
  }
  const results = labelRuns(await Promise.all(dirs.map((dir) => readResults(dir))));
  const rows = compareRows(results);
  const table = formatCompareTable(results, rows);
  await mkdir(outDir, { recursive: true });
  const written = await writeFigureSet(results, outDir, rows);
  await writeFileAtomic(join(outDir, "compare.txt"), table);
  const reportPath = written.find((p) => p.endsWith("report.html"))!;
  return { table, reportPath };
}
