import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareRuns } from "../../analysis/compare.ts";
import { FIGURES } from "../../analysis/index.ts";
import { writePlots } from "../../analysis/plot.ts";
import { copyFixture, RUN_A, RUN_B } from "./helpers.ts";

/*
 * Opens report.html in a real headless Chromium (Debian's package; `.ci/run` installs it with
 * `apt-get install -y chromium`). In CI a missing browser fails the test; on a developer
 * machine without it the test is skipped with a message.
 */

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const mustRun = Boolean(process.env.CI);
if (!available && !mustRun) {
  console.warn(
    `report.browser.test.ts skipped: ${CHROMIUM} not found (apt-get install -y chromium to run it)`,
  );
}

const STRATEGIES = ["client-server", "tree", "swarm", "striped"];

it.runIf(mustRun)("CI has Chromium for the browser test", () => {
  expect(
    available,
    `${CHROMIUM} is missing but CI is set: .ci/run must apt-get install -y chromium`,
  ).toBe(true);
});

/** A page with every console error, page error and non-file request recorded. */
async function open(browser: Browser, reportPath: string, width = 1280) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning")
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  page.on("request", (r) => {
    if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) {
      problems.push(`external request: ${r.url()}`);
    }
  });
  await page.goto(pathToFileURL(reportPath).href, { waitUntil: "load" });
  return { page, problems };
}

/** Per figure, how many marks are rendered (non-empty box) and not hidden. */
function visibleMarks(page: Page, selector = ".mark"): Promise<Record<string, number>> {
  return page.evaluate((sel) => {
    const out: Record<string, number> = {};
    for (const figure of Array.from(document.querySelectorAll("main figure"))) {
      const name = figure.getAttribute("data-figure")!;
      out[name] = Array.from(figure.querySelectorAll(sel)).filter((el) => {
        const box = el.getBoundingClientRect();
        return el.getClientRects().length > 0 && (box.width > 0 || box.height > 0);
      }).length;
    }
    return out;
  }, selector);
}

/**
 * Pairs of text labels that overlap inside one figure. Each text's box (getBBox, in its own
 * coordinates) is mapped through its screen transform, so turned labels are compared as the
 * turned rectangles they are (separating-axis test on the two quadrilaterals), shrunk by half a
 * pixel so that merely touching boxes do not count.
 */
function overlappingLabels(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Pt = { x: number; y: number };
    const quad = (t: SVGTextElement): Pt[] => {
      const b = t.getBBox();
      const m = t.getScreenCTM()!;
      const inset = 0.5;
      const corners = [
        [b.x + inset, b.y + inset],
        [b.x + b.width - inset, b.y + inset],
        [b.x + b.width - inset, b.y + b.height - inset],
        [b.x + inset, b.y + b.height - inset],
      ];
      return corners.map(([x, y]) => ({ x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f }));
    };
    const separated = (p: Pt[], q: Pt[]) => {
      for (const poly of [p, q]) {
        for (let i = 0; i < poly.length; i++) {
          const a = poly[i];
          const b = poly[(i + 1) % poly.length];
          const nx = b.y - a.y;
          const ny = a.x - b.x;
          const project = (r: Pt[]) => r.map((v) => v.x * nx + v.y * ny);
          const pp = project(p);
          const qq = project(q);
          if (Math.max(...pp) <= Math.min(...qq) || Math.max(...qq) <= Math.min(...pp)) return true;
        }
      }
      return false;
    };
    const problems: string[] = [];
    for (const figure of Array.from(document.querySelectorAll("main figure"))) {
      const name = figure.getAttribute("data-figure");
      const texts = Array.from(figure.querySelectorAll("svg text")).filter(
        (t): t is SVGTextElement =>
          (t.textContent ?? "").trim() !== "" &&
          (t as SVGGraphicsElement).getClientRects().length > 0,
      );
      const quads = texts.map(quad);
      for (let i = 0; i < texts.length; i++) {
        for (let j = 0; j < i; j++) {
          if (!separated(quads[i], quads[j])) {
            problems.push(`${name}: "${texts[j].textContent}" overlaps "${texts[i].textContent}"`);
          }
        }
      }
    }
    return problems;
  });
}

/** How far the page is wider than the window, px (0 when nothing overflows sideways). */
function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
}

/** Where the screenshots of the reader's test go (look at them after a change). */
const SHOTS = join(tmpdir(), "peercast-report-screenshots");

