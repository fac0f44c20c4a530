import { compareRuns } from "../../analysis/compare.ts";
import { checkOutPath } from "../run/outputDirectory.ts";
import type { SimCommand } from "./command.ts";
import { readResultsArgument } from "./resultsArgument.ts";
import { UsageError } from "./usageError.ts";

/** `sim compare A B ...`: overlays runs in one report and prints their differences. */
export const compareCommand: SimCommand = {
  command: "compare <dirs..>",
  describe: "overlay several runs in one report and print a metric table with their differences",
  builder: (y) =>
    y
      .positional("dirs", {
        type: "string",
        array: true,
        demandOption: true,
        describe: "results directories (two or more)",
      })
      .option("out", {
        type: "string",
        requiresArg: true,
        default: "results/compare",
        describe: "where to write the combined report",
      }),
  run: async (args) => {
    const dirs = args.dirs as string[];
    if (dirs.length < 2) throw new UsageError("compare needs at least two results directories");
    for (const [index, dir] of dirs.entries()) await readResultsArgument(dir, `dirs[${index}]`);
    const out = args.out as string;
    checkOutPath(out);
    const { table, reportPath } = await compareRuns(dirs, out);
    process.stdout.write(`${table}\nreport: ${reportPath}\n`);
    return 0;
  },
};
