/**
 * Runs `bin/sim.js` as a separate process and times it: wall time around the process, and CPU
 * time (user + system over all its threads) as the child reports it at exit through the
 * cpuAtExit.mjs preload. CPU time is the steadier figure on a shared machine. The preload goes
 * in NODE_OPTIONS rather than on the command line, so that `sim` starts as a user's does (a
 * simulating command starts itself again for huge pages, see bin/hugePages.js); both processes
 * then report, and their CPU times are added and the larger peak taken.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

/** How long one `sim` process took, and what it printed on stdout. */
export interface TimedSim {
  wallSeconds: number;
  cpuSeconds: number;
  /** The most memory the process held at once (peak resident set size), in bytes. */
  peakBytes: number;
  stdout: string;
}

/**
 * Runs `sim ...args` in `cwd`, from the compiled bundle unless `sources` (PEERCAST_SOURCES=1);
 * throws when it fails.
 */
export function timedSim(
  args: string[],
  options: { cwd?: string; sources: boolean; nodeOptions?: string[] },
): TimedSim {
  const preload = `--import ${join(ROOT, "bench", "cpuAtExit.mjs")}`;
  const env = {
    ...process.env,
    NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(" "),
    PEERCAST_SOURCES: options.sources ? "1" : "0",
  };
  const start = process.hrtime.bigint();
  const child = spawnSync(
    process.execPath,
    [...(options.nodeOptions ?? []), join(ROOT, "bin", "sim.js"), ...args],
    { cwd: options.cwd ?? ROOT, encoding: "utf8", env, maxBuffer: 1 << 26 },
  );
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (child.status !== 0) throw new Error(`sim ${args.join(" ")} failed: ${child.stderr}`);
  const reports = [...child.stderr.matchAll(/^max-rss-bytes (\d+)\ncpu-micros (\d+)$/gm)];
  if (reports.length === 0) throw new Error("the child did not report its CPU time");
  return {
    wallSeconds,
    cpuSeconds: reports.reduce((sum, m) => sum + Number(m[2]), 0) / 1e6,
    peakBytes: Math.max(...reports.map((m) => Number(m[1]))),
    stdout: child.stdout,
  };
}

/** Rebuilds dist/ (`npm run build`), so that the bundle timed holds the current sources. */
export function buildBundle(): void {
  const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build.mjs")], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
}
