import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, watch } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HUGE_PAGES_TUNABLE, hugePagesEnvironment } from "../../bin/hugePages.js";
import { leftovers, REPO_ROOT, scratchDirectory } from "../support/scratchDirectory.ts";

// The launcher in bin/sim.js runs a simulating command again in a child process with huge
// pages. These tests run the real launcher (PEERCAST_HUGE_PAGES=1 forces it whatever the
// machine's kernel allows) and look at its processes through Linux's /proc.

const dir = scratchDirectory("sim-launcher-test-", {
  "bad.yaml": "name: bad\nduration: -3min\n",
});
const SCALE = join(REPO_ROOT, "scenarios", "scale-100k.yaml");
/** A run of a few seconds: long enough to find its processes and signal them mid-simulation. */
const LONG_RUN = [
  "run",
  SCALE,
  "--workers",
  "0",
  "--no-plots",
  "--quiet",
  "--set",
  "churn.arrivals[0].count=20000",
  "--set",
  "churn.arrivals[1].rate=4000/min",
  "--set",
  "duration=3min",
  "--set",
  "strategies=[{name: tree, type: tree-relay}]",
];

/** Starts bin/sim.js with `args` and PEERCAST_HUGE_PAGES=`choice`. */
function start(args: string[], choice: "0" | "1"): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, PEERCAST_HUGE_PAGES: choice };
  delete env.GLIBC_TUNABLES;
  return spawn(process.execPath, [join(REPO_ROOT, "bin", "sim.js"), ...args], {
    cwd: dir,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/** The child processes of `pid` (all its threads'), from /proc. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .split(" ")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Whether `pid` is a running (not a zombie) process. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
}

/** Resolves with the first value `probe` gives that is not undefined; polls every 20 ms. */
async function until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((done) => setTimeout(done, 20));
  }
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((done) => {
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += String(chunk);
    });
    child.on("exit", (code, signal) => done({ code, signal, stderr }));
  });

/** The environment `pid` was started with, one `NAME=value` per entry; [] once it is gone. */
function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  } catch {
    return [];
  }
}

/**
 * The simulating child of the launcher `launcher`, once it runs the new program. A child is
 * visible in /proc from its fork, before its exec: until then its environment reads as its
 * parent's, or as empty while exec swaps the address space, so this waits for the entry that
 * only the launcher's child is given.
 */
const simulator = (launcher: ChildProcess) =>
  until(() => {
    const child = childrenOf(launcher.pid!)[0];
    const marker = `PEERCAST_LAUNCHER_PID=${launcher.pid}`;
    return child !== undefined && environOf(child).includes(marker) ? child : undefined;
  }, 30_000);

describe("hugePagesEnvironment: when sim starts itself again with huge pages", () => {
  const machine = (mode: string, glibc: string | undefined, platform = "linux") => ({
    platform,
    mode: () => mode,
    glibc: () => glibc,
  });
  const madvise = "always [madvise] never\n";

  it("on Linux with glibc 2.35 or later when the kernel gives huge pages on request", () => {
    expect(hugePagesEnvironment({ HOME: "/h" }, machine(madvise, "2.36"))).toEqual({
      HOME: "/h",
      GLIBC_TUNABLES: HUGE_PAGES_TUNABLE,
    });
    expect(hugePagesEnvironment({}, machine(madvise, "2.35"))).toBeDefined();
    expect(hugePagesEnvironment({}, machine(madvise, "3.0"))).toBeDefined();
  });

  it("not where it cannot help: other kernel modes, old or no glibc, other systems", () => {
    expect(hugePagesEnvironment({}, machine("[always] madvise never", "2.36"))).toBeUndefined();
    expect(hugePagesEnvironment({}, machine("always madvise [never]", "2.36"))).toBeUndefined();
    expect(hugePagesEnvironment({}, machine(madvise, "2.34"))).toBeUndefined();
    expect(hugePagesEnvironment({}, machine(madvise, "1.99"))).toBeUndefined();
    expect(hugePagesEnvironment({}, machine(madvise, undefined))).toBeUndefined();
    expect(hugePagesEnvironment({}, machine(madvise, "2.36", "darwin"))).toBeUndefined();
  });

  it("keeps the user's tunables, and never replaces a hugetlb setting of theirs", () => {
    const env = { GLIBC_TUNABLES: "glibc.malloc.arena_max=2" };
    expect(hugePagesEnvironment(env, machine(madvise, "2.36"))?.GLIBC_TUNABLES).toBe(
      `glibc.malloc.arena_max=2:${HUGE_PAGES_TUNABLE}`,
    );
    const theirs = { GLIBC_TUNABLES: "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0" };
    expect(hugePagesEnvironment(theirs, machine(madvise, "2.36"))).toBeUndefined();
  });

  it("PEERCAST_HUGE_PAGES=0 turns it off, =1 asks for it whatever the kernel and glibc", () => {
    expect(hugePagesEnvironment({ PEERCAST_HUGE_PAGES: "0" }, machine(madvise, "2.36"))).toBe(
      undefined,
    );
    const forced = hugePagesEnvironment({ PEERCAST_HUGE_PAGES: "1" }, machine("[never]", "2.1"));
    expect(forced?.GLIBC_TUNABLES).toBe(HUGE_PAGES_TUNABLE);
    expect(
      hugePagesEnvironment({ PEERCAST_HUGE_PAGES: "1" }, machine(madvise, "2.36", "win32")),
    ).toBeUndefined();
  });
});

