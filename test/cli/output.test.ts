import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, watch, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tinyScenario } from "../support/scenarios.ts";
import { leftovers, REPO_ROOT, scratchDirectory } from "../support/scratchDirectory.ts";
import { tree } from "./files.ts";
import { sim } from "./runMain.ts";

const TINY = tinyScenario("1min", ["{ name: tree, type: tree-relay, maxChildren: 4 }"]);
const dir = scratchDirectory("sim-output-test-", { "tiny.yaml": TINY });
const scenario = join(dir, "tiny.yaml");

/** Every file under `path`, relative, sorted, with its content. */
const snapshot = (path: string) => Object.fromEntries(tree(path));

describe("sim run --out: only results are ever replaced", () => {
  it("refuses a directory of user files with exit 2 and one line, and touches nothing", async () => {
    const mine = join(dir, "mine");
    mkdirSync(mine);
    writeFileSync(join(mine, "thesis.tex"), "precious");
    const result = await sim("run", scenario, "--out", mine, "--quiet", "--no-plots");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `sim: --out ${mine}: holds files that are not a result of this simulator (no manifest.json); name another directory, or add --force to write the result files into it without deleting anything\n`,
    );
    expect(snapshot(mine)).toEqual({ "thesis.tex": "precious" });
    expect(leftovers(dir)).toEqual([]);
  });

  it("with --force writes the result files into it and keeps the user's", async () => {
    const mine = join(dir, "mine-forced");
    mkdirSync(mine);
    writeFileSync(join(mine, "thesis.tex"), "precious");
    const result = await sim("run", scenario, "--out", mine, "--quiet", "--no-plots", "--force");
    expect(result.code).toBe(0);
    expect(readFileSync(join(mine, "thesis.tex"), "utf8")).toBe("precious");
    expect(existsSync(join(mine, "summary.json"))).toBe(true);
    // Now a result with a foreign file in it: a plain run still refuses to replace it.
    const again = await sim("run", scenario, "--out", mine, "--quiet", "--no-plots");
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/holds files that are not part of a result \(thesis\.tex\)/);
    expect(readFileSync(join(mine, "thesis.tex"), "utf8")).toBe("precious");
  });

  it("refuses '', '.', a file and the current directory with exit 2, leaving no temporary directory", async () => {
    writeFileSync(join(dir, "a-file"), "keep");
    const cases: [string, string][] = [
      ["", "sim: --out: the results directory is empty\n"],
      [
        ".",
        "sim: --out .: refusing to write results into the current directory; name a directory of their own, e.g. results/run\n",
      ],
      [
        process.cwd(),
        `sim: --out ${process.cwd()}: refusing to write results into the current directory; name a directory of their own, e.g. results/run\n`,
      ],
      [
        join(dir, "a-file"),
        `sim: --out ${join(dir, "a-file")}: is a file, not a results directory\n`,
      ],
    ];
    for (const [out, message] of cases) {
      for (const force of [[], ["--force"]]) {
        const result = await sim("run", scenario, "--out", out, "--quiet", ...force);
        expect(result.code).toBe(2);
        expect(result.stderr).toBe(message);
      }
    }
    expect(readFileSync(join(dir, "a-file"), "utf8")).toBe("keep");
    expect(leftovers(dir)).toEqual([]);
    expect(leftovers(process.cwd())).toEqual([]);
  });

  it("--out and --seed without a value are errors (exit 2), not ignored", async () => {
    const noSeed = await sim("run", scenario, "--seed");
    expect(noSeed).toMatchObject({
      code: 2,
      stderr: "sim: Not enough arguments following: seed\n",
    });
    const seedFlag = await sim("run", scenario, "--seed", "--quiet");
    expect(seedFlag).toMatchObject({
      code: 2,
      stderr: "sim: Not enough arguments following: seed\n",
    });
    const noOut = await sim("run", scenario, "--out");
    expect(noOut).toMatchObject({ code: 2, stderr: "sim: Not enough arguments following: out\n" });
    for (const bad of ["abc", "1.5", "-1", "4294967296"]) {
      const result = await sim("run", scenario, "--seed", bad, "--out", join(dir, "never"));
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `sim: --seed ${bad}: expected a whole number from 0 to 4294967295\n`,
      );
    }
    expect(existsSync(join(dir, "never"))).toBe(false);
  });

  it("a --seed other than the scenario's goes to its own default directory", async () => {
    const work = join(dir, "seeds");
    mkdirSync(work);
    const child = (...args: string[]) =>
      runChild(["run", scenario, "--quiet", "--no-plots", ...args], work);
    const first = await child();
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect((await child("--seed", "3")).code).toBe(0);
    expect((await child("--seed", "4")).code).toBe(0);
    expect(readdirSync(join(work, "results")).sort()).toEqual(["tiny", "tiny-seed3"]);
    const seedOf = (name: string) =>
      JSON.parse(readFileSync(join(work, "results", name, "summary.json"), "utf8")).seed;
    expect(seedOf("tiny")).toBe(4);
    expect(seedOf("tiny-seed3")).toBe(3);
  });
});

