import { basename, resolve } from "node:path";
import type { Results } from "./types.ts";

/**
 * Gives every run of a report a short unique label: `scenario@seed`, or the directory's
 * basename when two runs share scenario and seed (e.g. two versions of the code), or the
 * directory path as a last resort. Returns new objects; the inputs are not changed.
 */
export function labelRuns(results: readonly Results[]): Results[] {
  const candidates: ((r: Results) => string)[] = [
    (r) => `${r.scenario}@${r.seed}`,
    (r) => basename(resolve(r.dir)),
    (r) => r.dir,
  ];
  for (const candidate of candidates) {
    const labels = results.map(candidate);
    if (new Set(labels).size === labels.length) {
      return results.map((r, i) => ({ ...r, label: labels[i] }));
    }
  }
  return results.map((r, i) => ({ ...r, label: `${r.dir} #${i + 1}` }));
}

/** Letters A, B, ..., Z, AA, AB, ... naming runs in tables. */
export function runLetter(index: number): string {
  let n = index;
  let out = "";
  do {
    out = String.fromCharCode(65 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}

/** A one-line description of the runs for figure subtitles and report headings. */
export function describeRuns(results: readonly Results[]): string {
  if (results.length === 1) return `${results[0].scenario}, seed ${results[0].seed}`;
  const scenarios = new Set(results.map((r) => r.scenario));
  const seeds = results.map((r) => r.seed);
  if (scenarios.size === 1 && new Set(seeds).size === seeds.length) {
    return `${results[0].scenario}, seeds ${seeds.join(", ")}`;
  }
  return results.map((r) => r.label).join(" vs ");
}
