import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import {
  type SweepManifest,
  sweepManifestSchema,
  type UnitResult,
  unitResultSchema,
} from "../results/schema.ts";
import { checkBeforeWriting, parseJson, validated } from "../results/validate.ts";
import { flattenSummary } from "./metrics.ts";
import { replicationSeed } from "./replications.ts";
import type { Sweep } from "./sweepFile.ts";
import { pointsCsv, type RunRow, runsCsv } from "./tables.ts";

/** A unit that failed, with the first failing strategy's error. */
export interface UnitFailure {
  point: number;
  replication: number;
  strategy: string;
  error: string;
}

/** The manifest of a sweep. */
export function sweepManifest(sweep: Sweep): SweepManifest {
  const base = sweep.points[0].scenario.seed;
  return {
    name: sweep.name,
    fingerprint: sweep.fingerprint,
    replications: sweep.replications,
    seeds: Array.from({ length: sweep.replications }, (_, r) => replicationSeed(base, r)),
    fields: sweep.fields,
    points: sweep.points.map((p) => p.values),
    strategies: sweep.strategies,
  };
}

/** Units are numbered point-major: unit = point * replications + replication. */
export function unitCount(manifest: SweepManifest): number {
  return manifest.points.length * manifest.replications;
}

/**
 * Parses `I/N` (0 <= I < N): shard I takes the units whose number is I modulo N, a split that
 * needs no coordination and spreads slow corners of the grid over every shard.
 */
export function parseShard(text: string): { index: number; count: number } | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return count >= 1 && index < count ? { index, count } : undefined;
}

/** The units of one shard (all of them without a shard). */
export function shardUnits(
  manifest: SweepManifest,
  shard?: { index: number; count: number },
): number[] {
  const all = Array.from({ length: unitCount(manifest) }, (_, u) => u);
  return shard ? all.filter((u) => u % shard.count === shard.index) : all;
}

/** The file of unit `unit` under units/. */
export const unitFile = (unit: number) => `unit-${String(unit).padStart(7, "0")}.json`;

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Records a finished unit in `dir/units/` (atomically: a killed run leaves no half file). */
export function writeUnit(dir: string, manifest: SweepManifest, result: UnitResult): void {
  mkdirSync(join(dir, "units"), { recursive: true });
  const unit = result.point * manifest.replications + result.replication;
  checkBeforeWriting(unitResultSchema, unitFile(unit), result);
  writeAtomically(join(dir, "units", unitFile(unit)), `${JSON.stringify(result, null, 2)}\n`);
}

/** Writes sweep.json, the marker every other file of a sweep directory is checked against. */
export function writeManifest(dir: string, manifest: SweepManifest): void {
  mkdirSync(dir, { recursive: true });
  writeAtomically(join(dir, "sweep.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Reads a sweep directory's sweep.json, or undefined when there is none. */
export function readManifest(dir: string): SweepManifest | undefined {
  const path = join(dir, "sweep.json");
  if (!existsSync(path)) return undefined;
  return validated(sweepManifestSchema, path, parseJson(path, readFileSync(path, "utf8")));
}

/** The finished units recorded in `dir/units/`, by unit number. */
export function readUnits(dir: string, manifest: SweepManifest): Map<number, UnitResult> {
  const units = new Map<number, UnitResult>();
  const unitsDir = join(dir, "units");
  if (!existsSync(unitsDir)) return units;
  for (const name of readdirSync(unitsDir).sort()) {
    if (!/^unit-\d+\.json$/.test(name)) continue;
    const path = join(unitsDir, name);
    const result = validated<UnitResult>(
      unitResultSchema,
      path,
      parseJson(path, readFileSync(path, "utf8")),
    );
    units.set(result.point * manifest.replications + result.replication, result);
  }
  return units;
}

/** The rows of runs.csv, in unit order and then strategy order. */
export function sweepRows(manifest: SweepManifest, units: readonly UnitResult[]): RunRow[] {
  return [...units]
    .sort((a, b) => a.point - b.point || a.replication - b.replication)
    .flatMap((unit) =>
      manifest.strategies.map((strategy) => ({
        point: manifest.points[unit.point],
        replication: unit.replication,
        seed: unit.seed,
        strategy,
        metrics: flattenSummary(unit.summaries[strategy]),
      })),
    );
}

/**
 * The tables of a sweep: runs.csv, points.csv and, when some units failed, failures.csv (the
 * point's values, replication, strategy and error). Files depend only on the manifest and the
 * units, so a sweep run in one process, in shards or resumed gives the same bytes.
 */
export function sweepTables(
  manifest: SweepManifest,
  units: readonly UnitResult[],
  failures: readonly UnitFailure[] = [],
): Map<string, string> {
  const files = new Map<string, string>();
  const runRows = sweepRows(manifest, units);
  files.set("runs.csv", runsCsv(manifest.fields, runRows));
  files.set("points.csv", pointsCsv(manifest.fields, runRows));
  if (failures.length > 0) {
    files.set(
      "failures.csv",
      stringify(
        [...failures]
          .sort((a, b) => a.point - b.point || a.replication - b.replication)
          .map((f) => [
            ...manifest.fields.map((field) => manifest.points[f.point][field]),
            f.replication,
            f.strategy,
            f.error,
          ]),
        { header: true, columns: [...manifest.fields, "replication", "strategy", "error"] },
      ),
    );
  }
  return files;
}
