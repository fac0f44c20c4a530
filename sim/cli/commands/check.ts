import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Argv } from "yargs";
import {
  baselineProblem,
  compareWithBaseline,
  GATE_CONFIDENCE,
  gateTable,
  makeBaseline,
  mismatch,
} from "../../experiments/gate.ts";
import { createPool } from "../../experiments/pool.ts";
import { runReplicated } from "../../experiments/runReplicated.ts";
import type { Baseline } from "../../results/schema.ts";
import { loadScenario, parseOverride } from "../../scenario/load.ts";
import type { ScenarioWarning } from "../../scenario/reader.ts";
import { printWarnings, scenarioWarnings, warningLine } from "../scenarioWarnings.ts";
import { TaskProgress } from "../taskProgress.ts";
import { UsageError } from "../usageError.ts";
import { workerCount } from "./runOnPool.ts";

/** Options of `sim check`. */
interface CheckArguments {
  scenario: string;
  baseline?: string;
  set?: string[];
  workers?: number;
  updateBaseline?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** Reads and validates a baseline file; every problem is a usage error (exit 2). */
function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`${file}: cannot read the baseline (make one with --update-baseline)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: malformed baseline: ${(error as Error).message.split("\n")[0]}`);
  }
  const problem = baselineProblem(value);
  if (problem) throw new UsageError(`${file}: malformed baseline: ${problem}`);
  return value as Baseline;
}

function tryReadBaseline(file: string): Baseline | undefined {
  try {
    return readBaseline(file);
  } catch {
    return undefined;
  }
}

async function check(args: CheckArguments): Promise<number> {
  const overrides = (args.set ?? []).map((text) => {
    try {
      return parseOverride(text);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  const loaded: ScenarioWarning[] = [];
  const scenario = loadScenario(args.scenario, overrides, undefined, (w) => loaded.push(w));
  const file = args.baseline ?? join("results", "baselines", `${scenario.name}.json`);
  const update = args.updateBaseline === true;
  const old = update ? tryReadBaseline(file) : readBaseline(file);
  if (old && !update) {
    const problem = mismatch(old, scenario);
    if (problem) throw new UsageError(`${file}: does not match ${args.scenario}: ${problem}`);
  }
  const replications = update ? scenario.replications : old!.replications;
  if (replications < 2)
    throw new UsageError(
      `${args.scenario}: the gate needs replications: 2 or more (their spread sets the tolerance)`,
    );
  const workers = workerCount(args.workers, replications * scenario.strategies.length);
  // As `sim run` warns, once, however many replications the gate runs (every argument and the
  // baseline are checked first, so that a usage error is the only line a bad command prints).
  printWarnings(
    scenarioWarnings(scenario, loaded).map((w) => warningLine(w, args.scenario)),
    args.quiet,
  );
  const pool = createPool(workers);
  const progress = new TaskProgress(!args.quiet && !args.json, `check ${scenario.name}`);
  let now: Baseline;
  try {
    const { replicated } = await runReplicated(scenario, pool, {
      replications,
      onTaskDone: (done, total) => progress.update(done, total),
    });
    now = makeBaseline(scenario, replicated);
  } finally {
    progress.end();
    await pool.close();
  }
  const comparable = old && !mismatch(old, scenario, !update);
  const rows = comparable ? compareWithBaseline(old, now) : [];
  const regressions = rows.filter((r) => r.verdict === "REGRESSION").length;
  const identical = rows.length > 0 && rows.every((r) => r.verdict === "identical");
  if (update) {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.tmp-${process.pid}`;
    writeFileSync(temporary, `${JSON.stringify(now, null, 2)}\n`);
    renameSync(temporary, file);
  }
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          scenario: scenario.name,
          baseline: file,
          replications,
          confidence: GATE_CONFIDENCE,
          updated: update,
          rows,
          regressions,
          identical,
        },
        null,
        2,
      )}\n`,
    );
  } else if (!args.quiet || regressions > 0) {
    const verdict = update
      ? comparable
        ? `baseline ${file} rewritten; the table shows what changed`
        : `baseline ${file} written (${replications} replications)`
      : identical
        ? "identical: the model reproduces the baseline exactly"
        : regressions > 0
          ? `${regressions} regression(s) beyond the ${GATE_CONFIDENCE * 100}% one-sided Welch limit`
          : `passed: no metric rose beyond the ${GATE_CONFIDENCE * 100}% one-sided Welch limit`;
    process.stdout.write(
      `${rows.length > 0 ? `${gateTable(rows)}\n\n` : ""}${scenario.name}, ${replications} replications: ${verdict}\n`,
    );
  }
  return update ? 0 : regressions > 0 ? 1 : 0;
}

/** Registers `sim check`; `setExitCode` receives its exit code. */
export function checkCommand(y: Argv, setExitCode: (code: number) => void): Argv {
  return y.command(
    "check <scenario>",
    "regression gate: compare startup and stall metrics with a committed baseline (exit 1 on a regression)",
    (c) =>
      c
        .positional("scenario", {
          type: "string",
          demandOption: true,
          describe: "scenario YAML file",
        })
        .option("baseline", {
          type: "string",
          describe: "baseline JSON (default results/baselines/<name>.json)",
        })
        .option("set", { type: "string", array: true, describe: "override a field, as in sim run" })
        .option("workers", { type: "number", describe: "worker threads (default: cores)" })
        .option("update-baseline", {
          type: "boolean",
          default: false,
          describe: "rewrite the baseline from this run and show what changed",
        })
        .option("json", { type: "boolean", default: false, describe: "print the table as JSON" })
        .option("quiet", { type: "boolean", default: false, describe: "print only regressions" }),
    async (a) => setExitCode(await check(a as unknown as CheckArguments)),
  );
}
