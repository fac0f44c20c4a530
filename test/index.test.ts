import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
// Type-only: checks that the package's "types" export resolves for TypeScript users.
import type { Scenario, StrategySummary } from "peercast-sim";
import { afterAll, describe, expect, it } from "vitest";
import { TINY } from "./experiments/helpers.ts";

const root = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "sim-library-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("library entry point", () => {
  it("`import { runScenario, loadScenario } from 'peercast-sim'` works from plain Node", () => {
    writeFileSync(join(dir, "tiny.yaml"), TINY);
    // Run by name from the package root, as a notebook or another tool would import it.
    const script = `
      import { loadScenario, runScenario, runReplicated, createPool } from "peercast-sim";
      const scenario = loadScenario(${JSON.stringify(join(dir, "tiny.yaml"))});
      const run = runScenario(scenario);
      const pool = createPool(2);
      const replicated = await runReplicated(scenario, pool, { replications: 2 });
      await pool.close();
      console.log(JSON.stringify({
        names: run.runs.map((r) => r.entry.name),
        peers: run.runs[0].summary.peers,
        replicatedPeers: replicated.replicated.summaries[0][0].peers,
        seeds: replicated.replicated.seeds,
      }));`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
    });
    expect(child.stderr).toBe("");
    const out = JSON.parse(child.stdout);
    expect(out.names).toEqual(["cs", "tree"]);
    expect(out.peers).toBeGreaterThan(20);
    expect(out.replicatedPeers).toBe(out.peers);
    expect(out.seeds[0]).toBe(5);
    const typed: Pick<Scenario, "seed"> & Partial<StrategySummary> = { seed: 1 };
    expect(typed.seed).toBe(1);
  });
});
