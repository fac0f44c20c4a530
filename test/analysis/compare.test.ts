import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  compareRows,
  compareRuns,
  formatCompareTable,
  formatRelative,
  formatTableNumber,
} from "../../analysis/compare.ts";
import { copyFixture, loadFixtures, RUN_A, RUN_B } from "./helpers.ts";

type Json = Record<string, unknown>;
const summaryOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as {
    seed: number;
    strategies: Record<string, Json>;
  };

/** The flat metrics of a summary entry, computed here independently of the analysis code. */
function flat(entry: Json): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value === "number" || value === null) out.set(key, value);
    else if (typeof value === "object") {
      for (const [f, v] of Object.entries(value as Json))
        out.set(`${key}.${f}`, v as number | null);
    }
  }
  return out;
}

describe("sim compare", () => {
  it("rows hold both runs' values and B−A differences, checked against summary.json", async () => {
    const { both } = await loadFixtures();
    const rows = compareRows(both);
    const sa = summaryOf(RUN_A).strategies;
    const sb = summaryOf(RUN_B).strategies;
    let checked = 0;
    for (const strategy of Object.keys(sa)) {
      const fa = flat(sa[strategy]);
      const fb = flat(sb[strategy]);
      for (const [metric, va] of fa) {
        const row = rows.find((r) => r.strategy === strategy && r.metric === metric);
        expect(row, `${strategy} ${metric}`).toBeDefined();
        const vb = fb.get(metric) ?? null;
        expect(row!.values).toEqual([va, vb]);
        if (va === null || vb === null) {
          expect(row!.diffs).toEqual([null]);
          expect(row!.relative).toEqual([null]);
        } else {
          expect(row!.diffs[0]).toBeCloseTo(vb - va, 12);
          if (va !== 0) expect(row!.relative[0]).toBeCloseTo((vb - va) / Math.abs(va), 12);
          else expect(row!.relative[0]).toBe(vb === 0 ? 0 : null);
        }
        checked++;
      }
    }
    expect(rows).toHaveLength(checked);
    expect(checked).toBeGreaterThan(100);
  });

  it("the printed table shows every row with the right numbers", async () => {
    const { both } = await loadFixtures();
    const rows = compareRows(both);
    const table = formatCompareTable(both, rows);
    const lines = table.split("\n");
    expect(lines[0]).toBe("Runs:");
    expect(lines[1]).toContain("A  flash-crowd-small@1");
    expect(lines[2]).toContain("B  flash-crowd-small@2");
    const header = lines[4].trim().split(/\s{2,}/);
    expect(header).toEqual(["strategy", "metric", "A", "B", "B-A", "B-A %"]);
    const sa = summaryOf(RUN_A).strategies;
    const sb = summaryOf(RUN_B).strategies;
    const stalls = lines.find((l) => /^tree\s+stallsPerMinute\s/.test(l))!;
    const [, , a, b, diff, rel] = stalls.trim().split(/\s+/);
    const va = sa.tree.stallsPerMinute as number;
    const vb = sb.tree.stallsPerMinute as number;
    expect(Number(a)).toBe(va);
    expect(Number(b)).toBe(vb);
    expect(Number(diff)).toBeCloseTo(vb - va, 5);
    expect(rel).toBe(`${vb > va ? "+" : ""}${(((vb - va) / va) * 100).toFixed(1)}%`);
    // one table line per row
    expect(lines.slice(5).filter((l) => l.trim() !== "")).toHaveLength(rows.length);
    // the client-server recovery distribution is empty in both runs
    expect(
      lines
        .find((l) => /^client-server\s+recoverySeconds\.p95\s/.test(l))!
        .trim()
        .split(/\s+/),
    ).toEqual(["client-server", "recoverySeconds.p95", "-", "-", "-", "-"]);
  });

  it("a strategy missing from one run gets empty cells, not wrong differences", async () => {
    const { both } = await loadFixtures();
    const [a, b] = both;
    const { swarm: _dropped, ...rest } = b.summary;
    const bWithout = { ...b, strategies: b.strategies.filter((s) => s !== "swarm"), summary: rest };
    const rows = compareRows([a, bWithout]);
    const swarm = rows.filter((r) => r.strategy === "swarm");
    expect(swarm.length).toBeGreaterThan(10);
    for (const row of swarm) {
      expect(row.values[1]).toBeNull();
      expect(row.diffs).toEqual([null]);
    }
    const table = formatCompareTable([a, bWithout], rows);
    expect(table).toMatch(/^swarm\s+stallsPerMinute\s+[\d.]+\s+-\s+-\s+-$/m);
    // and the other way round: only in B
    const rowsBA = compareRows([bWithout, a]);
    expect(rowsBA.filter((r) => r.strategy === "swarm")[0].values[0]).toBeNull();
  });

  it("compares three runs against the first", async () => {
    const { both } = await loadFixtures();
    const third = { ...both[1], label: "third", seed: 3 };
    const rows = compareRows([...both, third]);
    const row = rows.find((r) => r.strategy === "tree" && r.metric === "stallRatio")!;
    expect(row.diffs).toHaveLength(2);
    expect(row.diffs[1]).toBeCloseTo(
      third.summary.tree.stallRatio! - both[0].summary.tree.stallRatio!,
      12,
    );
    const header = formatCompareTable([...both, third], rows)
      .split("\n")[5]
      .trim()
      .split(/\s{2,}/);
    expect(header).toEqual(["strategy", "metric", "A", "B", "C", "B-A", "B-A %", "C-A", "C-A %"]);
  });

  it("formats numbers and relative differences", () => {
    expect(formatTableNumber(null)).toBe("-");
    expect(formatTableNumber(20)).toBe("20");
    expect(formatTableNumber(1.2 - 1.131)).toBe("0.069");
    expect(formatRelative(0.061, 0.069)).toBe("+6.1%");
    expect(formatRelative(-0.25, -1)).toBe("-25.0%");
    expect(formatRelative(0, 0)).toBe("0.0%");
    expect(formatRelative(null, 3)).toBe("n/a");
    expect(formatRelative(null, null)).toBe("-");
  });

  it("writes a combined report with both runs, figures overlaid, and compare.txt", async () => {
    const a = copyFixture(RUN_A, "run-a");
    const b = copyFixture(RUN_B, "run-b");
    const out = join(copyFixture(RUN_A, "unused"), "..", "cmp");
    const { table, reportPath } = await compareRuns([a, b], out);
    expect(reportPath).toBe(join(out, "report.html"));
    expect(readFileSync(join(out, "compare.txt"), "utf8")).toBe(table);
    const html = readFileSync(reportPath, "utf8");
    expect(html).toContain("flash-crowd-small@1");
    expect(html).toContain("flash-crowd-small@2");
    expect(html).toContain('<table class="compare">');
    expect(html).toContain('data-toggle="run" value="1"');
    const cdf = readFileSync(join(out, "plots", "startup-cdf.svg"), "utf8");
    expect(cdf).toContain('data-run="0"');
    expect(cdf).toContain('data-run="1"');
    expect(cdf).toContain('stroke-dasharray="5 3"');
  });

  it("labels runs of the same scenario and seed by directory name", async () => {
    const a = copyFixture(RUN_A, "before");
    const b = copyFixture(RUN_A, "after");
    const out = join(a, "..", "cmp");
    const { table } = await compareRuns([a, b], out);
    expect(table).toContain("A  before");
    expect(table).toContain("B  after");
    expect(table).toMatch(/^tree\s+stallsPerMinute\s+[\d.]+\s+[\d.]+\s+0\s+0\.0%$/m);
  });

  it("fails clearly on fewer than two runs and on a bad directory", async () => {
    await expect(compareRuns([RUN_A], "/tmp/never")).rejects.toThrow(
      "sim compare needs at least two results directories, got 1",
    );
    const broken = copyFixture(RUN_B);
    rmSync(join(broken, "peers.csv"));
    await expect(compareRuns([RUN_A, broken], "/tmp/never")).rejects.toThrow(
      `${join(broken, "peers.csv")}: file not found`,
    );
  });
});