/** Share of pixels that differ from the page background, and the number of distinct colours. */
function inkStats(png: Buffer): { ink: number; colors: number } {
  const image = PNG.sync.read(png);
  const { data, width, height } = image;
  const bg = [data[0], data[1], data[2]];
  let ink = 0;
  const colors = new Set<number>();
  for (let i = 0; i < width * height * 4; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    if (Math.abs(r - bg[0]) + Math.abs(g - bg[1]) + Math.abs(b - bg[2]) > 24) ink++;
    colors.add((r << 16) | (g << 8) | b);
  }
  return { ink: ink / (width * height), colors: colors.size };
}

describe.skipIf(!available && !mustRun)("report.html in headless Chromium", () => {
  let browser: Browser;
  let single: string;
  let compared: string;
  let crowded: string;

  beforeAll(async () => {
    if (!available) {
      throw new Error(
        `${CHROMIUM} is missing but CI is set: the browser test must run in CI (.ci/run: apt-get install -y chromium)`,
      );
    }
    const a = copyFixture(RUN_A, "run-a");
    const b = copyFixture(RUN_B, "run-b");
    await writePlots(a);
    single = join(a, "report.html");
    compared = (await compareRuns([a, b], join(a, "..", "compare"))).reportPath;
    // The crowded case of a real run: strategies at the same point of the trade-off, a zero
    // and several near-identical values.
    const c = copyFixture(RUN_A, "crowded");
    const summaryFile = join(c, "summary.json");
    const summary = JSON.parse(readFileSync(summaryFile, "utf8"));
    Object.assign(summary.strategies.tree, { continuityIndex: 0.97, overheadRatio: 0 });
    Object.assign(summary.strategies.striped, { continuityIndex: 0.97, overheadRatio: 0 });
    Object.assign(summary.strategies.swarm, { continuityIndex: 0.985, overheadRatio: 0.02 });
    Object.assign(summary.strategies["client-server"], {
      continuityIndex: 1,
      overheadRatio: 0,
      stallsPerMinute: 0,
      stallRatio: 0,
    });
    writeFileSync(summaryFile, JSON.stringify(summary));
    await writePlots(c);
    crowded = join(c, "report.html");
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("opens without console errors, and every figure has visible marks", async () => {
    const { page, problems } = await open(browser, single);
    const counts = await visibleMarks(page);
    expect(Object.keys(counts).sort()).toEqual(FIGURES.map((f) => f.name).sort());
    for (const [name, count] of Object.entries(counts)) {
      expect(count, `marks in ${name}`).toBeGreaterThan(0);
    }
    // every figure's SVG is laid out at a readable size
    const sizes = await page.$$eval("main figure svg", (svgs) =>
      svgs.map((s) => s.getBoundingClientRect().width),
    );
    for (const w of sizes) expect(w).toBeGreaterThan(300);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("toggling a strategy hides its marks in every figure, and shows them again", async () => {
    const { page, problems } = await open(browser, single);
    const before = await visibleMarks(page, '.mark[data-strategy="tree"]');
    const othersBefore = await visibleMarks(page, '.mark:not([data-strategy="tree"])');
    expect(Object.values(before).reduce((x, y) => x + y, 0)).toBeGreaterThan(10);

    await page.locator('input[data-toggle="strategy"][value="tree"]').uncheck();
    const hidden = await visibleMarks(page, '.mark[data-strategy="tree"]');
    for (const [name, count] of Object.entries(hidden)) expect(count, name).toBe(0);
    expect(await visibleMarks(page, '.mark:not([data-strategy="tree"])')).toEqual(othersBefore);
    // its summary-table column is hidden too, its legend entries dimmed
    expect(await page.locator('table.summary td[data-strategy="tree"]').first().isVisible()).toBe(
      false,
    );
    const dimmed = await page.$$eval('.legend-item[data-strategy="tree"]', (items) =>
      items.map((i) => getComputedStyle(i).opacity),
    );
    expect(dimmed.length).toBeGreaterThan(0);
    for (const o of dimmed) expect(Number(o)).toBeLessThan(0.5);

    await page.locator('input[data-toggle="strategy"][value="tree"]').check();
    expect(await visibleMarks(page, '.mark[data-strategy="tree"]')).toEqual(before);

    // clicking a legend entry toggles the strategy as well
    await page.locator('#fig-startup-cdf .legend-item[data-strategy="swarm"]').click();
    expect(await page.locator('input[data-toggle="strategy"][value="swarm"]').isChecked()).toBe(
      false,
    );
    expect((await visibleMarks(page, '.mark[data-strategy="swarm"]'))["startup-cdf"]).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows values on hover", async () => {
    const { page, problems } = await open(browser, single);
    const bar = page.locator('#fig-stalls .mark.bar[data-strategy="tree"] rect').first();
    await bar.scrollIntoViewIfNeeded();
    const box = (await bar.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height - 3);
    const tooltip = page.locator("#tooltip");
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    const text = await tooltip.textContent();
    expect(text).toContain("tree");
    expect(text).toMatch(/stalls per minute/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("renders a non-blank page (screenshot)", async () => {
    const { page, problems } = await open(browser, single);
    const full = inkStats(await page.screenshot({ fullPage: true }));
    expect(full.ink).toBeGreaterThan(0.05);
    expect(full.colors).toBeGreaterThan(50);
    for (const name of ["startup-cdf", "population", "qos-by-class"]) {
      const shot = inkStats(await page.locator(`#fig-${name} svg`).screenshot());
      expect(shot.ink, name).toBeGreaterThan(0.04);
      expect(shot.colors, name).toBeGreaterThan(10);
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it("the label-overlap check finds overlaps and passes turned labels that only share a box", async () => {
    const page = await browser.newPage({ viewport: { width: 400, height: 300 } });
    await page.setContent(`<main><figure data-figure="probe"><svg width="300" height="200">
      <text x="10" y="20" font-size="10">first label</text>
      <text x="40" y="22" font-size="10">second label</text>
      <g transform="translate(100,120)"><text transform="rotate(-35)" text-anchor="end" font-size="9">turned one</text></g>
      <g transform="translate(118,120)"><text transform="rotate(-35)" text-anchor="end" font-size="9">turned two</text></g>
    </svg></figure></main>`);
    expect(await overlappingLabels(page)).toEqual(['probe: "first label" overlaps "second label"']);
    await page.close();
  });

  it.each([600, 1280])(
    "reads at %i px: no sideways scrolling, no two labels of a figure overlap (screenshots taken)",
    async (width) => {
      for (const [name, report] of [
        ["single", single],
        ["compare", compared],
        ["crowded", crowded],
      ] as const) {
        const { page, problems } = await open(browser, report, width);
        expect(await horizontalOverflow(page), `${name} at ${width} px`).toBeLessThanOrEqual(0);
        expect(await overlappingLabels(page), `${name} at ${width} px`).toEqual([]);
        // figures fill the column: no figure is cut off or wider than the window
        const boxes = await page.$$eval("main figure", (figures) =>
          figures.map((f) => f.getBoundingClientRect().right),
        );
        for (const right of boxes) expect(right).toBeLessThanOrEqual(width);
        await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
        expect(problems).toEqual([]);
        await page.close();
      }
    },
  );

  it("prints cleanly: controls hidden, no figure split across pages", async () => {
    const { page, problems } = await open(browser, single);
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("nav.controls").isVisible()).toBe(false);
    const figureRule = await page.$eval("main figure", (f) => {
      const style = getComputedStyle(f);
      return style.breakInside;
    });
    expect(figureRule).toBe("avoid");
    const pdf = await page.pdf({ format: "A4", printBackground: false });
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    writeFileSync(join(SHOTS, "single-print.pdf"), pdf);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("comparison report: both runs drawn, run toggles work, no errors", async () => {
    const { page, problems } = await open(browser, compared);
    for (const run of ["0", "1"]) {
      const counts = await visibleMarks(page, `.mark[data-run="${run}"]`);
      expect(counts["startup-cdf"]).toBe(STRATEGIES.length);
      expect(counts.population).toBeGreaterThan(0);
    }
    await page.locator('input[data-toggle="run"][value="1"]').uncheck();
    const off = await visibleMarks(page, '.mark[data-run="1"]');
    for (const [name, count] of Object.entries(off)) expect(count, name).toBe(0);
    expect((await visibleMarks(page, '.mark[data-run="0"]'))["startup-cdf"]).toBe(
      STRATEGIES.length,
    );
    await expect.poll(() => page.locator("table.compare tbody tr").count()).toBeGreaterThan(100);
    const shot = inkStats(await page.screenshot({ fullPage: true }));
    expect(shot.ink).toBeGreaterThan(0.05);
    expect(problems).toEqual([]);
    await page.close();
  });
});
