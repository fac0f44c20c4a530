import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { PNG } from "pngjs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkDpi,
  parseFormats,
  pngSize,
  svgSize,
  svgToPdf,
  svgToPng,
} from "../../analysis/export.ts";
import { FIGURES } from "../../analysis/index.ts";
import { writePlots } from "../../analysis/plot.ts";
import type { Results } from "../../analysis/types.ts";
import { sim } from "../cli/runMain.ts";
import { copyFixture, loadFixtures, RUN_A } from "./helpers.ts";

let a: Results;
let tradeoffSvg: string;

beforeAll(async () => {
  ({ a } = await loadFixtures());
  tradeoffSvg = FIGURES.find((f) => f.name === "tradeoff")!.render([a]);
});

/** The chunks of a PNG file: type and data. */
function pngChunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    out.push({
      type: png.toString("latin1", offset + 4, offset + 8),
      data: png.subarray(offset + 8, offset + 8 + length),
    });
    offset += 12 + length;
  }
  return out;
}

describe("PNG export", () => {
  it("is a valid PNG whose size is the figure's at the stated DPI, with the DPI recorded", () => {
    const { width, height } = svgSize(tradeoffSvg);
    expect(width).toBe(340);
    for (const dpi of [96, 150, 300]) {
      const png = svgToPng(tradeoffSvg, dpi);
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const chunks = pngChunks(png);
      expect(chunks[0].type).toBe("IHDR");
      expect(chunks[1].type).toBe("pHYs");
      // 340 CSS px are 340/96 in: at 300 dpi 1062.5, rounded to 1063 pixels
      expect(chunks[0].data.readUInt32BE(0)).toBe(Math.round((340 * dpi) / 96));
      expect(Math.abs(chunks[0].data.readUInt32BE(4) - (height * dpi) / 96)).toBeLessThanOrEqual(1);
      const phys = chunks[1].data;
      expect(phys.readUInt32BE(0)).toBe(Math.round(dpi / 0.0254));
      expect(phys.readUInt32BE(4)).toBe(Math.round(dpi / 0.0254));
      expect(phys.readUInt8(8)).toBe(1);
      // pngjs checks every chunk's CRC and the image data while decoding
      const image = PNG.sync.read(png);
      expect([image.width, image.height]).toEqual([
        pngSize(tradeoffSvg, dpi).width,
        pngSize(tradeoffSvg, dpi).height,
      ]);
    }
  });

  it("draws the figure: white background, the strategies' colours and text in the bundled font", () => {
    const darkPixels = (svg: string) => {
      const image = PNG.sync.read(svgToPng(svg, 150));
      let dark = 0;
      for (let i = 0; i < image.data.length; i += 4) {
        if (image.data[i] < 60 && image.data[i + 1] < 60 && image.data[i + 2] < 60) dark++;
      }
      return { image, dark };
    };
    const { image, dark } = darkPixels(tradeoffSvg);
    const colors = new Set<string>();
    for (let i = 0; i < image.data.length; i += 4) {
      colors.add(
        `#${[0, 1, 2].map((k) => image.data[i + k].toString(16).padStart(2, "0")).join("")}`,
      );
    }
    expect([...image.data.subarray(0, 3)]).toEqual([255, 255, 255]);
    expect(colors.has("#0072b2")).toBe(true);
    // the text accounts for most of the dark ink (without a font it would not be drawn)
    const withoutText = darkPixels(tradeoffSvg.replace(/<text\b[^>]*>[^<]*<\/text>/g, "")).dark;
    expect(dark).toBeGreaterThan(2 * withoutText);
  });

  it("gives the same bytes every time", () => {
    expect(svgToPng(tradeoffSvg, 300).equals(svgToPng(tradeoffSvg, 300))).toBe(true);
  });
});

describe("PDF export", () => {
  it("is a one-page PDF of the figure's size in points with its fonts embedded", async () => {
    const pdf = await svgToPdf(tradeoffSvg, "Overhead vs continuity");
    const text = pdf.toString("latin1");
    expect(text.startsWith("%PDF-1.")).toBe(true);
    expect(text.trimEnd().endsWith("%%EOF")).toBe(true);
    const { width, height } = svgSize(tradeoffSvg);
    // CSS px are 1/96 in, PDF points 1/72 in
    const box = text.match(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/)!;
    expect(Number(box[1])).toBeCloseTo(width * 0.75, 2);
    expect(Number(box[2])).toBeCloseTo(height * 0.75, 2);
    expect(text.match(/\/Type \/Page\b/g)).toHaveLength(1);
    // TrueType fonts embedded (FontFile2), as subsets of Arimo, regular and bold
    expect(text.match(/\/FontFile2/g)?.length).toBe(2);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+Arimo-Regular/);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+Arimo-Bold/);
    // no font is only named (a viewer would substitute it)
    for (const m of text.matchAll(/\/Type \/Font\s*\/Subtype \/(\w+)/g)) {
      expect(["Type0", "CIDFontType2"]).toContain(m[1]);
    }
    // the page draws text: a content stream with the strategy names in glyph runs
    const streams = [...text.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)]
      .map((m) => {
        try {
          return inflateSync(Buffer.from(m[1], "latin1")).toString("latin1");
        } catch {
          return "";
        }
      })
      .join("\n");
    expect(streams).toMatch(/ Tf\b/);
    expect(streams).toMatch(/ TJ\b|Tj\b/);
  });

  it("gives the same bytes every time", async () => {
    const one = await svgToPdf(tradeoffSvg, "x");
    const two = await svgToPdf(tradeoffSvg, "x");
    expect(one.equals(two)).toBe(true);
  });
});

