import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { z } from "zod";
import { manifestSchema } from "../results/schema.ts";

/**
 * A results directory that must not be written: the message is one line naming the directory
 * and the option (`--out`), fit to print as is; the command exits 2.
 */
export class OutputDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputDirectoryError";
  }
}

/** What writing to a results directory will do (see {@link planOutput}). */
export type OutputPlan =
  /** Nothing there (or an empty directory): the new result is renamed into place. */
  | { kind: "create"; outDir: string }
  /** A previous result of this simulator: replaced as a whole. */
  | { kind: "replace"; outDir: string }
  /** A directory of other files, with `--force`: result files are added, nothing removed. */
  | { kind: "merge"; outDir: string };

/** Entries every result may hold besides those its manifest lists under `outputs`. */
const RESULT_ENTRIES = new Set([
  "manifest.json",
  "summary.json",
  "peers.csv",
  "timeseries.csv",
  "gauges.csv",
  "events.csv",
  "timing.json",
  "plots",
  "report.html",
]);

/**
 * What makes a manifest.json one of this simulator's results: the fields every version wrote
 * (sim/results/schema.ts), with the scenario any object (its content changed over versions),
 * and the list of outputs where there is one.
 */
const RESULT_MARKER = manifestSchema
  .pick({ seed: true, version: true, strategies: true })
  .extend({ scenario: z.looseObject({}), outputs: manifestSchema.shape.outputs.optional() })
  .loose();

/**
 * The entries of `dir` that are not part of a result of this simulator, or undefined when
 * `dir` holds no result at all. A result has a manifest.json with the seed, version, resolved
 * scenario and strategy names, as {@link renderResults} writes it; its entries are the result
 * files, the plots and those the manifest lists under `outputs`.
 */
export function foreignEntries(dir: string): string[] | undefined {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  } catch {
    return undefined;
  }
  const marked = RESULT_MARKER.safeParse(manifest);
  if (!marked.success) return undefined;
  const outputs = new Set(marked.data.outputs ?? []);
  return readdirSync(dir)
    .filter((entry) => !RESULT_ENTRIES.has(entry) && !outputs.has(entry))
    .sort();
}

/** True when `dir` holds a result of this simulator and nothing else. */
export function isResultDirectory(dir: string): boolean {
  return foreignEntries(dir)?.length === 0;
}

/**
 * Checks an output path given on the command line (`--out`) and returns it resolved. Refused
 * always, even with `--force`: an empty path, a file, the current directory or one of its
 * parents, the home directory and the file system root.
 */
export function checkOutPath(out: string): string {
  if (out.trim() === "") throw new OutputDirectoryError("--out: the results directory is empty");
  const outDir = resolve(out);
  const fromOut = relative(outDir, process.cwd());
  const holdsCwd = fromOut === "" || (!fromOut.startsWith("..") && !fromOut.startsWith(sep));
  const refused =
    fromOut === ""
      ? "the current directory"
      : outDir === dirname(outDir)
        ? "the file system root"
        : outDir === resolve(homedir())
          ? "the home directory"
          : holdsCwd
            ? "a parent of the current directory"
            : undefined;
  if (refused) {
    throw new OutputDirectoryError(
      `--out ${out}: refusing to write results into ${refused}; name a directory of their own, ` +
        "e.g. results/run",
    );
  }
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new OutputDirectoryError(`--out ${out}: is a file, not a results directory`);
  }
  return outDir;
}

/**
 * Decides what writing results to `out` (the `--out` text) will do, or refuses with an
 * {@link OutputDirectoryError}: see {@link checkOutPath} for what is refused always. Refused
 * unless `force`: a directory that holds anything but a previous result; with `force` the
 * result files are written into it and nothing else is touched.
 */