/** Runs bin/sim.js in `cwd`; resolves with its exit code, signal and stderr. */
function runChild(
  args: string[],
  cwd: string,
  onStart?: (child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "sim.js"), ...args], { cwd });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    child.on("error", fail);
    child.on("exit", (code, signal) => done({ code, signal, stderr }));
    onStart?.(child);
  });
}

/**
 * Runs `sim run` into `out` and sends `signal` as soon as its temporary directory appears
 * (the write phase), or after `delayMs` when given (an earlier phase).
 */
function interrupted(out: string, signal: NodeJS.Signals, delayMs?: number) {
  const parent = resolve(out, "..");
  mkdirSync(parent, { recursive: true });
  return runChild(["run", scenario, "--out", out, "--quiet"], dir, (child) => {
    if (delayMs !== undefined) {
      setTimeout(() => child.kill(signal), delayMs);
      return;
    }
    const watcher = watch(parent, (_event, name) => {
      if (name?.startsWith(".tmp-")) {
        watcher.close();
        child.kill(signal);
      }
    });
    child.on("exit", () => watcher.close());
  });
}

describe("sim run interrupted: no temporary directory is left and the old result stays whole", () => {
  let previous: Record<string, string>;
  const out = () => join(dir, "signals", "res");

  beforeAll(async () => {
    expect((await sim("run", scenario, "--out", out(), "--quiet")).code).toBe(0);
    previous = snapshot(out());
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} while the result is being written`, async () => {
      const result = await interrupted(out(), signal);
      expect(result.signal).toBe(signal);
      expect(leftovers(join(dir, "signals"))).toEqual([]);
      expect(snapshot(out())).toEqual(previous);
    });
  }

  it("SIGTERM early in the run", async () => {
    const result = await interrupted(out(), "SIGTERM", 50);
    expect(result.signal).toBe("SIGTERM");
    expect(leftovers(join(dir, "signals"))).toEqual([]);
    expect(snapshot(out())).toEqual(previous);
  });

  it("SIGKILL while writing leaves a temporary directory that the next run cleans up", async () => {
    const result = await interrupted(out(), "SIGKILL");
    expect(result.signal).toBe("SIGKILL");
    expect(leftovers(join(dir, "signals"))).toHaveLength(1);
    expect(snapshot(out())).toEqual(previous);
    expect((await sim("run", scenario, "--out", out(), "--quiet", "--no-plots")).code).toBe(0);
    expect(leftovers(join(dir, "signals"))).toEqual([]);
  });
});

describe("plot and compare: directory errors exit 2 naming the directory and the argument", () => {
  it("a missing, a non-results and a file argument", async () => {
    const missing = join(dir, "no-such-results");
    const plot = await sim("plot", missing);
    expect(plot).toMatchObject({
      code: 2,
      stderr: `sim: ${missing}: dir: no such directory (write one with 'sim run SCENARIO --out ${missing}')\n`,
    });
    mkdirSync(join(dir, "not-results"), { recursive: true });
    const compare = await sim("compare", missing, join(dir, "not-results"));
    expect(compare.code).toBe(2);
    expect(compare.stderr).toBe(
      `sim: ${missing}: dirs[0]: no such directory (write one with 'sim run SCENARIO --out ${missing}')\n`,
    );
    writeFileSync(join(dir, "plain-file"), "x");
    expect(await sim("plot", join(dir, "plain-file"))).toMatchObject({
      code: 2,
      stderr: `sim: ${join(dir, "plain-file")}: dir: not a directory\n`,
    });
    expect(await sim("plot", join(dir, "not-results"))).toMatchObject({
      code: 2,
      stderr: `sim: ${join(dir, "not-results")}: dir: not a results directory (no summary.json)\n`,
    });
  });
});

describe("sim run: warnings", () => {
  it("prints one line per problem and lists them in manifest.json", async () => {
    const file = join(dir, "warned.yaml");
    writeFileSync(
      file,
      `${TINY.replace("    - { type: poisson, rate: 20/min }", "    - { type: poisson, rate: 120/min }\n    - { type: flash-crowd, count: 5, at: 2min }")}  - { name: cs, type: client-server }\n`,
    );
    const out = join(dir, "warned");
    const result = await sim("run", file, "--out", out, "--no-plots");
    expect(result.code).toBe(0);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(
      `sim: warning: ${file}:9: churn.arrivals[1].at: is at 120s, not before the end of the run (60s): its 5 viewers never join`,
    );
    expect(lines[1]).toMatch(
      /^sim: warning: .*warned\.yaml: source\.upload: 8 Mbps serves at most 20 viewers at 400 kbps from the source alone, but up to \d+ are online at once \(at [\d.]+s in the generated workload\): cs cannot sustain the stream$/,
    );
    expect(lines).toHaveLength(2);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.warnings.map((w: { field: string }) => w.field)).toEqual([
      "churn.arrivals[1].at",
      "source.upload",
    ]);
    expect(manifest.warnings[0]).toMatchObject({ line: 9 });
  });
});
