import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomicWrite.ts";
import type { CompareRow } from "./compare.ts";
import { DEFAULT_DPI, FORMATS, type Format, svgToPdf, svgToPng } from "./export.ts";
import { FIGURES, renderFigures } from "./index.ts";
import { renderReport } from "./report.ts";
import type { Results } from "./types.ts";

/** What `sim plot` writes besides report.html. */
export interface PlotOptions {
  /** Figure file formats; default svg only. */
  formats?: readonly Format[];
  /** PNG resolution, dots per inch; default {@link DEFAULT_DPI}. */
  dpi?: number;
}

/**
 * Writes `outDir/plots/<figure>.<format>` for every figure that applies and every format asked
 * for, and `outDir/report.html`; removes figure files of registered figures and formats that
 * were not written this time (stale from an earlier run). Returns the written paths, figures in
 * registry order (formats in the order svg, png, pdf), then the report.
 */
export async function writeFigureSet(
  results: Results[],
  outDir: string,
  compare?: readonly CompareRow[],
  options: PlotOptions = {},
): Promise<string[]> {
  const formats = options.formats ?? ["svg"];
  const dpi = options.dpi ?? DEFAULT_DPI;
  const figures = renderFigures(results);
  const html = renderReport(results, figures, compare, formats);
  // Render everything before writing anything, so a failure leaves the directory as it was.
  const files: { name: string; data: string | Uint8Array }[] = [];
  for (const figure of figures) {
    for (const format of formats) {
      const name = `${figure.spec.name}.${format}`;
      if (format === "svg") files.push({ name, data: figure.svg });
      else if (format === "png") files.push({ name, data: svgToPng(figure.svg, dpi) });
      else files.push({ name, data: await svgToPdf(figure.svg, figure.spec.title) });
    }
  }
  const plotsDir = join(outDir, "plots");
  await mkdir(plotsDir, { recursive: true });
  const written: string[] = [];
  for (const file of files) {
    const path = join(plotsDir, file.name);
    await writeFileAtomic(path, file.data);
    written.push(path);
  }
  const current = new Set(files.map((f) => f.name));
  const registered = new Set(
    FIGURES.flatMap((f) => FORMATS.map((format) => `${f.name}.${format}`)),
  );
  for (const file of await readdir(plotsDir)) {
    if (registered.has(file) && !current.has(file)) await rm(join(plotsDir, file), { force: true });
  }
  const reportPath = join(outDir, "report.html");
  await writeFileAtomic(reportPath, html);
  written.push(reportPath);
  return written;
}
