import { join, resolve } from "node:path";
import type { Argv } from "yargs";
import { emitJobs, MAX_SHARDS } from "../../experiments/jobs.ts";
import { createPool } from "../../experiments/pool.ts";
import { runSweepUnits } from "../../experiments/runSweep.ts";
import { loadSweep } from "../../experiments/sweepFile.ts";
import {
  parseShard,
  readManifest,
  readUnits,
  shardUnits,
  sweepManifest,
  type UnitFailure,
  unitCount,
  writeUnit,
} from "../../experiments/sweepResults.ts";
import type { SweepManifest, UnitResult } from "../../results/schema.ts";
import { projectRoot } from "../projectRoot.ts";
import {
  printWarnings,
  scenarioWarnings,
  sweepWarningLines,
  warningLine,
} from "../scenarioWarnings.ts";
import { TaskProgress } from "../taskProgress.ts";
import { UsageError } from "../usageError.ts";
import { countOption, workerCount } from "./runOnPool.ts";
import { finishSweepDirectory, prepareSweepDirectory } from "./sweepDirectory.ts";

const simScript = join(projectRoot, "bin", "sim.js");

/** Options of `sim sweep`. */
interface SweepArguments {
  file: string;
  out?: string;
  workers?: number;
  resume?: boolean;
  shard?: string;
  emitJobs?: string;
  shards?: number;
  quiet?: boolean;
  plots?: boolean;
}

function describePoint(manifest: SweepManifest, failure: UnitFailure): string {
  const values = manifest.fields.map((f) => `${f}=${manifest.points[failure.point][f]}`);
  return `grid point ${values.join(", ")}, replication ${failure.replication}, strategy ${failure.strategy}: ${failure.error}`;
}

async function sweep(args: SweepArguments): Promise<number> {
  const shard = args.shard === undefined ? undefined : parseShard(args.shard);
  if (args.shard !== undefined && !shard)
    throw new UsageError(`--shard ${args.shard}: expected I/N with 0 <= I < N, e.g. --shard 0/4`);
  const definition = loadSweep(args.file);
  const manifest = sweepManifest(definition);
  const total = unitCount(manifest);

  if (args.emitJobs !== undefined) {
    const shards = countOption("shards", args.shards, 1, MAX_SHARDS) ?? Math.min(total, 100);
    const { sbatch, jobs } = emitJobs({
      name: definition.name,
      sweepFile: args.file,
      simScript,
      dir: args.emitJobs,
      shards,
    });
    if (!args.quiet)
      process.stdout.write(
        `${total} units (${manifest.points.length} points x ${manifest.replications} replications) ` +
          `in ${shards} shards\nSlurm:        sbatch ${sbatch}\nGNU parallel: parallel < ${jobs}\n` +
          `then:         sim merge ${join(resolve(args.emitJobs), "parts")}/shard-* --out DIR\n`,
      );
    return 0;
  }

  const outDir = args.out ?? join("results", definition.name);
  const finished = prepareSweepDirectory(outDir, manifest, args.resume === true);
  // What `sim run` would warn about at each grid point, each distinct line once.
  printWarnings(
    sweepWarningLines(
      definition.points.map((point) => ({
        values: point.values,
        lines: scenarioWarnings(point.scenario, point.warnings).map((w) =>
          warningLine(w, definition.scenarioFile),
        ),
      })),
    ),
    args.quiet,
  );
  const mine = shardUnits(manifest, shard);
  const todo = mine.filter((u) => !finished.has(u));
  const pool = createPool(workerCount(args.workers, todo.length * manifest.strategies.length));
  const progress = new TaskProgress(!args.quiet, definition.name);
  let done = 0;
  let outcome: Awaited<ReturnType<typeof runSweepUnits>>;
  try {
    outcome = await runSweepUnits(definition, todo, pool, (unit) => {
      if ("summaries" in unit) writeUnit(outDir, manifest, unit);
      progress.update(++done, todo.length);
    });
  } finally {
    progress.end();
    await pool.close();
  }
  const units = [
    ...mine.filter((u) => finished.has(u)).map((u) => finished.get(u)!),
    ...outcome.results,
  ];
  finishSweepDirectory(outDir, manifest, units, outcome.failures, args.plots !== false && !shard);
  for (const failure of outcome.failures)
    process.stderr.write(`sim: ${describePoint(manifest, failure)}\n`);
  if (!args.quiet) {
    const skipped = mine.length - todo.length;
    process.stdout.write(
      `${definition.name}: ${manifest.points.length} points x ${manifest.replications} replications x ` +
        `${manifest.strategies.length} strategies` +
        (shard ? `, shard ${shard.index}/${shard.count} (${mine.length} of ${total} units)` : "") +
        (skipped > 0 ? `, ${skipped} units already done` : "") +
        `\n${outcome.failures.length} failed; results in ${outDir}/\n`,
    );
  }
  return outcome.failures.length > 0 ? 1 : 0;
}

