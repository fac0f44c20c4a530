import { capacityWarnings } from "../run/capacityBound.ts";
import { scenarioWorkload } from "../run/runScenario.ts";
import { formatWarning, type ScenarioWarning } from "../scenario/reader.ts";
import type { Scenario } from "../scenario/scenario.ts";

/**
 * Every warning a scenario gets before it runs: those its reader found while loading it
 * (`loaded`), then what its generated workload (at the scenario's own seed) shows it cannot
 * sustain (the Kumar-Liu-Ross bound). `sim run`, `sim sweep` and `sim check` give the same list.
 * Generating the workload costs little beside running one strategy on it.
 */
export function scenarioWarnings(
  scenario: Scenario,
  loaded: readonly ScenarioWarning[],
): ScenarioWarning[] {
  return [...loaded, ...capacityWarnings(scenario, scenarioWorkload(scenario))];
}

/**
 * A warning as the line printed after `sim: warning: `; one found after loading (it names no
 * file) is placed in `file`, the scenario file of the command line.
 */
export function warningLine(warning: ScenarioWarning, file: string): string {
  return formatWarning({ ...warning, file: warning.file ?? file });
}

/** Prints each line as `sim: warning: <line>` on stderr, unless `quiet`. */
export function printWarnings(lines: readonly string[], quiet: boolean | undefined): void {
  if (quiet) return;
  for (const line of lines) process.stderr.write(`sim: warning: ${line}\n`);
}

/** `field=value, ...`: a grid point, or the values some points share. */
function label(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([field, value]) => `${field}=${value}`)
    .join(", ");
}

/**
 * Which of the grid `points` the indices `some` are, in words: nothing when they are all of
 * them, `where f=v` when they are exactly the points with those values, else the first three
 * points and how many more.
 */
function whichPoints(points: readonly { values: Record<string, string> }[], some: number[]) {
  if (some.length === points.length) return "";
  const first = points[some[0]].values;
  const shared = Object.fromEntries(
    Object.entries(first).filter(([field, value]) =>
      some.every((k) => points[k].values[field] === value),
    ),
  );
  const matching = points.filter((p) =>
    Object.entries(shared).every(([field, value]) => p.values[field] === value),
  ).length;
  if (Object.keys(shared).length > 0 && matching === some.length)
    return ` (where ${label(shared)})`;
  const SHOWN = 3;
  const listed = some.slice(0, SHOWN).map((k) => label(points[k].values));
  const more = some.length > SHOWN ? `; and ${some.length - SHOWN} more` : "";
  return ` (grid point${some.length === 1 ? "" : "s"} ${listed.join("; ")}${more})`;
}

/**
 * The warning lines of a sweep, each distinct line once, in the order first met: `points` holds
 * each grid point's values (field -> value) and its lines. A line that holds at only some points
 * says which, so that one problem of a grid of a hundred points is one line, not a hundred.
 */
export function sweepWarningLines(
  points: readonly { values: Record<string, string>; lines: readonly string[] }[],
): string[] {
  const where = new Map<string, number[]>();
  points.forEach((point, k) => {
    for (const line of new Set(point.lines)) {
      const at = where.get(line);
      if (at) at.push(k);
      else where.set(line, [k]);
    }
  });
  return [...where].map(([line, at]) => `${line}${whichPoints(points, at)}`);
}
