import {
  type SymbolType,
  symbolCircle,
  symbolCross,
  symbolDiamond,
  symbolSquare,
  symbolStar,
  symbolTriangle,
  symbolWye,
} from "d3";

/*
 * One fixed style per strategy name, the same in every figure and report: a colour and a
 * marker shape, so that a strategy can be told apart without colour (in greyscale print, by
 * colour-blind readers, or where two strategies' lines lie on top of each other).
 *
 * The palette follows Okabe and Ito's colour-blind-safe set, with each hue darkened just enough
 * for at least 3:1 contrast on white (WCAG's figure for graphical marks): the original orange,
 * sky blue, reddish purple and yellow are too light for thin lines on paper. The yellow is left
 * out (no dark yellow stays apart from the orange for protanopes) and black becomes a mid grey,
 * kept for the client-server baseline. A few common strategy names have reserved entries; any
 * other name is hashed (FNV-1a) into the palette. Two names can hash to the same entry: within
 * one report the later name (in sorted order) then takes the next free entry. Beyond seven
 * strategies colours repeat, but the (colour, shape) pair stays unique.
 */

export const PALETTE = [
  "#0072b2", // blue
  "#b75100", // vermillion, darkened
  "#009e73", // bluish green
  "#bc6f9a", // reddish purple, darkened
  "#c18600", // orange, darkened
  "#4a9bc8", // sky blue, darkened
  "#656565", // grey (Okabe-Ito's black, lightened to stay apart from the blue)
] as const;

/** Marker shapes, one per palette entry, then more for strategies beyond the palette. */
const SHAPES: readonly SymbolType[] = [
  symbolCircle,
  symbolSquare,
  symbolTriangle,
  symbolDiamond,
  symbolCross,
  symbolStar,
  symbolWye,
];

/** A downward triangle, for the eighth and later styles. */
const symbolTriangleDown: SymbolType = {
  draw(context, size) {
    const y = -Math.sqrt(size / (Math.sqrt(3) * 3));
    context.moveTo(0, -y * 2);
    context.lineTo(-Math.sqrt(3) * y, y);
    context.lineTo(Math.sqrt(3) * y, y);
    context.closePath();
  },
};

const RESERVED: Record<string, number> = {
  tree: 0,
  "tree-relay": 0,
  striped: 2,
  stripes: 2,
  "ideal-multicast": 3,
  swarm: 4,
  "minute-swarming": 4,
  "client-server": 6,
};

/** FNV-1a over UTF-16 code units: stable across platforms and Node versions. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The preferred palette index of a strategy name, independent of any other name. */
export function preferredIndex(name: string): number {
  return RESERVED[name] ?? hashName(name) % PALETTE.length;
}

/** The colour of a strategy name on its own (what it gets unless it collides in a report). */
export function strategyColor(name: string): string {
  return PALETTE[preferredIndex(name)];
}

/** How a strategy is drawn in every figure of a report. */
export interface StrategyStyle {
  color: string;
  /** Marker shape for points and for the markers along its lines. */
  symbol: SymbolType;
  /** Position of the strategy among the report's styles (staggers markers along lines). */
  index: number;
}

/**
 * Styles for all strategy names of a report: preferred colours with collisions resolved, the
 * shape of the colour's palette entry, and, past the palette's size, repeated colours with
 * other shapes.
 */
export function assignStyles(names: Iterable<string>): Map<string, StrategyStyle> {
  const unique = [...new Set(names)];
  const used = new Set<number>();
  const reserved = unique.filter((n) => n in RESERVED).sort();
  const others = unique.filter((n) => !(n in RESERVED)).sort();
  const out = new Map<string, StrategyStyle>();
  let overflow = 0;
  for (const name of [...reserved, ...others]) {
    let index = preferredIndex(name);
    for (let step = 0; step < PALETTE.length && used.has(index); step++) {
      index = (index + 1) % PALETTE.length;
    }
    let shape: SymbolType;
    if (used.has(index)) {
      // More names than colours: keep the preferred colour, give a shape no entry has.
      index = preferredIndex(name);
      shape = overflow === 0 ? symbolTriangleDown : SHAPES[(index + overflow) % SHAPES.length];
      overflow++;
    } else {
      shape = SHAPES[index];
    }
    used.add(index);
    out.set(name, { color: PALETTE[index], symbol: shape, index: 0 });
  }
  // Numbered in the order the names were given, so marker staggering follows the legend.
  unique.forEach((name, i) => {
    out.get(name)!.index = i;
  });
  return out;
}

/** Colours for all strategy names of a report (see {@link assignStyles}). */
export function assignColors(names: Iterable<string>): Map<string, string> {
  return new Map([...assignStyles(names)].map(([name, style]) => [name, style.color]));
}

/** Dash pattern for the i-th run of a comparison (the first run is solid). */
export function runDash(runIndex: number): string | null {
  const dashes = [null, "5 3", "2 2", "8 3 2 3", "1 3"];
  return dashes[runIndex % dashes.length];
}

/** WCAG relative luminance of a `#rrggbb` colour (0 black to 1 white). */
export function relativeLuminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
