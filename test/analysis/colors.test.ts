import { describe, expect, it } from "vitest";
import { INK, MUTED } from "../../analysis/chart.ts";
import {
  assignColors,
  assignStyles,
  contrastRatio,
  hashName,
  PALETTE,
  relativeLuminance,
  runDash,
  strategyColor,
} from "../../analysis/colors.ts";

/*
 * Colour-vision simulation for the distinctness test: Machado, Oliveira and Fernandes (2009),
 * severity 1.0, applied to linear RGB; differences as CIE76 ΔE in L*a*b* (D65).
 */
const MACHADO = {
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

function linearRgb(hex: string): number[] {
  return [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
}

function lab(rgb: number[]): number[] {
  const [r, g, b] = rgb.map((c) => Math.min(1, Math.max(0, c)));
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

function simulate(rgb: number[], m: number[][]): number[] {
  return m.map((row) => row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]);
}

function deltaE(p: number[], q: number[]): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

describe("strategy colours", () => {
  it("compute WCAG contrast as published (black on white 21:1, #767676 4.54:1)", () => {
    expect(relativeLuminance("#ffffff")).toBeCloseTo(1, 6);
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 6);
    expect(contrastRatio("#767676", "#ffffff")).toBeCloseTo(4.54, 2);
  });

  it("every mark colour has at least 3:1 contrast on white", () => {
    for (const color of [...PALETTE, INK, MUTED]) {
      expect(contrastRatio(color, "#ffffff"), color).toBeGreaterThanOrEqual(3);
    }
  });

  it("stay apart for normal vision and the three kinds of colour blindness", () => {
    const views: [string, (hex: string) => number[]][] = [
      ["normal", (hex) => lab(linearRgb(hex))],
      ...Object.entries(MACHADO).map(
        ([name, m]) =>
          [name, (hex: string) => lab(simulate(linearRgb(hex), m))] as [
            string,
            (hex: string) => number[],
          ],
      ),
    ];
    for (const [view, toLab] of views) {
      for (let i = 0; i < PALETTE.length; i++) {
        for (let j = 0; j < i; j++) {
          const d = deltaE(toLab(PALETTE[i]), toLab(PALETTE[j]));
          // 9 ΔE units: clearly different side by side (about 2.3 is a just noticeable difference)
          expect(d, `${view}: ${PALETTE[i]} vs ${PALETTE[j]}`).toBeGreaterThan(9);
        }
      }
    }
  });

  it("are a pure function of the name", () => {
    expect(strategyColor("tree")).toBe("#0072b2");
    expect(strategyColor("client-server")).toBe("#656565");
    expect(strategyColor("my-new-strategy")).toBe(strategyColor("my-new-strategy"));
    expect(PALETTE).toContain(strategyColor("my-new-strategy"));
    // FNV-1a test vector: stable across platforms and Node versions
    expect(hashName("a")).toBe(0xe40c292c);
  });

  it("do not depend on the other strategies or their order when names don't collide", () => {
    const one = assignColors(["tree", "swarm", "striped", "client-server"]);
    const two = assignColors(["client-server", "tree"]);
    const three = assignColors(["striped", "tree", "zeta-gossip"]);
    for (const [name, color] of two) expect(one.get(name)).toBe(color);
    expect(three.get("tree")).toBe(one.get("tree"));
    expect(three.get("striped")).toBe(one.get("striped"));
    for (const [name, color] of one) expect(color).toBe(strategyColor(name));
  });

  it("stay distinct within a report: a colliding name takes the next free colour", () => {
    const names = Array.from({ length: PALETTE.length }, (_, i) => `strategy-${i}`);
    const colors = assignColors(names);
    expect(new Set(colors.values()).size).toBe(PALETTE.length);
    // the same set in another order gives the same colours
    expect(assignColors([...names].reverse())).toEqual(colors);
  });

  it("give every strategy its own (colour, shape) pair, also beyond the palette", () => {
    const names = Array.from({ length: 12 }, (_, i) => `strategy-${i}`);
    const styles = assignStyles(names);
    const shapeIds = new Map<unknown, number>();
    const shapeId = (shape: unknown) => {
      if (!shapeIds.has(shape)) shapeIds.set(shape, shapeIds.size);
      return shapeIds.get(shape);
    };
    const pairs = new Set([...styles.values()].map((s) => `${s.color}/${shapeId(s.symbol)}`));
    expect(pairs.size).toBe(names.length);
    // within the palette's size the shapes alone are distinct too (greyscale print)
    const few = assignStyles(names.slice(0, PALETTE.length));
    expect(new Set([...few.values()].map((s) => s.symbol)).size).toBe(PALETTE.length);
    // style indices follow the order the names were given (legend order)
    expect([...styles.values()].map((s) => s.index).sort((a, b) => a - b)).toEqual(
      names.map((_, i) => i),
    );
    expect(styles.get("strategy-3")!.index).toBe(3);
  });

  it("give the first run solid lines and later runs dashes", () => {
    expect(runDash(0)).toBeNull();
    expect(runDash(1)).not.toBeNull();
    expect(runDash(1)).not.toBe(runDash(2));
  });
});
