import { checkDpi, DEFAULT_DPI, parseFormats } from "../../analysis/export.ts";
import type { PlotOptions } from "../../analysis/plot.ts";
import { UsageError } from "./usageError.ts";

/** `--format` and `--dpi` of `sim run` and `sim plot`. */
export const PLOT_OPTIONS = {
  format: {
    type: "string",
    default: "svg",
    describe: "figure formats, comma-separated: svg, png, pdf (PDF with embedded fonts)",
  },
  dpi: {
    type: "number",
    default: DEFAULT_DPI,
    describe: "resolution of PNG figures, dots per inch (a figure is 340 px = 3.54 in wide)",
  },
} as const;

/** The checked `--format` and `--dpi` values (a bad one is a usage error, exit 2). */
export function plotOptions(args: { format?: string; dpi?: number }): PlotOptions {
  try {
    return { formats: parseFormats(args.format ?? "svg"), dpi: checkDpi(args.dpi ?? DEFAULT_DPI) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