export function planOutput(out: string, force: boolean): OutputPlan {
  const outDir = checkOutPath(out);
  if (!existsSync(outDir)) return { kind: "create", outDir };
  if (readdirSync(outDir).length === 0) return { kind: "create", outDir };
  const foreign = foreignEntries(outDir);
  if (foreign?.length === 0) return { kind: "replace", outDir };
  if (force) return { kind: "merge", outDir };
  const what =
    foreign === undefined
      ? "holds files that are not a result of this simulator (no manifest.json)"
      : `holds files that are not part of a result (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", ..." : ""})`;
  throw new OutputDirectoryError(
    `--out ${out}: ${what}; name another directory, or add --force to write the result files ` +
      "into it without deleting anything",
  );
}

/** Names of the temporary and set-aside directories of a result, beside it. */
export function scratchName(outDir: string, kind: "tmp" | "old", pid: number): string {
  return join(dirname(outDir), `.${kind}-${basename(outDir)}-${pid}`);
}

/** Whether the process `pid` may still write beside a result (a zombie no longer can). */
function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  // A killed process whose parent died before it stays a zombie until some ancestor reaps it,
  // and signal 0 still reaches a zombie; Linux shows its state after the command name.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return true;
  }
}

/**
 * Cleans what a killed run (SIGKILL, power loss) left beside `outDir`: its temporary
 * directory is deleted; a result it had set aside is put back when nothing replaced it, and
 * deleted otherwise. Directories of runs still alive are left alone.
 */
export function recoverStale(outDir: string): void {
  const parent = dirname(outDir);
  if (!existsSync(parent)) return;
  const name = basename(outDir);
  const pattern = /^\.(tmp|old)-(.*)-(\d+)$/;
  const stale = readdirSync(parent)
    .map((entry) => ({ entry, match: pattern.exec(entry) }))
    .filter(({ match }) => match && match[2] === name && !processIsAlive(Number(match[3])));
  // Put a set-aside result back first, so that a result is missing for no longer than it takes.
  for (const { entry, match } of stale) {
    if (match?.[1] !== "old") continue;
    if (existsSync(outDir)) rmSync(join(parent, entry), { recursive: true, force: true });
    else renameSync(join(parent, entry), outDir);
  }
  for (const { entry, match } of stale) {
    if (match?.[1] === "tmp") rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

/**
 * Moves the finished result in `temporary` to `plan.outDir`. Replacing sets the previous result
 * aside, renames the new one in and only then deletes the old: the two renames are synchronous,
 * so no signal handler runs between them, and a kill between them (SIGKILL) leaves the old
 * result aside, where {@link recoverStale} puts it back on the next run.
 */
export function swapIntoPlace(temporary: string, plan: OutputPlan): void {
  const { outDir } = plan;
  if (plan.kind === "merge") {
    moveInto(temporary, outDir);
    rmSync(temporary, { recursive: true, force: true });
    return;
  }
  if (!existsSync(outDir)) {
    renameSync(temporary, outDir);
    return;
  }
  if (plan.kind === "create") {
    // An empty directory (checked when planned): remove it only if it is still empty.
    rmdirSync(outDir);
    renameSync(temporary, outDir);
    return;
  }
  const old = scratchName(outDir, "old", process.pid);
  renameSync(outDir, old);
  renameSync(temporary, outDir);
  rmSync(old, { recursive: true, force: true });
}

/**
 * Moves every file of `from` to the same place under `to`, replacing files of the same name and
 * creating directories as needed; nothing else in `to` is removed (`--force` into a directory
 * of other files).
 */
function moveInto(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      if (existsSync(target) && !statSync(target).isDirectory()) {
        throw new OutputDirectoryError(
          `--out ${to}: '${entry.name}' is a file where the result has a directory`,
        );
      }
      mkdirSync(target, { recursive: true });
      moveInto(source, target);
    } else {
      if (existsSync(target) && statSync(target).isDirectory()) {
        throw new OutputDirectoryError(
          `--out ${to}: '${entry.name}' is a directory where the result has a file`,
        );
      }
      renameSync(source, target);
    }
  }
}

/** Creates the temporary directory a result is written into before it is swapped in. */
export function makeTemporary(outDir: string): string {
  mkdirSync(dirname(outDir), { recursive: true });
  const temporary = scratchName(outDir, "tmp", process.pid);
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary);
  return temporary;
}