describe("export options", () => {
  it("parse a format list and reject unknown formats and DPI out of range", () => {
    expect(parseFormats("pdf,svg,png,svg")).toEqual(["svg", "png", "pdf"]);
    expect(parseFormats(" PNG ")).toEqual(["png"]);
    expect(() => parseFormats("svg,gif")).toThrow(
      '--format: unknown format "gif" (expected svg, png, pdf)',
    );
    expect(() => parseFormats(",")).toThrow("--format: expected a list of svg, png, pdf");
    expect(checkDpi(300)).toBe(300);
    expect(() => checkDpi(5)).toThrow("--dpi: expected a number from 48 to 1200, got 5");
    expect(() => checkDpi(Number.NaN)).toThrow("--dpi");
  });

  it("writePlots writes every figure in every format asked for and links them in the report", async () => {
    const dir = copyFixture(RUN_A);
    const written = await writePlots(dir, { formats: ["svg", "png", "pdf"], dpi: 120 });
    const names = FIGURES.map((f) => f.name);
    expect(written).toEqual([
      ...names.flatMap((n) => ["svg", "png", "pdf"].map((f) => join(dir, "plots", `${n}.${f}`))),
      join(dir, "report.html"),
    ]);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain('<a href="plots/tradeoff.png">PNG</a>');
    expect(html).toContain('<a href="plots/tradeoff.pdf">PDF</a>');
    const png = PNG.sync.read(readFileSync(join(dir, "plots", "tradeoff.png")));
    expect(png.width).toBe(Math.round((340 * 120) / 96));
    // svg only again: the PNG and PDF files of the earlier call are removed
    await writePlots(dir);
    expect(readdirSync(join(dir, "plots")).filter((f) => !f.endsWith(".svg"))).toEqual([]);
  });

  it("sim plot --format png,pdf --dpi 150 writes them; a bad format exits 2 and writes nothing", async () => {
    const dir = copyFixture(RUN_A);
    expect((await sim("plot", dir, "--format", "png,pdf", "--dpi", "150")).code).toBe(0);
    const other = copyFixture(RUN_A, "other");
    const bad = await sim("plot", other, "--format", "tiff");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('sim: --format: unknown format "tiff" (expected svg, png, pdf)\n');
    expect(existsSync(join(other, "plots"))).toBe(false);
    expect(existsSync(join(dir, "plots", "stalls.png"))).toBe(true);
    expect(existsSync(join(dir, "plots", "stalls.pdf"))).toBe(true);
    expect(existsSync(join(dir, "plots", "stalls.svg"))).toBe(false);
    const png = PNG.sync.read(readFileSync(join(dir, "plots", "stalls.png")));
    expect(png.width).toBe(Math.round((340 * 150) / 96));
  });

  it("sim run --format svg,pdf writes the PDFs with the results; a bad --dpi exits 2 before running", async () => {
    const root = mkdtempSync(join(tmpdir(), "peercast-export-"));
    const scenario = join(root, "tiny.yaml");
    writeFileSync(
      scenario,
      `name: tiny
duration: 1min
churn:
  arrivals: [{ type: poisson, rate: 30/min }]
strategies:
  - { name: cs, type: client-server }
`,
    );
    const out = join(root, "out");
    const run = await sim("run", scenario, "--out", out, "--quiet", "--format", "svg,pdf");
    expect(run.code).toBe(0);
    const files = readdirSync(join(out, "plots"));
    expect(files).toContain("startup-cdf.svg");
    expect(files).toContain("startup-cdf.pdf");
    expect(files.filter((f) => f.endsWith(".png"))).toEqual([]);
    const pdf = readFileSync(join(out, "plots", "startup-cdf.pdf")).toString("latin1");
    expect(pdf.startsWith("%PDF-")).toBe(true);
    expect(pdf).toContain("/FontFile2");
    const bad = await sim("run", scenario, "--out", join(root, "never"), "--dpi", "0");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("sim: --dpi: expected a number from 48 to 1200, got 0\n");
    expect(existsSync(join(root, "never"))).toBe(false);
  });
});
