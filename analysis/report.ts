import { figureContext } from "./chart.ts";
import { runDash } from "./colors.ts";
import type { CompareRow } from "./compare.ts";
import { formatRelative, formatTableNumber } from "./compare.ts";
import type { Format } from "./export.ts";
import type { RenderedFigure } from "./index.ts";
import { describeRuns, runLetter } from "./labels.ts";
import { metricLabel, metricNames, metricValue } from "./metrics.ts";
import { REPORT_CSS, REPORT_SCRIPT } from "./reportAssets.ts";
import { escapeAttr, escapeText } from "./svg.ts";
import type { Results } from "./types.ts";

/*
 * report.html: one self-contained page (inline CSS, inline SVG, a small inline script; no
 * external URL, nothing fetched) with the summary table, the comparison table for
 * `sim compare`, every figure, strategy (and run) toggles and hover tooltips.
 */

const e = escapeText;
const a = escapeAttr;

/** A table number: integers exact, others to 4 significant digits. */
function cell(value: number | null): string {
  if (value === null) return "–";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** A short line in the i-th run's dash pattern, for the run toggles. */
function dashSwatch(run: number): string {
  const dash = runDash(run);
  return `<svg class="dash" width="24" height="8" aria-hidden="true"><line x1="1" y1="4" x2="23" y2="4" stroke="#222" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/></svg>`;
}

function controls(results: readonly Results[], colors: Map<string, string>, strategies: string[]) {
  const strategyBoxes = strategies
    .map(
      (s) =>
        `<label><input type="checkbox" checked data-toggle="strategy" value="${a(s)}"><span class="swatch" style="background:${colors.get(s)}"></span>${e(s)}</label>`,
    )
    .join("\n");
  const runBoxes =
    results.length > 1
      ? `<div class="group"><strong>Runs</strong>\n${results
          .map(
            (r, i) =>
              `<label><input type="checkbox" checked data-toggle="run" value="${i}">${dashSwatch(i)}${e(runLetter(i))}: ${e(r.label)}</label>`,
          )
          .join("\n")}</div>`
      : "";
  return `<nav class="controls" aria-label="Show or hide series">
<div class="group"><strong>Strategies</strong>
${strategyBoxes}
</div>
${runBoxes}
</nav>`;
}

/**
 * The metrics of the summary's headline table (all metrics are in the expandable one); those a
 * run's summary lacks are left out. The shares that count every session stand next to startup
 * latency, which is over the sessions that started.
 */
const KEY_METRICS = [
  "peers",
  "neverStartedShare",
  "startupLatencySeconds.p50",
  "startupLatencySeconds.p95",
  "playingShare",
  "stallsPerMinute",
  "stallRatio",
  "continuityIndex",
  "playbackLagSeconds.p50",
  "playbackLagSeconds.p95",
  "sourceUploadShare",
  "overheadRatio",
  "rejoinsPerPeerHour",
  "recoverySeconds.p50",
];

function summaryTable(
  results: readonly Results[],
  colors: Map<string, string>,
  strategies: string[],
  names: readonly string[],
  cls: string,
) {
  const multi = results.length > 1;
  const columns: { strategy: string; run: number }[] = [];
  for (const s of strategies) {
    results.forEach((r, run) => {
      if (r.summary[s]) columns.push({ strategy: s, run });
    });
  }
  const attrs = (c: { strategy: string; run: number }) =>
    ` data-strategy="${a(c.strategy)}" data-run="${c.run}"`;
  const head1 = strategies
    .map((s) => {
      const span = columns.filter((c) => c.strategy === s).length;
      return `<th colspan="${span}" data-strategy="${a(s)}" style="border-top:3px solid ${colors.get(s)}">${e(s)}</th>`;
    })
    .join("");
  const head2 = multi
    ? `<tr><th></th>${columns.map((c) => `<th${attrs(c)} title="${a(results[c.run].label)}">${runLetter(c.run)}</th>`).join("")}</tr>`
    : "";
  const typeRow = `<tr><td class="metric">strategy type</td>${columns
    .map((c) => `<td${attrs(c)}>${e(results[c.run].summary[c.strategy].type)}</td>`)
    .join("")}</tr>`;
  const rows = names.map(
    (name) =>
      `<tr><td class="metric" title="${a(name)}">${e(metricLabel(name))}</td>${columns
        .map(
          (c) =>
            `<td class="num"${attrs(c)}>${cell(metricValue(results[c.run], c.strategy, name))}</td>`,
        )
        .join("")}</tr>`,
  );
  return `<div class="table-wrap"><table class="${cls}">
<thead><tr><th>metric</th>${head1}</tr>${head2}</thead>
<tbody>
${typeRow}
${rows.join("\n")}
</tbody></table></div>`;
}

function compareTable(results: readonly Results[], rows: readonly CompareRow[]) {
  const letters = results.map((_, i) => runLetter(i));
  const diffHeads = letters
    .slice(1)
    .map((l) => `<th>${l} − A</th><th>${l} − A (%)</th>`)
    .join("");
  const body = rows.map((row) => {
    const values = row.values.map(
      (v, i) => `<td class="num" data-run="${i}">${e(formatTableNumber(v))}</td>`,
    );
    const diffs = row.diffs.map(
      (d, i) =>
        `<td class="num">${e(formatTableNumber(d))}</td><td class="num">${e(formatRelative(row.relative[i], d))}</td>`,
    );
    return `<tr data-strategy="${a(row.strategy)}"><td>${e(row.strategy)}</td><td class="metric" title="${a(metricLabel(row.metric))}">${e(row.metric)}</td>${values.join("")}${diffs.join("")}</tr>`;
  });
  return `<div class="table-wrap"><table class="compare">
<thead><tr><th>strategy</th><th>metric</th>${letters.map((l, i) => `<th data-run="${i}">${l}</th>`).join("")}${diffHeads}</tr></thead>
<tbody>
${body.join("\n")}
</tbody></table></div>`;
}

/**
 * One line per run. A single run's report leaves out its directory: `sim run` writes the report
 * in a temporary directory that is then renamed, and the report must not depend on that path.
 */
function runList(results: readonly Results[]) {
  const multi = results.length > 1;
  return results
    .map((r, i) => {
      const m = r.manifest;
      const code = m
        ? ` · version ${e(m.version ?? "?")}${m.gitCommit ? ` · commit <code>${e(m.gitCommit.slice(0, 12))}</code>` : ""}`
        : "";
      const letter = multi ? `<strong>${runLetter(i)}</strong>: ` : "";
      const dir = multi ? ` · <code>${e(r.dir)}</code>` : "";
      return `<p class="meta">${letter}${e(r.scenario)} · seed ${r.seed} · ${r.durationSeconds} s simulated${code}${dir}</p>`;
    })
    .join("\n");
}

/** Inline SVG for HTML: the namespace declaration is implied there. */
function inlineSvg(svg: string): string {
  return svg.replace(' xmlns="http://www.w3.org/2000/svg"', "").trimEnd();
}

/** The whole report page. */
export function renderReport(
  results: readonly Results[],
  figures: readonly RenderedFigure[],
  compare?: readonly CompareRow[],
  formats: readonly Format[] = ["svg"],
): string {
  const ctx = figureContext(results);
  const allMetrics = metricNames(results);
  const title = results.length > 1 ? "peercast-sim comparison" : "peercast-sim report";
  const figureHtml = figures
    .map(
      (f) => `<figure id="fig-${a(f.spec.name)}" data-figure="${a(f.spec.name)}">
${inlineSvg(f.svg)}
<figcaption>${e(f.spec.caption)} ${formats.map((format) => `<a href="plots/${a(f.spec.name)}.${format}">${format.toUpperCase()}</a>`).join(" ")}</figcaption>
</figure>`,
    )
    .join("\n");
  const compareSection = compare
    ? `<section><h2>Differences (each run against A)</h2>
${compareTable(results, compare)}
</section>`
    : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`${title}: ${describeRuns(results)}`)}</title>
<link rel="icon" href="data:,">
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${e(title)}: ${e(describeRuns(results))}</h1>
${runList(results)}
</header>
${controls(results, ctx.colors, ctx.strategies)}
<main>
<section><h2>Summary</h2>
${summaryTable(
  results,
  ctx.colors,
  ctx.strategies,
  KEY_METRICS.filter((m) => allMetrics.includes(m)),
  "summary",
)}
<details><summary>All metrics</summary>
${summaryTable(results, ctx.colors, ctx.strategies, allMetrics, "summary all")}
</details>
</section>
<section><h2>Figures</h2>
<div class="figures">
${figureHtml}
</div>
</section>
${compareSection}
</main>
<footer>Hover over marks for values; use the checkboxes or click legend entries to show or hide strategies${results.length > 1 ? " and runs" : ""}.</footer>
<div id="tooltip" role="tooltip" hidden></div>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}
