/**
 * The README's timed examples besides the quick start, each as written there and run as a user
 * runs it (from the compiled bundle, rebuilt first; default worker pool) in a scratch copy of
 * scenarios/ and results/baselines/, so that nothing in the checkout is written:
 *
 * - `sim run scenarios/ci.yaml` (the replications example);
 * - `sim sweep scenarios/sweep-churn.yaml --out results/sweep-churn` (the sweep example);
 * - `sim check scenarios/ci.yaml --baseline results/baselines/ci.json` (the CI gate).
 *
 * Reports the mean wall and CPU time (user + system over all threads) of a few processes each.
 * The README's figures for these examples are these numbers.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildBundle, timedSim } from "./timedSim.ts";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = 3;

const EXAMPLES: { args: string[]; scratch: string[] }[] = [
  { args: ["run", "scenarios/ci.yaml", "--quiet"], scratch: ["results/ci"] },
  {
    args: ["sweep", "scenarios/sweep-churn.yaml", "--out", "results/sweep-churn", "--quiet"],
    scratch: ["results/sweep-churn"],
  },
  {
    args: ["check", "scenarios/ci.yaml", "--baseline", "results/baselines/ci.json", "--quiet"],
    scratch: [],
  },
];

export async function run(): Promise<void> {
  buildBundle();
  const dir = mkdtempSync(join(tmpdir(), "sim-examples-bench-"));
  try {
    cpSync(join(ROOT, "scenarios"), join(dir, "scenarios"), { recursive: true });
    mkdirSync(join(dir, "results"));
    cpSync(join(ROOT, "results", "baselines"), join(dir, "results", "baselines"), {
      recursive: true,
    });
    const rows = [
      `README examples (dist/, ${availableParallelism()} worker threads), mean of ${RUNS}     wall       CPU`,
    ];
    for (const example of EXAMPLES) {
      let wall = 0;
      let cpu = 0;
      for (let k = 0; k < RUNS; k++) {
        // Each run starts from nothing, as the README's first run of the command does.
        for (const path of example.scratch)
          rmSync(join(dir, path), { recursive: true, force: true });
        const t = timedSim(example.args, { cwd: dir, sources: false });
        wall += t.wallSeconds;
        cpu += t.cpuSeconds;
      }
      const name = `sim ${example.args.filter((a) => a !== "--quiet").join(" ")}`;
      rows.push(
        `${name.padEnd(68)}${(wall / RUNS).toFixed(1).padStart(6)} s${(cpu / RUNS).toFixed(1).padStart(8)} s`,
      );
    }
    console.log(rows.join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
