import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import yargs from "yargs";
import { compareRuns } from "../../analysis/compare.ts";
import { checkDpi, DEFAULT_DPI, parseFormats } from "../../analysis/export.ts";
import { type PlotOptions, writePlots } from "../../analysis/plot.ts";
import { addReplicationFiles } from "../experiments/resultFiles.ts";
import { renderResults, writeResultsAtomically } from "../run/output.ts";
import { loadScenario, parseOverride } from "../scenario/load.ts";
import { ScenarioError } from "../scenario/reader.ts";
import { STRATEGIES } from "../strategies/index.ts";
import { experimentCommands } from "./commands/index.ts";
import { RUN_POOL_OPTIONS, runOnPool, runTables } from "./commands/runOnPool.ts";
import { UsageError } from "./usageError.ts";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function gitCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: projectRoot,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/** Options of `sim run`. */
interface RunArguments {
  scenario: string;
  out?: string;
  seed?: number;
  set?: string[];
  quiet?: boolean;
  plots?: boolean;
  replications?: number;
  workers?: number;
  json?: boolean;
  format?: string;
  dpi?: number;
}

/** `--format` and `--dpi` of `sim run` and `sim plot`. */
const PLOT_OPTIONS = {
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
function plotOptions(args: { format?: string; dpi?: number }): PlotOptions {
  try {
    return { formats: parseFormats(args.format ?? "svg"), dpi: checkDpi(args.dpi ?? DEFAULT_DPI) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function commandRun(args: RunArguments): Promise<number> {
  const plotting = plotOptions(args);
  // A malformed --set is a usage error (exit 2), like any other bad argument.
  const overrides = (args.set ?? []).map((text) => {
    try {
      return parseOverride(text);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  const scenario = loadScenario(args.scenario, overrides, args.seed);
  const outDir =
    args.out ?? join("results", scenario.name || basename(args.scenario, extname(args.scenario)));
  // The wall clock is read here, in the CLI, never inside the model.
  const started = process.hrtime.bigint();
  const { result, replicated } = await runOnPool(scenario, args);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const events = result.runs.reduce((sum, run) => sum + run.events, 0);
  const files = renderResults(result, { version: packageVersion(), gitCommit: gitCommit() });
  addReplicationFiles(files, replicated);
  files.set(
    "timing.json",
    `${JSON.stringify(
      {
        wallSeconds,
        events,
        eventsPerSecond: events / wallSeconds,
        peakRssBytes: process.memoryUsage().rss,
        strategies: result.runs.map((run) => ({ name: run.entry.name, events: run.events })),
      },
      null,
      2,
    )}\n`,
  );
  // Plots and the report are made from the written CSVs, inside the temporary directory, so
  // they land together with the results or not at all.
  await writeResultsAtomically(
    outDir,
    files,
    args.plots === false ? undefined : async (dir) => void (await writePlots(dir, plotting)),
  );
  const summaries = Object.fromEntries(result.runs.map((run) => [run.entry.name, run.summary]));
  if (args.json) process.stdout.write(files.get("summary.json")!);
  else if (!args.quiet) {
    process.stdout.write(
      `${scenario.name} (seed ${scenario.seed}, ${scenario.durationSeconds} s simulated, ` +
        `${result.workload.size} sessions)\n\n${runTables(summaries, replicated)}\n\n` +
        `results in ${outDir}/ (${events} events in ${wallSeconds.toFixed(1)} s)\n`,
    );
  }
  return 0;
}

/**
 * Runs the `sim` command line with `argv` (without node and script) and returns the exit code:
 * 0 on success, 2 for a bad scenario or bad arguments, 1 for any other failure.
 */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const parser = yargs(argv)
    .scriptName("sim")
    .strict()
    .command(
      "run <scenario>",
      "simulate every strategy of a scenario on the same workload and write results",
      (y) =>
        y
          .positional("scenario", {
            type: "string",
            demandOption: true,
            describe: "scenario YAML file",
          })
          .option("out", { type: "string", describe: "results directory (default results/<name>)" })
          .option("seed", { type: "number", describe: "override the scenario's root seed" })
          .option("set", {
            type: "string",
            array: true,
            describe: "override a field: --set churn.abruptShare=0.3",
          })
          .option("quiet", {
            type: "boolean",
            default: false,
            describe: "print nothing on success",
          })
          .option("plots", {
            type: "boolean",
            default: true,
            describe: "write plots and report.html (--no-plots to skip)",
          })
          .options(RUN_POOL_OPTIONS)
          .options(PLOT_OPTIONS),
      async (args) => {
        exitCode = await commandRun(args as RunArguments);
      },
    )
    .command(
      "plot <dir>",
      "regenerate plots/*.svg and report.html of a results directory from its CSVs",
      (y) =>
        y
          .positional("dir", { type: "string", demandOption: true, describe: "results directory" })
          .options(PLOT_OPTIONS),
      async (args) => {
        const written = await writePlots(args.dir as string, plotOptions(args));
        process.stdout.write(`wrote ${written.length} files in ${args.dir}\n`);
      },
    )
    .command(
      "compare <dirs..>",
      "overlay several runs in one report and print a metric table with their differences",
      (y) =>
        y
          .positional("dirs", {
            type: "string",
            array: true,
            demandOption: true,
            describe: "results directories (two or more)",
          })
          .option("out", {
            type: "string",
            default: "results/compare",
            describe: "where to write the combined report",
          }),
      async (args) => {
        const dirs = args.dirs as string[];
        if (dirs.length < 2) throw new UsageError("compare needs at least two results directories");
        const { table, reportPath } = await compareRuns(dirs, args.out as string);
        process.stdout.write(`${table}\nreport: ${reportPath}\n`);
      },
    )
    .command(
      "strategies",
      "list the strategy types a scenario can use",
      () => {},
      () => {
        for (const [type, definition] of STRATEGIES)
          process.stdout.write(`${type.padEnd(16)} ${definition.description}\n`);
      },
    )
    .demandCommand(1, "name a command, e.g. sim run scenarios/high-churn.yaml")
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    })
    .help();
  experimentCommands(parser, (code) => {
    exitCode = code;
  });
  try {
    await parser.parseAsync();
  } catch (error) {
    if (error instanceof ScenarioError || error instanceof UsageError) {
      process.stderr.write(`sim: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`sim: ${message.split("\n")[0]}\n`);
    return 1;
  }
  return exitCode;
}
