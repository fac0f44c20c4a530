import { describe, expect, it } from "vitest";
import {
  MARKER_RADIUS,
  overlaps,
  placeLabels,
  spreadCoincident,
  textBox,
} from "../../analysis/labelPlacement.ts";

describe("spreading coincident points", () => {
  it("leaves separate points where they are", () => {
    const points = [
      { x: 10, y: 10 },
      { x: 40, y: 10 },
    ];
    expect(spreadCoincident(points)).toEqual([
      { x: 10, y: 10, group: 1, groupX: 10, groupY: 10 },
      { x: 40, y: 10, group: 1, groupX: 40, groupY: 10 },
    ]);
  });

  it("puts k identical points on a ring around them, neighbours a marker apart", () => {
    for (const k of [2, 3, 5]) {
      const spread = spreadCoincident(Array.from({ length: k }, () => ({ x: 100, y: 50 })));
      for (const p of spread) {
        expect(p.group).toBe(k);
        expect([p.groupX, p.groupY]).toEqual([100, 50]);
      }
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < i; j++) {
          const d = Math.hypot(spread[i].x - spread[j].x, spread[i].y - spread[j].y);
          expect(d).toBeGreaterThanOrEqual(2 * MARKER_RADIUS);
        }
      }
      // the ring is centred on the common position
      const cx = spread.reduce((s, p) => s + p.x, 0) / k;
      const cy = spread.reduce((s, p) => s + p.y, 0) / k;
      expect(cx).toBeCloseTo(100, 6);
      expect(cy).toBeCloseTo(50, 6);
    }
  });
});

describe("placing labels", () => {
  it("puts a lone label right of its point, vertically centred", () => {
    const label = placeLabels([{ x: 50, y: 50, text: "tree" }], 9, 200, 100)[0]!;
    expect(label.anchor).toBe("start");
    expect(label.x).toBe(57);
    expect(label.leader).toBeNull();
    const middle = label.box.y + label.box.height / 2;
    expect(Math.abs(middle - 50)).toBeLessThan(2);
  });

  it("keeps labels inside the panel: a point at the right edge is labelled on its left", () => {
    const label = placeLabels([{ x: 198, y: 50, text: "client-server" }], 9, 200, 100)[0]!;
    expect(label.anchor).toBe("end");
    expect(label.box.x + label.box.width).toBeLessThanOrEqual(200);
  });

  it("a crowd of points gets labels that overlap neither each other nor any marker", () => {
    const names = [
      "ideal-multicast",
      "client-server",
      "tree",
      "tree-back-buffer",
      "striped-parity",
      "minute-swarming",
    ];
    // the high-churn case: five strategies within 45 px at the bottom right
    const xs = [278, 39, 236.6, 262.7, 273.8, 273.3];
    const ys = [162, 162, 162, 162, 33.5, 148.7];
    const points = names.map((text, i) => ({ x: xs[i], y: ys[i], text }));
    const result = placeLabels(points, 9, 278, 170);
    expect(result.every((l) => l !== null)).toBe(true);
    const placed = result.map((l) => l!);
    for (const [i, label] of placed.entries()) {
      const { box } = label;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(278);
      expect(box.y + box.height).toBeLessThanOrEqual(170);
      for (const [j, other] of placed.entries()) {
        if (i !== j) expect(overlaps(box, other.box), `${names[i]} / ${names[j]}`).toBe(false);
      }
      for (const p of points) {
        const marker = {
          x: p.x - MARKER_RADIUS,
          y: p.y - MARKER_RADIUS,
          width: 2 * MARKER_RADIUS,
          height: 2 * MARKER_RADIUS,
        };
        expect(overlaps(box, marker), `${names[i]} on ${p.text}`).toBe(false);
      }
      // a label far from its point has a leader line that starts at the point's marker
      if (label.leader) {
        const d = Math.hypot(label.leader.x1 - points[i].x, label.leader.y1 - points[i].y);
        expect(d).toBeCloseTo(MARKER_RADIUS + 0.5, 6);
      }
    }
    // and it is the same every time
    expect(placeLabels(points, 9, 278, 170)).toEqual(placed);
  });

  it("seven strategies, three at one spot: labels spread out, none overlapping", () => {
    // high-churn after admission control: client-server far left, the rest at the right edge
    const raw = [
      ["ideal-multicast", 278, 162],
      ["client-server", 12.4, 161.9],
      ["tree", 269.7, 162],
      ["tree-back-buffer", 275, 161.9],
      ["striped-parity", 277.2, 33.2],
      ["minute-swarming", 272, 148.7],
      ["mesh-pull", 263.7, 135.4],
    ] as const;
    const spread = spreadCoincident(raw.map(([, x, y]) => ({ x, y })));
    const points = raw.map(([text], i) => ({ x: spread[i].x, y: spread[i].y, text }));
    const placed = placeLabels(points, 9, 278, 170);
    const shown = placed.filter((l) => l !== null);
    expect(shown.length).toBeGreaterThanOrEqual(5);
    for (const [i, a] of shown.entries()) {
      for (const [j, b] of shown.entries()) {
        if (i !== j) expect(overlaps(a!.box, b!.box)).toBe(false);
      }
    }
  });

  it("leaves a label out rather than putting it on another when there is no room", () => {
    // ten names around one spot of a panel too small for them all
    const points = Array.from({ length: 10 }, (_, i) => ({
      x: 90 + (i % 2) * 10,
      y: 15 + Math.floor(i / 2) * 3,
      text: `strategy-${i}-long`,
    }));
    const placed = placeLabels(points, 9, 200, 40);
    const shown = placed.filter((l) => l !== null);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(points.length);
    for (const [i, a] of shown.entries()) {
      for (const [j, b] of shown.entries()) {
        if (i !== j) expect(overlaps(a!.box, b!.box)).toBe(false);
      }
    }
  });

  it("measures text boxes from the anchor", () => {
    const start = textBox("abc", 10, 100, 50, "start");
    const end = textBox("abc", 10, 100, 50, "end");
    const middle = textBox("abc", 10, 100, 50, "middle");
    expect(start.x).toBe(99);
    expect(end.x + end.width).toBeCloseTo(101, 6);
    expect(middle.x + middle.width / 2).toBeCloseTo(100, 6);
  });
});
