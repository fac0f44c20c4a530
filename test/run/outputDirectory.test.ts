import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  foreignEntries,
  isResultDirectory,
  OutputDirectoryError,
  planOutput,
  recoverStale,
  scratchName,
  swapIntoPlace,
} from "../../sim/run/outputDirectory.ts";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sim-outdir-test-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a minimal previous result (manifest plus summary) into `path`, tagged with `tag`. */
function fakeResult(path: string, tag: string): void {
  mkdirSync(path, { recursive: true });
  writeFileSync(
    join(path, "manifest.json"),
    JSON.stringify({ seed: 1, version: "0.1.0", scenario: { name: tag }, strategies: [] }),
  );
  writeFileSync(join(path, "summary.json"), tag);
}

/** A process id that belonged to a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid as number;
}

/** The message planOutput refuses `out` with. */
function refusal(out: string, force = false): string {
  try {
    planOutput(out, force);
  } catch (error) {
    expect(error).toBeInstanceOf(OutputDirectoryError);
    return (error as Error).message;
  }
  throw new Error(`${out} was accepted`);
}

describe("planOutput: which directories a result may go to", () => {
  it("creates a missing directory and reuses an empty one", () => {
    expect(planOutput(join(dir, "new"), false)).toEqual({
      kind: "create",
      outDir: join(dir, "new"),
    });
    mkdirSync(join(dir, "empty"));
    expect(planOutput(join(dir, "empty"), false).kind).toBe("create");
  });

  it("replaces a directory that holds a previous result and nothing else", () => {
    fakeResult(join(dir, "old"), "old");
    mkdirSync(join(dir, "old", "plots"));
    writeFileSync(join(dir, "old", "report.html"), "");
    expect(isResultDirectory(join(dir, "old"))).toBe(true);
    expect(planOutput(join(dir, "old"), false).kind).toBe("replace");
  });

  it("refuses a directory of user files unless forced, and then merges without deleting", () => {
    mkdirSync(join(dir, "mine"));
    writeFileSync(join(dir, "mine", "thesis.tex"), "precious");
    expect(refusal(join(dir, "mine"))).toBe(
      `--out ${join(dir, "mine")}: holds files that are not a result of this simulator (no manifest.json); name another directory, or add --force to write the result files into it without deleting anything`,
    );
    expect(planOutput(join(dir, "mine"), true).kind).toBe("merge");
  });

  it("refuses a result directory a user has added files to, naming them", () => {
    fakeResult(join(dir, "res"), "res");
    writeFileSync(join(dir, "res", "notes.txt"), "mine");
    expect(foreignEntries(join(dir, "res"))).toEqual(["notes.txt"]);
    expect(refusal(join(dir, "res"))).toMatch(
      /holds files that are not part of a result \(notes\.txt\); name another directory/,
    );
  });

  it("counts the files a manifest lists under outputs as part of the result", () => {
    fakeResult(join(dir, "res"), "res");
    const manifest = JSON.parse(readFileSync(join(dir, "res", "manifest.json"), "utf8"));
    writeFileSync(join(dir, "res", "extra.csv"), "");
    writeFileSync(
      join(dir, "res", "manifest.json"),
      JSON.stringify({ ...manifest, outputs: ["extra.csv"] }),
    );
    expect(isResultDirectory(join(dir, "res"))).toBe(true);
  });

  it("does not take a manifest of another shape for a result", () => {
    mkdirSync(join(dir, "other"));
    writeFileSync(join(dir, "other", "manifest.json"), JSON.stringify({ name: "web app" }));
    expect(foreignEntries(join(dir, "other"))).toBeUndefined();
    expect(refusal(join(dir, "other"))).toMatch(/no manifest\.json/);
  });

  it("refuses, even with --force, an empty path, a file, the current directory, its parents, home and root", () => {
    writeFileSync(join(dir, "file.txt"), "x");
    for (const force of [false, true]) {
      expect(refusal("", force)).toBe("--out: the results directory is empty");
      expect(refusal("  ", force)).toBe("--out: the results directory is empty");
      expect(refusal(join(dir, "file.txt"), force)).toBe(
        `--out ${join(dir, "file.txt")}: is a file, not a results directory`,
      );
      expect(refusal(".", force)).toBe(
        "--out .: refusing to write results into the current directory; name a directory of their own, e.g. results/run",
      );
      expect(refusal(process.cwd(), force)).toMatch(/into the current directory;/);
      expect(refusal("..", force)).toMatch(/into a parent of the current directory;/);
      expect(refusal("/", force)).toMatch(/into the file system root;/);
      if (!process.cwd().startsWith(homedir())) {
        expect(refusal(homedir(), force)).toMatch(/into the home directory;/);
      }
    }
  });
});

