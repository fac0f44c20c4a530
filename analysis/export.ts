import { createRequire } from "node:module";

/*
 * PNG and PDF versions of a figure, for papers and slides. Both are rendered from the SVG text
 * without a browser: PNG by resvg (a Rust renderer shipped as a binary inside its npm package),
 * PDF by PDFKit with svg-to-pdfkit. Both use the same font files, Arimo (metric-compatible with
 * Arial, Helvetica and Liberation Sans, which the SVG names and the label layout assumes), taken
 * from an npm package so that the output does not depend on the fonts of the machine: the same
 * SVG always gives the same bytes.
 */

/** The output formats of `sim plot --format`. */
export const FORMATS = ["svg", "png", "pdf"] as const;
export type Format = (typeof FORMATS)[number];

/** Default PNG resolution, dots per inch (print quality for a paper column). */
export const DEFAULT_DPI = 300;
/** Highest PNG resolution accepted, dots per inch (a 340 px figure at 1200 dpi is 4250 px). */
export const MAX_DPI = 1200;
/** Lowest PNG resolution accepted, dots per inch (CSS pixels are 96 per inch). */
export const MIN_DPI = 48;

/** CSS pixels per inch: SVG user units without a unit are CSS pixels. */
const CSS_PX_PER_INCH = 96;
/** PDF points per inch. */
const PT_PER_INCH = 72;

const require = createRequire(import.meta.url);
/** Paths of the font files used for PNG and PDF: regular and bold. */
export const FONT_FILES = {
  regular: require.resolve("@expo-google-fonts/arimo/400Regular/Arimo_400Regular.ttf"),
  bold: require.resolve("@expo-google-fonts/arimo/700Bold/Arimo_700Bold.ttf"),
};
/*
 * The renderers are loaded on first use, not at import: PDFKit alone costs about 0.15 s of start-up,
 * which every `sim` command would pay although most write SVG only.
 */
function loadResvg(): typeof import("@resvg/resvg-js") {
  return require("@resvg/resvg-js");
}

/** The family name inside those files. */
export const EXPORT_FONT_FAMILY = "Arimo";

/**
 * Parses a `--format` value such as "svg,png,pdf" into a list without repeats, in the order of
 * {@link FORMATS}. Throws a one-line error naming the bad entry.
 */
export function parseFormats(text: string): Format[] {
  const asked = text
    .split(",")
    .map((f) => f.trim().toLowerCase())
    .filter((f) => f !== "");
  if (asked.length === 0) throw new Error(`--format: expected a list of ${FORMATS.join(", ")}`);
  for (const f of asked) {
    if (!(FORMATS as readonly string[]).includes(f)) {
      throw new Error(`--format: unknown format "${f}" (expected ${FORMATS.join(", ")})`);
    }
  }
  return FORMATS.filter((f) => asked.includes(f));
}

/** Checks a `--dpi` value; throws a one-line error when it is not a number in range. */
export function checkDpi(dpi: number): number {
  if (!Number.isFinite(dpi) || dpi < MIN_DPI || dpi > MAX_DPI) {
    throw new Error(`--dpi: expected a number from ${MIN_DPI} to ${MAX_DPI}, got ${dpi}`);
  }
  return dpi;
}

/** Width and height of an SVG document from its root element's attributes, CSS px. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = svg.match(/<svg\b[^>]*>/)?.[0] ?? "";
  const width = Number(root.match(/\swidth="([\d.]+)"/)?.[1]);
  const height = Number(root.match(/\sheight="([\d.]+)"/)?.[1]);
  if (!(width > 0) || !(height > 0)) throw new Error("figure SVG has no width and height");
  return { width, height };
}

/**
 * Pixel size of the PNG of an SVG at `dpi`: the width is the CSS width scaled by dpi / 96 and
 * rounded; the height keeps the aspect ratio at that width (so it is within a pixel of the
 * height scaled by dpi / 96).
 */