/** Options of `sim merge`. */
interface MergeArguments {
  parts: string[];
  out: string;
  quiet?: boolean;
  plots?: boolean;
}

function merge(args: MergeArguments): number {
  let manifest: SweepManifest | undefined;
  const units = new Map<number, UnitResult>();
  for (const part of args.parts) {
    const own = readManifest(part);
    if (!own) throw new UsageError(`${part}: not a sweep part (no sweep.json)`);
    if (manifest && own.fingerprint !== manifest.fingerprint)
      throw new UsageError(`${part}: a part of a different sweep than ${args.parts[0]}`);
    manifest ??= own;
    for (const [unit, result] of readUnits(part, own)) {
      const earlier = units.get(unit);
      if (earlier && JSON.stringify(earlier) !== JSON.stringify(result))
        throw new UsageError(`${part}: unit ${unit} differs from another part's`);
      units.set(unit, result);
    }
  }
  if (!manifest) throw new UsageError("merge needs at least one part");
  const missing = shardUnits(manifest).filter((u) => !units.has(u));
  if (missing.length > 0) {
    const first = missing[0];
    const point = manifest.points[Math.floor(first / manifest.replications)];
    throw new UsageError(
      `${missing.length} of ${unitCount(manifest)} units missing (first: ${Object.entries(point)
        .map(([f, v]) => `${f}=${v}`)
        .join(", ")}, replication ${first % manifest.replications}); did every shard finish?`,
    );
  }
  if (args.parts.some((p) => resolve(p) === resolve(args.out)))
    throw new UsageError("--out must not be one of the parts");
  prepareSweepDirectory(args.out, manifest, false);
  finishSweepDirectory(args.out, manifest, [...units.values()], [], args.plots !== false);
  if (!args.quiet)
    process.stdout.write(
      `merged ${args.parts.length} parts (${units.size} units) of ${manifest.name} into ${args.out}/\n`,
    );
  return 0;
}

/** Options `sim sweep` and `sim merge` share. */
const OUTPUT_OPTIONS = {
  quiet: { type: "boolean", default: false, describe: "print nothing on success" },
  plots: { type: "boolean", default: true, describe: "draw plots/ (--no-plots to skip)" },
} as const;

/** Registers `sim sweep` and `sim merge`; `setExitCode` receives each command's exit code. */
export function sweepCommands(y: Argv, setExitCode: (code: number) => void): Argv {
  return y
    .command(
      "sweep <file>",
      "run a grid of scenario variants x replications on every core (or emit cluster jobs)",
      (c) =>
        c
          .positional("file", { type: "string", demandOption: true, describe: "sweep YAML file" })
          .option("out", { type: "string", describe: "results directory (default results/<name>)" })
          .option("workers", { type: "number", describe: "worker threads (default: cores)" })
          .option("resume", {
            type: "boolean",
            default: false,
            describe: "skip units already done in --out",
          })
          .option("shard", { type: "string", describe: "run only shard I of N: --shard I/N" })
          .option("emit-jobs", {
            type: "string",
            describe: "write slurm.sbatch and jobs.txt into this directory",
          })
          .option("shards", {
            type: "number",
            describe: "shards for --emit-jobs (default: units, at most 100)",
          })
          .options(OUTPUT_OPTIONS),
      async (a) => setExitCode(await sweep(a as unknown as SweepArguments)),
    )
    .command(
      "merge <parts..>",
      "combine the parts of a sharded sweep into one results directory",
      (c) =>
        c
          .positional("parts", {
            type: "string",
            array: true,
            demandOption: true,
            describe: "part directories",
          })
          .option("out", { type: "string", demandOption: true, describe: "results directory" })
          .options(OUTPUT_OPTIONS),
      (a) => setExitCode(merge(a as unknown as MergeArguments)),
    );
}
