import { beforeAll, describe, expect, it } from "vitest";
import { FIGURES, renderFigures } from "../../analysis/index.ts";
import { renderReport } from "../../analysis/report.ts";
import type { Results } from "../../analysis/types.ts";
import { loadFixtures } from "./helpers.ts";

let a: Results;
let both: Results[];
let html: string;

beforeAll(async () => {
  ({ a, both } = await loadFixtures());
  html = renderReport([a], renderFigures([a]));
});

describe("report.html", () => {
  it("is self-contained: no external URL, no script or style fetched", () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link(?![^>]*href="data:)/);
    expect(html).not.toMatch(/@import|url\(/);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<meta charset="utf-8">');
  });

  it("inlines every figure and links its SVG file", () => {
    for (const f of FIGURES) {
      expect(html).toContain(`<figure id="fig-${f.name}" data-figure="${f.name}">`);
      expect(html).toContain(`<a href="plots/${f.name}.svg">SVG</a>`);
    }
    expect(html.match(/<svg [^>]*data-figure=/g)).toHaveLength(FIGURES.length);
  });

  it("has the summary table with the summary's values and a toggle per strategy", () => {
    for (const s of a.strategies) {
      expect(html).toContain(`data-toggle="strategy" value="${s}"`);
      expect(html).toContain(`data-strategy="${s}"`);
    }
    expect(html).toContain('<table class="summary">');
    expect(html).toContain('<table class="summary all">');
    const stalls = a.summary.tree.stallsPerMinute!;
    expect(html).toContain(`<td class="num" data-strategy="tree" data-run="0">${stalls}</td>`);
    expect(html).toContain("stalls per minute");
    expect(html).toContain("startup latency p95 (s)");
    expect(html).not.toContain('data-toggle="run"');
  });

  it("has run toggles and the difference table when comparing", () => {
    const cmp = renderReport(both, renderFigures(both), []);
    expect(cmp).toContain('data-toggle="run" value="0"');
    expect(cmp).toContain('data-toggle="run" value="1"');
    expect(cmp).toContain("Differences (each run against A)");
    expect(cmp).toContain("<strong>A</strong>: flash-crowd-small");
  });

  it("is deterministic", () => {
    expect(renderReport([a], renderFigures([a]))).toBe(html);
  });
});

describe("report.html summary table with the shares that count every session", () => {
  it("shows neverStartedShare and playingShare next to startup latency when the summary has them", () => {
    const withShares: Results = {
      ...a,
      summary: Object.fromEntries(
        Object.entries(a.summary).map(([name, s]) => [
          name,
          { ...s, neverStartedShare: 0.25, playingShare: 0.5 },
        ]),
      ),
    };
    const page = renderReport([withShares], renderFigures([withShares]));
    const headline = page.slice(page.indexOf('<table class="summary">'), page.indexOf("</table>"));
    const rows = [...headline.matchAll(/<td class="metric"[^>]*>([^<]+)<\/td>/g)].map((m) => m[1]);
    expect(rows.slice(1, 6)).toEqual([
      "peer sessions",
      "never started (share of sessions)",
      "startup latency p50 (s)",
      "startup latency p95 (s)",
      "playing (share of online time)",
    ]);
    expect(headline).toContain('<td class="num" data-strategy="tree" data-run="0">0.25</td>');
    // without them (older results) the rows are simply absent
    expect(html).not.toContain("never started (share of sessions)");
  });
});
