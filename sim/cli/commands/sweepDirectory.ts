import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sweepFigures } from "../../../analysis/sweepFigures.ts";
import {
  readManifest,
  readUnits,
  sweepRows,
  sweepTables,
  type UnitFailure,
  unitFile,
  writeManifest,
  writeUnit,
} from "../../experiments/sweepResults.ts";
import { pointStatistics } from "../../experiments/tables.ts";
import type { SweepManifest, UnitResult } from "../../results/schema.ts";
import { UsageError } from "../usageError.ts";

/** Files a sweep directory holds besides units/ and plots/. */
const TABLES = ["runs.csv", "points.csv", "failures.csv"];

/**
 * Makes `dir` ready for a sweep and returns the units already finished there. With `resume`, a
 * directory of the same sweep (same fingerprint) keeps its finished units; without, an earlier
 * sweep's results are cleared. A directory that is not a sweep's is never touched.
 */
export function prepareSweepDirectory(
  dir: string,
  manifest: SweepManifest,
  resume: boolean,
): Map<number, UnitResult> {
  const existing = readManifest(dir);
  if (!existing && existsSync(dir) && readdirSync(dir).length > 0)
    throw new UsageError(`${dir} exists and holds no sweep (no sweep.json); choose another --out`);
  if (existing && resume && existing.fingerprint !== manifest.fingerprint)
    throw new UsageError(
      `${dir} holds a different sweep (the sweep file, its scenario or the replications changed); ` +
        "run without --resume to start over",
    );
  if (existing && !resume) {
    rmSync(join(dir, "units"), { recursive: true, force: true });
    rmSync(join(dir, "plots"), { recursive: true, force: true });
    for (const name of TABLES) rmSync(join(dir, name), { force: true });
  }
  writeManifest(dir, manifest);
  return resume && existing ? readUnits(dir, manifest) : new Map();
}

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/**
 * Writes a sweep's tables and (with `plots`) its figures from the finished units: runs.csv,
 * points.csv, failures.csv when units failed, and plots/<metric>-vs-<field>.svg.
 */
export function finishSweepDirectory(
  dir: string,
  manifest: SweepManifest,
  units: readonly UnitResult[],
  failures: readonly UnitFailure[],
  plots: boolean,
): void {
  for (const unit of units) {
    const unitNumber = unit.point * manifest.replications + unit.replication;
    if (!existsSync(join(dir, "units", unitFile(unitNumber)))) writeUnit(dir, manifest, unit);
  }
  const files = sweepTables(manifest, units, failures);
  if (failures.length === 0) rmSync(join(dir, "failures.csv"), { force: true });
  if (plots) {
    const values = Object.fromEntries(
      manifest.fields.map((f) => [f, [...new Set(manifest.points.map((p) => p[f]))]]),
    );
    const rows = sweepRows(manifest, units);
    for (const [name, svg] of sweepFigures(
      manifest.fields,
      values,
      pointStatistics(manifest.fields, rows),
    ))
      files.set(name, svg);
  }
  for (const [name, text] of files) writeFile(join(dir, name), text);
}
