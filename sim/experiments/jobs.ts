import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Most shards a job script may have (a limit well under Slurm's default MaxArraySize). */
export const MAX_SHARDS = 1000;

/** Shell-quotes a word (single quotes; a quote inside becomes '\''). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** What the job files need: absolute paths, so they run from any directory or host. */
export interface JobsInput {
  /** The sweep's name (the Slurm job name). */
  name: string;
  /** The sweep file. */
  sweepFile: string;
  /** bin/sim.js of this checkout. */
  simScript: string;
  /** Directory for the job files; parts go to DIR/parts/shard-I, logs to DIR/logs. */
  dir: string;
  shards: number;
}

/** The command that runs shard `index` (one worker: the scheduler gives each task a core). */
function shardCommand(input: JobsInput, index: string): string {
  const dir = resolve(input.dir);
  return [
    "node",
    shellQuote(resolve(input.simScript)),
    "sweep",
    shellQuote(resolve(input.sweepFile)),
    "--shard",
    `${index}/${input.shards}`,
    "--out",
    `${shellQuote(join(dir, "parts"))}/shard-${index}`,
    "--workers",
    "1",
    "--no-plots",
    "--quiet",
  ].join(" ");
}

/**
 * Writes DIR/slurm.sbatch (a job array, one task per shard: `sbatch DIR/slurm.sbatch`) and
 * DIR/jobs.txt (one shard command a line: `parallel < DIR/jobs.txt`, with `--sshlogin` across
 * hosts that share the file system), and creates DIR/parts and DIR/logs. Returns the paths.
 */
export function emitJobs(input: JobsInput): { sbatch: string; jobs: string } {
  const dir = resolve(input.dir);
  mkdirSync(join(dir, "parts"), { recursive: true });
  mkdirSync(join(dir, "logs"), { recursive: true });
  const sbatch = join(dir, "slurm.sbatch");
  const jobs = join(dir, "jobs.txt");
  writeFileSync(
    sbatch,
    [
      "#!/bin/bash",
      `#SBATCH --job-name=sim-${input.name}`,
      `#SBATCH --array=0-${input.shards - 1}`,
      "#SBATCH --ntasks=1",
      "#SBATCH --cpus-per-task=1",
      `#SBATCH --output=${join(dir, "logs")}/shard-%a.out`,
      "# One array task per shard of the sweep; merge the parts when all are done:",
      `#   node ${shellQuote(resolve(input.simScript))} merge ${shellQuote(join(dir, "parts"))}/shard-* --out RESULTS`,
      "set -euo pipefail",
      `exec ${shardCommand(input, "$SLURM_ARRAY_TASK_ID")}`,
      "",
    ].join("\n"),
  );
  const lines = Array.from({ length: input.shards }, (_, i) => shardCommand(input, String(i)));
  writeFileSync(jobs, `${lines.join("\n")}\n`);
  return { sbatch, jobs };
}
