import type { Results } from "./types.ts";

/**
 * Runs that replicate each other: same scenario, same code (version and commit), different
 * seeds. Figures with one value per strategy per run (bars) show such a group as its mean with
 * a confidence interval; every other run forms a group of its own.
 */
export interface RunGroup {
  /** "x@1" for a single run, "x (seeds 1, 2, 3)" for replications. */
  label: string;
  /** Indices into the report's runs. */
  runs: number[];
  replicated: boolean;
}

export function replicateGroups(results: readonly Results[]): RunGroup[] {
  const byKey = new Map<string, number[]>();
  results.forEach((r, i) => {
    const key = JSON.stringify([
      r.scenario,
      r.manifest?.version ?? null,
      r.manifest?.gitCommit ?? null,
    ]);
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  });
  const groups: RunGroup[] = [];
  for (const runs of byKey.values()) {
    const seeds = runs.map((i) => results[i].seed);
    if (runs.length >= 2 && new Set(seeds).size === seeds.length) {
      groups.push({
        label: `${results[runs[0]].scenario} (seeds ${seeds.join(", ")})`,
        runs,
        replicated: true,
      });
    } else {
      for (const i of runs) groups.push({ label: results[i].label, runs: [i], replicated: false });
    }
  }
  return groups.sort((a, b) => a.runs[0] - b.runs[0]);
}
