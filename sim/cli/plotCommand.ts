import { writePlots } from "../../analysis/plot.ts";
import type { SimCommand } from "./command.ts";
import { PLOT_OPTIONS, plotOptions } from "./plotOptions.ts";
import { readResultsArgument } from "./resultsArgument.ts";

/** `sim plot DIR`: redraws plots/*.svg and report.html of a results directory from its CSVs. */
export const plotCommand: SimCommand = {
  command: "plot <dir>",
  describe: "regenerate plots/*.svg and report.html of a results directory from its CSVs",
  builder: (y) =>
    y
      .positional("dir", { type: "string", demandOption: true, describe: "results directory" })
      .options(PLOT_OPTIONS),
  run: async (args) => {
    const dir = args.dir as string;
    const options = plotOptions(args);
    await readResultsArgument(dir, "dir");
    const written = await writePlots(dir, options);
    process.stdout.write(`wrote ${written.length} files in ${dir}\n`);
    return 0;
  },
};
