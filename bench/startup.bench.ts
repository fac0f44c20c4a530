/**
 * Start-up benchmark: a whole `sim run` of a 10-peer scenario (one tree-relay strategy, one
 * simulated minute, plots and report written as by default), as separate processes, once from
 * the compiled bundle (dist/, `npm run build`) and once from the TypeScript sources through tsx
 * (PEERCAST_SOURCES=1). Nearly all of such a run is start-up: loading and compiling code.
 *
 * Reports the mean wall time and CPU time (user + system, read by the child itself at exit) of
 * each, and the ratio sources / compiled. CPU time is the steadier figure on a shared machine.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { timedSim } from "./timedSim.ts";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = 5;

const SCENARIO = `name: ten-peers
seed: 4
duration: 1min
stream: { bitrate: 400kbps, chunkDuration: 1s }
source: { upload: 8Mbps }
churn:
  arrivals:
    - { type: flash-crowd, count: 10, at: 5s, over: 5s }
  session: { distribution: exponential, mean: 10min }
strategies:
  - { name: tree, type: tree-relay, maxChildren: 4 }
`;

interface Timing {
  wallSeconds: number;
  cpuSeconds: number;
}

function runOnce(dir: string, sources: boolean): Timing {
  const out = join(dir, "out");
  rmSync(out, { recursive: true, force: true });
  const { wallSeconds, cpuSeconds } = timedSim(
    ["run", join(dir, "ten.yaml"), "--out", out, "--quiet"],
    { sources },
  );
  return { wallSeconds, cpuSeconds };
}

function mean(timings: Timing[]): Timing {
  const n = timings.length;
  return {
    wallSeconds: timings.reduce((s, t) => s + t.wallSeconds, 0) / n,
    cpuSeconds: timings.reduce((s, t) => s + t.cpuSeconds, 0) / n,
  };
}

export async function run(): Promise<void> {
  if (!existsSync(join(ROOT, "dist", "cli.js"))) {
    console.log("skipped: dist/cli.js is missing (run `npm run build` first)");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "sim-startup-bench-"));
  try {
    writeFileSync(join(dir, "ten.yaml"), SCENARIO);
    // Alternate the two so that a change in the machine's load hits both alike.
    const compiled: Timing[] = [];
    const sources: Timing[] = [];
    runOnce(dir, false); // warms the file cache
    for (let k = 0; k < RUNS; k++) {
      compiled.push(runOnce(dir, false));
      sources.push(runOnce(dir, true));
    }
    const c = mean(compiled);
    const s = mean(sources);
    const row = (name: string, t: Timing) =>
      `${name.padEnd(22)}${t.wallSeconds.toFixed(2).padStart(8)} s${t.cpuSeconds.toFixed(2).padStart(8)} s`;
    console.log(
      [
        `10-peer sim run, mean of ${RUNS} processes each      wall       CPU`,
        row("compiled (dist/)", c),
        row("sources through tsx", s),
        `ratio sources/compiled${(s.wallSeconds / c.wallSeconds).toFixed(2).padStart(8)}x${(s.cpuSeconds / c.cpuSeconds).toFixed(2).padStart(8)}x`,
      ].join("\n"),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
