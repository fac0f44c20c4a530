import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomicWrite.ts";
import type { CompareRow } from "./compare.ts";
import { FIGURES, renderFigures } from "./index.ts";
import { renderReport } from "./report.ts";
import type { Results } from "./types.ts";

/**
 * Writes `outDir/plots/<figure>.svg` for every figure that applies and `outDir/report.html`;
 * removes plots of registered figures that no longer apply (stale from an earlier run).
 * Returns the written paths, plots in registry order, then the report.
 */
export async function writeFigureSet(
  results: Results[],
  outDir: string,
  compare?: readonly CompareRow[],
): Promise<string[]> {
  const figures = renderFigures(results);
  const html = renderReport(results, figures, compare);
  const plotsDir = join(outDir, "plots");
  await mkdir(plotsDir, { recursive: true });
  const written: string[] = [];
  for (const figure of figures) {
    const path = join(plotsDir, `${figure.spec.name}.svg`);
    await writeFileAtomic(path, figure.svg);
    written.push(path);
  }
  const current = new Set(figures.map((f) => `${f.spec.name}.svg`));
  const registered = new Set(FIGURES.map((f) => `${f.name}.svg`));
  for (const file of await readdir(plotsDir)) {
    if (registered.has(file) && !current.has(file)) await rm(join(plotsDir, file), { force: true });
  }
  const reportPath = join(outDir, "report.html");
  await writeFileAtomic(reportPath, html);
  written.push(reportPath);
  return written;
}