describe("swapIntoPlace and recoverStale: a result is never lost", () => {
  it("replaces a previous result as a whole and leaves nothing beside it", () => {
    const out = join(dir, "res");
    fakeResult(out, "old");
    writeFileSync(join(out, "gone.csv"), "");
    const temporary = join(dir, ".tmp-res-1");
    fakeResult(temporary, "new");
    swapIntoPlace(temporary, { kind: "replace", outDir: out });
    expect(readFileSync(join(out, "summary.json"), "utf8")).toBe("new");
    expect(existsSync(join(out, "gone.csv"))).toBe(false);
    expect(readdirSync(dir)).toEqual(["res"]);
  });

  it("with --force adds the result's files into a user directory and deletes nothing", () => {
    const out = join(dir, "mine");
    mkdirSync(join(out, "plots"), { recursive: true });
    writeFileSync(join(out, "thesis.tex"), "precious");
    writeFileSync(join(out, "plots", "my-figure.svg"), "mine");
    const temporary = join(dir, ".tmp-mine-1");
    fakeResult(temporary, "new");
    mkdirSync(join(temporary, "plots"));
    writeFileSync(join(temporary, "plots", "stalls.svg"), "<svg/>");
    swapIntoPlace(temporary, { kind: "merge", outDir: out });
    expect(readFileSync(join(out, "thesis.tex"), "utf8")).toBe("precious");
    expect(readdirSync(join(out, "plots")).sort()).toEqual(["my-figure.svg", "stalls.svg"]);
    expect(readFileSync(join(out, "summary.json"), "utf8")).toBe("new");
    expect(readdirSync(dir)).toEqual(["mine"]);
  });

  it("puts back a result a killed run had set aside before renaming the new one in", () => {
    // The state after a SIGKILL between the two renames of a replacement.
    const out = join(dir, "res");
    const pid = deadPid();
    fakeResult(scratchName(out, "old", pid), "previous");
    fakeResult(scratchName(out, "tmp", pid), "unfinished");
    recoverStale(out);
    expect(readFileSync(join(out, "summary.json"), "utf8")).toBe("previous");
    expect(readdirSync(dir)).toEqual(["res"]);
  });

  it("deletes a set-aside result once the new one is in place, and stale temporaries", () => {
    const out = join(dir, "res");
    const pid = deadPid();
    fakeResult(out, "new");
    fakeResult(scratchName(out, "old", pid), "previous");
    mkdirSync(scratchName(out, "tmp", deadPid()));
    recoverStale(out);
    expect(readFileSync(join(out, "summary.json"), "utf8")).toBe("new");
    expect(readdirSync(dir)).toEqual(["res"]);
  });

  it("leaves alone the directories of a run still alive and of other results", () => {
    const out = join(dir, "res");
    const alive = scratchName(out, "tmp", process.pid);
    const other = scratchName(join(dir, "other"), "tmp", deadPid());
    mkdirSync(alive);
    mkdirSync(other);
    recoverStale(out);
    expect(existsSync(alive)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });
});
