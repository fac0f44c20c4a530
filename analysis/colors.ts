import {
  type SymbolType,
  symbolCircle,
  symbolDiamond,
  symbolSquare,
  symbolTriangle,
  symbolWye,
} from "d3";

/*
 * One fixed colour per strategy name, the same in every figure and report.
 *
 * The palette is Tableau 10 with its two lightest hues (light grey, yellow) swapped for the
 * darker Tableau 20 variants so that lines stay visible on white and in print. A few common
 * strategy names have reserved colours; any other name is hashed (FNV-1a) into the palette.
 * Two names can hash to the same colour: within one report the later name (in sorted order)
 * then takes the next free palette entry, so series stay distinguishable. That makes a
 * colour depend on the other names only in that collision case.
 */

export const PALETTE = [
  "#4e79a7", // blue
  "#f28e2b", // orange
  "#e15759", // red
  "#76b7b2", // teal
  "#59a14f", // green
  "#b6992d", // dark yellow
  "#af7aa1", // purple
  "#ff9da7", // pink
  "#9c755f", // brown
  "#79706e", // dark grey
] as const;

const RESERVED: Record<string, number> = {
  "client-server": 9,
  tree: 0,
  "tree-relay": 0,
  swarm: 1,
  "minute-swarming": 1,
  striped: 4,
  stripes: 4,
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

/** Colours for all strategy names of a report: preferred colours, collisions resolved. */
export function assignColors(names: Iterable<string>): Map<string, string> {
  const unique = [...new Set(names)];
  const used = new Set<number>();
  const out = new Map<string, string>();
  const reserved = unique.filter((n) => n in RESERVED).sort();
  const others = unique.filter((n) => !(n in RESERVED)).sort();
  for (const name of [...reserved, ...others]) {
    let index = preferredIndex(name);
    for (let step = 0; step < PALETTE.length && used.has(index); step++) {
      index = (index + 1) % PALETTE.length;
    }
    if (used.has(index)) index = preferredIndex(name); // more names than colours
    used.add(index);
    out.set(name, PALETTE[index]);
  }
  return out;
}

/** Point shape for the i-th run of a comparison (the first run is a circle). */
export function runSymbol(runIndex: number): SymbolType {
  const shapes = [symbolCircle, symbolSquare, symbolTriangle, symbolDiamond, symbolWye];
  return shapes[runIndex % shapes.length];
}

/** Dash pattern for the i-th run of a comparison (the first run is solid). */
export function runDash(runIndex: number): string | null {
  const dashes = [null, "5 3", "2 2", "8 3 2 3", "1 3"];
  return dashes[runIndex % dashes.length];
}
