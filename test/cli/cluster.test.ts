import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectSameTree } from "./files.ts";
import { sim } from "./runMain.ts";

/*
 * The emitted job files run by the real programs, not mocks: GNU parallel, and a single-node
 * Slurm cluster started by scripts/slurm-single-node.sh. .ci/run installs both; on a machine
 * without them the tests say so and skip.
 */
const root = resolve(import.meta.dirname, "../..");
const SWEEP = join(root, "scenarios", "sweep-churn.yaml");
const CLUSTER = join(root, "scripts", "slurm-single-node.sh");
const installed = (command: string) =>
  spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
const hasParallel = installed("parallel");
const hasSlurm = installed("sbatch") && installed("slurmctld") && installed("munged");
const parallelNote = hasParallel
  ? ""
  : " (skipped: GNU parallel is not installed; .ci/run installs it)";
const slurmNote = hasSlurm
  ? ""
  : " (skipped: slurm-wlm and munge are not installed; .ci/run installs them)";

const dir = mkdtempSync(join(tmpdir(), "sim-cluster-"));
let reference: string;
let startedCluster = false;

beforeAll(async () => {
  if (!hasParallel && !hasSlurm) return;
  reference = join(dir, "reference");
  expect((await sim("sweep", SWEEP, "--out", reference, "--quiet")).code).toBe(0);
  if (hasSlurm && spawnSync(CLUSTER, ["status"]).status !== 0) {
    const start = spawnSync(CLUSTER, ["start"], { encoding: "utf8", timeout: 60_000 });
    expect(start.status, start.stderr).toBe(0);
    startedCluster = true;
  }
});

afterAll(() => {
  // Leave a cluster that was already running (e.g. started by .ci/run) as it was.
  if (startedCluster) spawnSync(CLUSTER, ["stop"]);
  rmSync(dir, { recursive: true, force: true });
});

async function emit(name: string): Promise<string> {
  const jobs = join(dir, name);
  const r = await sim("sweep", SWEEP, "--emit-jobs", jobs, "--shards", "3", "--quiet");
  expect(r.code).toBe(0);
  return jobs;
}

async function mergeAndCompare(jobs: string): Promise<void> {
  const parts = [0, 1, 2].map((i) => join(jobs, "parts", `shard-${i}`));
  const merged = join(jobs, "merged");
  expect((await sim("merge", ...parts, "--out", merged, "--quiet")).code).toBe(0);
  expectSameTree(reference, merged);
}

describe("emitted jobs", () => {
  it("slurm.sbatch is a job array with one task per shard, jobs.txt one command a line", async () => {
    const jobs = await emit("files");
    const sbatch = readFileSync(join(jobs, "slurm.sbatch"), "utf8");
    expect(sbatch.startsWith("#!/bin/bash\n")).toBe(true);
    expect(sbatch).toContain("#SBATCH --array=0-2\n");
    expect(sbatch).toMatch(
      /--shard \$SLURM_ARRAY_TASK_ID\/3 --out \S+\/parts\/shard-\$SLURM_ARRAY_TASK_ID/,
    );
    const lines = readFileSync(join(jobs, "jobs.txt"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/ sweep \S+sweep-churn\.yaml --shard 2\/3 --out \S+\/parts\/shard-2 /);
  });

  it.skipIf(!hasParallel)(
    `run by GNU parallel and merged, equal the in-process sweep${parallelNote}`,
    async () => {
      const jobs = await emit("parallel");
      const run = spawnSync(
        "sh",
        ["-c", `parallel --jobs 2 --halt now,fail=1 < ${join(jobs, "jobs.txt")}`],
        {
          encoding: "utf8",
          timeout: 300_000,
        },
      );
      expect(run.status, run.stderr).toBe(0);
      await mergeAndCompare(jobs);
    },
  );

  it.skipIf(!hasSlurm)(
    `submitted to Slurm with sbatch --wait and merged, equal the in-process sweep${slurmNote}`,
    async () => {
      const jobs = await emit("slurm");
      const run = spawnSync("sbatch", ["--wait", join(jobs, "slurm.sbatch")], {
        encoding: "utf8",
        timeout: 300_000,
      });
      // On failure, show the array tasks' own logs too: they say why a shard stopped.
      const logs = () =>
        readdirSync(join(jobs, "logs"))
          .map((name) => `${name}:\n${readFileSync(join(jobs, "logs", name), "utf8")}`)
          .join("\n");
      expect(run.status, `${run.stdout}${run.stderr}${run.status === 0 ? "" : logs()}`).toBe(0);
      expect(run.stdout).toMatch(/^Submitted batch job \d+/);
      await mergeAndCompare(jobs);
    },
  );
});
