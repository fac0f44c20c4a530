import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, dirname, extname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { type Override, parseScenario } from "../scenario/load.ts";
import { OptionReader, ScenarioError, type ScenarioWarning } from "../scenario/reader.ts";
import type { Scenario } from "../scenario/scenario.ts";
import { MAX_REPLICATIONS } from "./limits.ts";

/** Most grid points a sweep may have (a limit: each is a whole scenario per replication). */
export const MAX_GRID_POINTS = 100_000;

/** One point of the grid: a value for every swept field. */
export interface GridPoint {
  index: number;
  /** Swept field (YAML path) -> value as written in the sweep file. */
  values: Record<string, string>;
  /** The scenario of this point (replication 0's seed). */
  scenario: Scenario;
  /** What the scenario reader found cannot work as written at this point (see checkScenario). */
  warnings: ScenarioWarning[];
}

/** A sweep file, read and checked: every point's scenario resolves. */
export interface Sweep {
  /** Sweep name (default: the sweep file's base name): the default results directory. */
  name: string;
  /** The base scenario file, resolved against the sweep file's directory. */
  scenarioFile: string;
  replications: number;
  /** Swept fields (YAML paths), in the order of the file; the first varies slowest. */
  fields: string[];
  points: GridPoint[];
  strategies: string[];
  /**
   * SHA-256 of everything that decides the results (every point's resolved scenario and the
   * replications). Parts and interrupted runs are only combined when it matches.
   */
  fingerprint: string;
}

/** A grid value as the text a `--set` override takes. */
function valueText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/**
 * Reads a sweep file:
 *
 * ```yaml
 * scenario: ci.yaml            # the base scenario, relative to this file
 * replications: 3              # default: the scenario's own
 * grid:                        # fields by YAML path, each with its list of values
 *   churn.session.mean: [1min, 5min, 20min]
 *   strategies[2].resume: [jump-to-live, back-buffer]
 * ```
 *
 * Every problem, in the sweep file or in any point's scenario, is a {@link ScenarioError}.
 */
export function loadSweep(file: string): Sweep {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ScenarioError(file, "(file)", undefined, "cannot read the sweep file");
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const line = lineCounter.linePos(document.errors[0].pos[0]).line;
    throw new ScenarioError(file, "(yaml)", line, "invalid YAML");
  }
  const reader = new OptionReader(
    { file, document, lineCounter, baseDirectory: dirname(file) },
    document.toJS(),
  );
  const name = reader.string("name", basename(file, extname(file)));
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw reader.error("name", "may only contain letters, digits, '.', '_' and '-'");
  const scenarioFile = resolve(dirname(file), reader.string("scenario"));
  let baseText: string;
  try {
    baseText = readFileSync(scenarioFile, "utf8");
  } catch {
    throw reader.error("scenario", `cannot read the scenario file ${scenarioFile}`);
  }
  const replicationsOption = reader.has("replications")
    ? reader.integer("replications", 1, { min: 1, max: MAX_REPLICATIONS })
    : undefined;
  // Unknown keys first: a misspelled `grid` should be named as such, not as a missing grid.
  reader.raw("grid");
  reader.done();
  const fields: string[] = [];
  const values: string[][] = [];
  reader.object("grid", (grid) => {
    if (grid.keys().length === 0) throw reader.error("grid", "needs at least one field to sweep");
    for (const field of grid.keys()) {
      const list = grid.list(
        field,
        (item, path) => {
          const text = valueText(item);
          if (text === undefined)
            throw grid.errorAt(path, "expected a number, word or quantity such as 5min");
          return text;
        },
        { required: true, minLength: 1 },
      );
      if (new Set(list).size !== list.length) throw grid.error(field, "has a value twice");
      fields.push(field);
      values.push(list);
    }
  });
  const count = values.reduce((n, list) => n * list.length, 1);
  if (count > MAX_GRID_POINTS)
    throw reader.error("grid", `has ${count} points, more than the limit of ${MAX_GRID_POINTS}`);

  const points: GridPoint[] = [];
  for (let index = 0; index < count; index++) {
    // Mixed radix, last field fastest: the grid in reading order.
    const pointValues: Record<string, string> = {};
    let rest = index;
    for (let f = fields.length - 1; f >= 0; f--) {
      pointValues[fields[f]] = values[f][rest % values[f].length];
      rest = Math.floor(rest / values[f].length);
    }
    const ordered = Object.fromEntries(fields.map((f) => [f, pointValues[f]]));
    const overrides: Override[] = fields.map((f) => ({ path: f, value: ordered[f] }));
    let scenario: Scenario;
    const warnings: ScenarioWarning[] = [];
    try {
      scenario = parseScenario(baseText, scenarioFile, overrides, undefined, (w) =>
        warnings.push(w),
      );
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      const where = fields.map((f) => `${f}=${ordered[f]}`).join(", ");
      // Point at the swept field the scenario rejected, when it is one.
      const field = fields.find(
        (f) => f.replace(/\[(\d+)\]/g, ".$1") === error.yamlPath.replace(/\[(\d+)\]/g, ".$1"),
      );
      throw reader.errorAt(field ? ["grid", field] : ["grid"], `point ${where}: ${error.message}`);
    }
    points.push({ index, values: ordered, scenario, warnings });
  }
  const strategies = points[0].scenario.strategies.map((s) => s.name);
  for (const point of points) {
    if (point.scenario.strategies.map((s) => s.name).join("\n") !== strategies.join("\n"))
      throw reader.error("grid", "every point must have the same strategies (by name)");
  }
  const replications = replicationsOption ?? points[0].scenario.replications;
  const fingerprint = createHash("sha256")
    .update(JSON.stringify({ replications, fields, points: points.map((p) => p.scenario) }))
    .digest("hex");
  return { name, scenarioFile, replications, fields, points, strategies, fingerprint };
}
