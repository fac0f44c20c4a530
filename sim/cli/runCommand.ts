import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { writePlots } from "../../analysis/plot.ts";
import { MAX_REPLICATIONS } from "../experiments/limits.ts";
import { addReplicationFiles } from "../experiments/resultFiles.ts";
import { renderResults, writeResults } from "../run/output.ts";
import { planOutput, recoverStale } from "../run/outputDirectory.ts";
import { loadScenario, type Override, parseOverride } from "../scenario/load.ts";
import type { ScenarioWarning } from "../scenario/reader.ts";
import type { SimCommand } from "./command.ts";
import {
  countOption,
  RUN_POOL_OPTIONS,
  runOnPool,
  runTables,
  workerCount,
} from "./commands/runOnPool.ts";
import { PLOT_OPTIONS, plotOptions } from "./plotOptions.ts";
import { projectRoot } from "./projectRoot.ts";
import { printWarnings, scenarioWarnings, warningLine } from "./scenarioWarnings.ts";
import { UsageError } from "./usageError.ts";

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
  seed?: string;
  set?: string[];
  quiet?: boolean;
  plots?: boolean;
  force?: boolean;
  replications?: number;
  workers?: number;
  json?: boolean;
  format?: string;
  dpi?: number;
}

/** The `--seed` value, checked: a whole number a scenario's `seed` may hold. */
function checkSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seed = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || seed > 2 ** 32 - 1) {
    throw new UsageError(`--seed ${text}: expected a whole number from 0 to ${2 ** 32 - 1}`);
  }
  return seed;
}

async function commandRun(args: RunArguments): Promise<number> {
  const plotting = plotOptions(args);
  // A malformed --set is a usage error (exit 2), like any other bad argument.
  const overrides: Override[] = (args.set ?? []).map((text) => {
    try {
      return parseOverride(text);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  const seed = checkSeed(args.seed);
  const loaded: ScenarioWarning[] = [];
  let scenario = loadScenario(args.scenario, overrides, undefined, (w) => loaded.push(w));
  // A seed other than the scenario's gets a directory of its own, so that it never replaces the
  // scenario's own result.
  const name = scenario.name || basename(args.scenario, extname(args.scenario));
  const ownSeed = seed === undefined || seed === scenario.seed;
  if (seed !== undefined) scenario = { ...scenario, seed };
  const out = args.out ?? join("results", ownSeed ? name : `${name}-seed${seed}`);
  const plan = planOutput(out, args.force === true);
  // Every argument is checked before the first warning is printed, so that a usage error is
  // the only line a bad command prints.
  countOption("replications", args.replications, 1, MAX_REPLICATIONS);
  workerCount(args.workers, 1);
  recoverStale(plan.outDir);
  // What cannot work as written, before any strategy runs.
  const warnings = scenarioWarnings(scenario, loaded);
  printWarnings(
    warnings.map((w) => warningLine(w, args.scenario)),
    args.quiet,
  );
  // The wall clock is read here, in the CLI, never inside the model.
  const started = process.hrtime.bigint();
  const { result, replicated } = await runOnPool(scenario, args);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const events = result.runs.reduce((sum, run) => sum + run.events, 0);
  const files = renderResults(result, {
    version: packageVersion(),
    gitCommit: gitCommit(),
    warnings,
  });
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
  await writeResults(
    plan,
    files,
    args.plots === false ? undefined : async (dir) => void (await writePlots(dir, plotting)),
  );
  const summaries = Object.fromEntries(result.runs.map((run) => [run.entry.name, run.summary]));
  if (args.json) process.stdout.write(files.get("summary.json")!);
  else if (!args.quiet) {
    process.stdout.write(
      `${scenario.name} (seed ${scenario.seed}, ${scenario.durationSeconds} s simulated, ` +
        `${result.workload.size} sessions)\n\n${runTables(summaries, replicated)}\n\n` +
        `results in ${out}/ (${events} events in ${wallSeconds.toFixed(1)} s)\n`,
    );
  }
  return 0;
}

/** `sim run SCENARIO`: simulates every strategy of a scenario and writes the results. */
export const runCommand: SimCommand = {
  command: "run <scenario>",
  describe: "simulate every strategy of a scenario on the same workload and write results",
  builder: (y) =>
    y
      .positional("scenario", {
        type: "string",
        demandOption: true,
        describe: "scenario YAML file",
      })
      .option("out", {
        type: "string",
        requiresArg: true,
        describe:
          "results directory (default results/<name>, or results/<name>-seed<N> for another --seed)",
      })
      .option("seed", {
        type: "string",
        requiresArg: true,
        describe: "override the scenario's root seed",
      })
      .option("set", {
        type: "string",
        array: true,
        requiresArg: true,
        describe: "override a field: --set churn.abruptShare=0.3",
      })
      .option("force", {
        type: "boolean",
        default: false,
        describe: "write into an --out directory of other files (adds result files, deletes none)",
      })
      .option("quiet", {
        type: "boolean",
        default: false,
        describe: "print nothing on success (warnings still go to manifest.json)",
      })
      .option("plots", {
        type: "boolean",
        default: true,
        describe: "write plots and report.html (--no-plots to skip)",
      })
      .options(RUN_POOL_OPTIONS)
      .options(PLOT_OPTIONS),
  run: (args) => commandRun(args as unknown as RunArguments),
};