describe.runIf(process.platform === "linux")("bin/sim.js launcher (huge pages)", () => {
  it("runs the simulation in one child with glibc's huge page tunable, and exits as it does", async () => {
    const out = join(dir, "whole");
    const launcher = start([...LONG_RUN, "--set", "duration=30s", "--out", out], "1");
    const result = exited(launcher);
    const child = await simulator(launcher);
    expect(environOf(child)).toContain("GLIBC_TUNABLES=glibc.malloc.hugetlb=1");
    expect(environOf(launcher.pid!).some((line) => line.startsWith("GLIBC_TUNABLES="))).toBe(false);
    expect(await result).toEqual({ code: 0, signal: null, stderr: "" });
    expect(existsSync(join(out, "summary.json"))).toBe(true);
  });

  it("passes on the child's exit code and its one-line error", async () => {
    const out = join(dir, "bad-out");
    const result = await exited(start(["run", join(dir, "bad.yaml"), "--out", out], "1"));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `sim: ${join(dir, "bad.yaml")}:2: duration: must be greater than 0s, got -180s\n`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("with PEERCAST_HUGE_PAGES=0 runs in one process", async () => {
    const out = join(dir, "single");
    const launcher = start([...LONG_RUN, "--set", "duration=30s", "--out", out], "0");
    const result = exited(launcher);
    // Give a launcher time to start a child; the run itself lasts longer than this.
    await new Promise((done) => setTimeout(done, 1500));
    expect(childrenOf(launcher.pid!)).toEqual([]);
    expect((await result).code).toBe(0);
  });

  it("SIGTERM to the launcher stops the simulation, and the launcher dies of it", async () => {
    const out = join(dir, "terminated");
    const launcher = start([...LONG_RUN, "--out", out], "1");
    const result = exited(launcher);
    const child = await simulator(launcher);
    launcher.kill("SIGTERM");
    expect((await result).signal).toBe("SIGTERM");
    expect(running(child)).toBe(false);
    expect(existsSync(out)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });

  it("SIGKILL to the launcher: the orphaned simulation kills itself before it writes", async () => {
    const out = join(dir, "killed");
    const launcher = start([...LONG_RUN, "--out", out], "1");
    const result = exited(launcher);
    const child = await simulator(launcher);
    launcher.kill("SIGKILL");
    expect((await result).signal).toBe("SIGKILL");
    // The child checks for its parent before it writes anything, at the end of the simulation.
    await until(() => (running(child) ? undefined : true), 120_000);
    expect(existsSync(out)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  }, 130_000);

  it("SIGKILL to the launcher while writing: the child stops before the result is in place", async () => {
    const parent = join(dir, "writing");
    mkdirSync(parent);
    const out = join(parent, "res");
    // With plots, so that the write phase lasts long enough for the kill to land in it.
    const withPlots = LONG_RUN.filter((arg) => arg !== "--no-plots");
    const launcher = start([...withPlots, "--set", "duration=30s", "--out", out], "1");
    const result = exited(launcher);
    const child = await simulator(launcher);
    const watcher = watch(parent, (_event, name) => {
      if (name?.startsWith(".tmp-")) {
        watcher.close();
        launcher.kill("SIGKILL");
      }
    });
    expect((await result).signal).toBe("SIGKILL");
    await until(() => (running(child) ? undefined : true), 60_000);
    // Killed part-way, like a single process: its temporary directory stays, for the next
    // run to clean up, and no result appeared.
    expect(leftovers(parent)).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    const again = await exited(start([...LONG_RUN, "--set", "duration=30s", "--out", out], "1"));
    expect(again.code).toBe(0);
    expect(leftovers(parent)).toEqual([]);
    expect(existsSync(join(out, "summary.json"))).toBe(true);
  }, 90_000);
});