export function pngSize(svg: string, dpi: number): { width: number; height: number } {
  const { width, height } = svgSize(svg);
  const pixels = Math.round((width * dpi) / CSS_PX_PER_INCH);
  return { width: pixels, height: Math.round((height * pixels) / width) };
}

/**
 * Renders an SVG figure to PNG at `dpi` dots per inch (the SVG's CSS pixels are 1/96 in), on
 * white, with the resolution recorded in the PNG's pHYs chunk so that a word processor or
 * LaTeX places it at its intended size.
 */
export function svgToPng(svg: string, dpi: number = DEFAULT_DPI): Buffer {
  const { width } = pngSize(svg, dpi);
  const { Resvg } = loadResvg();
  const resvg = new Resvg(svg, {
    fitTo: { mode: "width", value: width },
    background: "#ffffff",
    font: {
      loadSystemFonts: false,
      fontFiles: [FONT_FILES.regular, FONT_FILES.bold],
      defaultFontFamily: EXPORT_FONT_FAMILY,
      sansSerifFamily: EXPORT_FONT_FAMILY,
    },
    shapeRendering: 2,
    textRendering: 1,
    logLevel: "off",
  });
  return withPhys(resvg.render().asPng(), dpi);
}

/**
 * Renders an SVG figure to a one-page PDF of the figure's size (CSS px at 96 per inch, so a
 * 340 px figure is 3.54 in wide) with the fonts embedded (as subsets) and vector marks. The
 * document has a fixed creation date so that the same SVG always gives the same bytes.
 */
export async function svgToPdf(svg: string, title: string): Promise<Buffer> {
  const [{ default: PDFDocument }, { default: SVGtoPDF }] = await Promise.all([
    import("pdfkit"),
    import("svg-to-pdfkit"),
  ]);
  const { width, height } = svgSize(svg);
  const scale = PT_PER_INCH / CSS_PX_PER_INCH;
  const size: [number, number] = [width * scale, height * scale];
  const doc = new PDFDocument({
    size,
    margin: 0,
    compress: true,
    info: {
      Title: title,
      Producer: "peercast-sim",
      Creator: "peercast-sim",
      CreationDate: new Date(0),
    },
  });
  doc.registerFont(EXPORT_FONT_FAMILY, FONT_FILES.regular);
  doc.registerFont(`${EXPORT_FONT_FAMILY}-Bold`, FONT_FILES.bold);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const warnings: string[] = [];
  SVGtoPDF(doc, svg, 0, 0, {
    width: size[0],
    height: size[1],
    fontCallback: (_family, bold) => (bold ? `${EXPORT_FONT_FAMILY}-Bold` : EXPORT_FONT_FAMILY),
    warningCallback: (warning) => warnings.push(warning),
  });
  doc.end();
  if (warnings.length > 0) {
    throw new Error(`PDF of "${title}": ${warnings[0]}`);
  }
  return done;
}

/** CRC-32 (ISO 3309, as PNG uses) of bytes. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * The PNG with a pHYs chunk (pixels per metre) right after IHDR, replacing any there was.
 * PNG layout: 8-byte signature, then chunks of length (4), type (4), data, CRC (4).
 */
export function withPhys(png: Buffer, dpi: number): Buffer {
  const chunks: Buffer[] = [png.subarray(0, 8)];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("latin1", offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (type !== "pHYs") chunks.push(png.subarray(offset, end));
    if (type === "IHDR") chunks.push(physChunk(dpi));
    offset = end;
  }
  return Buffer.concat(chunks);
}

function physChunk(dpi: number): Buffer {
  const perMetre = Math.round(dpi / 0.0254);
  const body = Buffer.alloc(4 + 9);
  body.write("pHYs", 0, "latin1");
  body.writeUInt32BE(perMetre, 4);
  body.writeUInt32BE(perMetre, 8);
  body.writeUInt8(1, 12); // unit: metre
  const chunk = Buffer.alloc(4 + body.length + 4);
  chunk.writeUInt32BE(9, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), 4 + body.length);
  return chunk;
}
