import { textWidth } from "./svg.ts";

/*
 * Collision-free placement of point labels and spreading of coincident points, for scatter
 * plots. Greedy and deterministic: points are handled in the order given; each label takes the
 * first candidate position around its point whose box stays inside the panel and meets no
 * marker, no obstacle and no label placed before it. Far candidates get a leader line.
 */

/** An axis-aligned box in panel pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Whether two boxes overlap (touching edges do not count). */
export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Radius around a point's centre that its marker covers, px. */
export const MARKER_RADIUS = 4.5;

/**
 * Positions of markers so that none covers another: points closer than a marker's width are
 * grouped, and each group's members are spread on a small ring around the group's centre (in
 * the given order, starting on the left). Returns one position per input point and, per point,
 * the size of its group (1 when it was not moved).
 */
export function spreadCoincident(
  points: readonly { x: number; y: number }[],
): { x: number; y: number; group: number; groupX: number; groupY: number }[] {
  const group = points.map((_, i) => i);
  const find = (i: number): number => (group[i] === i ? i : find(group[i]));
  for (let i = 0; i < points.length; i++) {
    for (let j = 0; j < i; j++) {
      const d = Math.hypot(points[i].x - points[j].x, points[i].y - points[j].y);
      if (d < 2 * MARKER_RADIUS) group[find(i)] = find(j);
    }
  }
  const members = new Map<number, number[]>();
  points.forEach((_, i) => {
    const root = find(i);
    const list = members.get(root);
    if (list) list.push(i);
    else members.set(root, [i]);
  });
  const out = points.map((p) => ({ x: p.x, y: p.y, group: 1, groupX: p.x, groupY: p.y }));
  for (const list of members.values()) {
    if (list.length === 1) continue;
    const cx = list.reduce((sum, i) => sum + points[i].x, 0) / list.length;
    const cy = list.reduce((sum, i) => sum + points[i].y, 0) / list.length;
    // Neighbours on the ring are a marker's width plus a pixel apart.
    const radius = (MARKER_RADIUS + 0.5) / Math.sin(Math.PI / list.length);
    // Starting on the left: a pair sits side by side, at the height of their value.
    list.forEach((i, k) => {
      const angle = Math.PI + (2 * Math.PI * k) / list.length;
      out[i] = {
        x: cx + radius * Math.cos(angle),
        y: cy + radius * Math.sin(angle),
        group: list.length,
        groupX: cx,
        groupY: cy,
      };
    });
  }
  return out;
}

/** A placed label: its text anchor point, anchor, box, and a leader line when it is far. */
export interface PlacedLabel {
  x: number;
  /** Baseline. */
  y: number;
  anchor: "start" | "middle" | "end";
  box: Box;
  /** Line from the marker's edge towards the label, when the label is not next to its point. */
  leader: { x1: number; y1: number; x2: number; y2: number } | null;
}

/** The box of a text of `fontSize` at (x, baseline y) with an anchor, padded by 1 px. */
export function textBox(
  text: string,
  fontSize: number,
  x: number,
  y: number,
  anchor: "start" | "middle" | "end",
): Box {
  const width = textWidth(text, fontSize);
  const left = anchor === "start" ? x : anchor === "end" ? x - width : x - width / 2;
  const ascent = 0.78 * fontSize;
  const descent = 0.24 * fontSize;
  return { x: left - 1, y: y - ascent - 1, width: width + 2, height: ascent + descent + 2 };
}

/** Directions tried around a point, nearest ones first: right, left, above, below, diagonals. */
const DIRECTIONS: [number, number][] = [
  [1, 0],
  [-1, 0],
  [0, -1],
  [0, 1],
  [1, -1],
  [-1, -1],
  [1, 1],
  [-1, 1],
  [0.5, -1],
  [-0.5, -1],
  [0.5, 1],
  [-0.5, 1],
  [1, -0.5],
  [-1, -0.5],
  [1, 0.5],
  [-1, 0.5],
  [0.25, -1],
  [-0.25, -1],
  [1, -0.25],
  [-1, -0.25],
  [1, 0.25],
  [-1, 0.25],
];
/** Distances tried from the marker's centre, px; beyond the first a leader line is drawn. */
const DISTANCES = [7, 12, 16, 21, 26, 32, 38, 45, 52, 60, 70, 80, 90, 105, 120, 140];

/**
 * Places one label per point (same order) inside a `width` x `height` panel, avoiding the
 * markers (at `points`), the `obstacles` and each other. A label that finds no free place is
 * left out (null): the point is still told apart by its marker shape, keyed in the legend, and
 * named in its tooltip, whereas a label on top of another would make both unreadable.
 */
export function placeLabels(
  points: readonly { x: number; y: number; text: string }[],
  fontSize: number,
  width: number,
  height: number,
  obstacles: readonly Box[] = [],
): (PlacedLabel | null)[] {
  // The greedy pass depends on the order in which labels claim places. With few labels every
  // order is tried (a pass stops as soon as it costs more than the best so far), else a few
  // heuristic ones; the cheapest placement wins (labels near their points, none forced onto a
  // taken place), the earliest order on ties, so the result is deterministic.
  const indices = points.map((_, i) => i);
  const orders: number[][] =
    points.length <= MAX_EXHAUSTIVE
      ? permutations(indices)
      : [
          indices,
          [...indices].reverse(),
          [...indices].sort((i, j) => points[j].x - points[i].x || i - j),
          [...indices].sort((i, j) => points[i].x - points[j].x || i - j),
          [...indices].sort((i, j) => points[j].y - points[i].y || i - j),
        ];
  let best: { placed: (PlacedLabel | null)[]; cost: number } | null = null;
  for (const order of orders) {
    const bound = best ? best.cost : Number.POSITIVE_INFINITY;
    const attempt = placeInOrder(points, order, fontSize, width, height, obstacles, bound);
    if (attempt && (!best || attempt.cost < best.cost)) best = attempt;
  }
  return best!.placed;
}

/** Up to this many labels, every order of placing them is tried. */
const MAX_EXHAUSTIVE = 6;

/** All orderings of a list, the identity first (lexicographic order). */
function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [[...items]];
  const out: number[][] = [];
  items.forEach((first, i) => {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) out.push([first, ...tail]);
  });
  return out;
}

/** Cost of a label left out (no place was free). */
const FORCED_COST = 1000;

function placeInOrder(
  points: readonly { x: number; y: number; text: string }[],
  order: readonly number[],
  fontSize: number,
  width: number,
  height: number,
  obstacles: readonly Box[],
  bound: number,
): { placed: (PlacedLabel | null)[]; cost: number } | null {
  const markers: Box[] = points.map((p) => ({
    x: p.x - MARKER_RADIUS,
    y: p.y - MARKER_RADIUS,
    width: 2 * MARKER_RADIUS,
    height: 2 * MARKER_RADIUS,
  }));
  const taken: Box[] = [...obstacles, ...markers];
  const leaders: Segment[] = [];
  const inside = (b: Box) =>
    b.x >= 0 && b.y >= 0 && b.x + b.width <= width && b.y + b.height <= height;
  const placed: (PlacedLabel | null)[] = new Array(points.length).fill(null);
  let cost = 0;
  for (const index of order) {
    const p = points[index];
    let chosen: PlacedLabel | null = null;
    let rank = 0;
    search: for (const distance of DISTANCES) {
      for (const [dx, dy] of DIRECTIONS) {
        rank++;
        const label = candidate(p, fontSize, distance, dx, dy);
        if (!inside(label.box)) continue;
        const free =
          !taken.some((b) => overlaps(b, label.box)) &&
          (label.leader === null
            ? nearestPoint(label.box, points) === index
            : leaderIsClear(
                label.leader,
                taken.filter((b) => b !== markers[index]),
                leaders,
              ));
        if (free) {
          chosen = label;
          break search;
        }
      }
    }
    cost += chosen ? rank : FORCED_COST;
    if (cost >= bound) return null;
    if (!chosen) continue;
    placed[index] = chosen;
    taken.push(chosen.box);
    if (chosen.leader) leaders.push(chosen.leader);
  }
  return { placed, cost };
}

/** The index of the point nearest to a box (a label without a leader must be its own's). */
function nearestPoint(box: Box, points: readonly { x: number; y: number }[]): number {
  let best = -1;
  let bestDistance = Number.POSITIVE_INFINITY;
  points.forEach((p, i) => {
    const dx = Math.max(box.x - p.x, 0, p.x - (box.x + box.width));
    const dy = Math.max(box.y - p.y, 0, p.y - (box.y + box.height));
    const d = Math.hypot(dx, dy);
    if (d < bestDistance - 0.5) {
      best = i;
      bestDistance = d;
    }
  });
  return best;
}

function candidate(
  p: { x: number; y: number; text: string },
  fontSize: number,
  distance: number,
  dx: number,
  dy: number,
): PlacedLabel {
  const anchor = dx > 0 ? "start" : dx < 0 ? "end" : "middle";
  // Diagonal candidates sit a little closer so that they hug the marker's corner.
  const reach = dx !== 0 && dy !== 0 ? distance * 0.75 : distance;
  const x = p.x + dx * reach;
  // Baseline such that the text's middle is at the point (beside) or its edge at `reach`.
  const middle = p.y + 0.27 * fontSize;
  const y =
    dy === 0 ? middle : dy < 0 ? p.y - reach + 0.2 * fontSize : p.y + reach + 0.78 * fontSize;
  const box = textBox(p.text, fontSize, x, y, anchor);
  let leader: PlacedLabel["leader"] = null;
  if (distance > DISTANCES[0]) {
    // From the marker's edge to the nearest point of the label's box.
    const tx = Math.min(Math.max(p.x, box.x), box.x + box.width);
    const ty = Math.min(Math.max(p.y, box.y), box.y + box.height);
    const length = Math.hypot(tx - p.x, ty - p.y);
    if (length > MARKER_RADIUS + 1) {
      const ux = (tx - p.x) / length;
      const uy = (ty - p.y) / length;
      leader = {
        x1: p.x + ux * (MARKER_RADIUS + 0.5),
        y1: p.y + uy * (MARKER_RADIUS + 0.5),
        x2: tx,
        y2: ty,
      };
    }
  }
  return { x, y, anchor, box, leader };
}

/** A line segment in panel pixels. */
type Segment = { x1: number; y1: number; x2: number; y2: number };

/**
 * Whether a leader line crosses no box and no other leader. Its own marker and label are not in
 * the way: it starts outside the marker and ends on the label's edge, so both ends are shrunk
 * by a pixel before testing.
 */
function leaderIsClear(leader: Segment, boxes: readonly Box[], leaders: readonly Segment[]) {
  const length = Math.hypot(leader.x2 - leader.x1, leader.y2 - leader.y1);
  if (length < 2) return true;
  const ux = (leader.x2 - leader.x1) / length;
  const uy = (leader.y2 - leader.y1) / length;
  const inner = {
    x1: leader.x1 + ux,
    y1: leader.y1 + uy,
    x2: leader.x2 - ux,
    y2: leader.y2 - uy,
  };
  return (
    !boxes.some((b) => segmentHitsBox(inner, b)) && !leaders.some((l) => segmentsCross(inner, l))
  );
}

/** Liang-Barsky clipping: whether a segment has a point inside a box. */
function segmentHitsBox(s: Segment, b: Box): boolean {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  let t0 = 0;
  let t1 = 1;
  const edges: [number, number][] = [
    [-dx, s.x1 - b.x],
    [dx, b.x + b.width - s.x1],
    [-dy, s.y1 - b.y],
    [dy, b.y + b.height - s.y1],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
      continue;
    }
    const t = q / p;
    if (p < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 > t1) return false;
  }
  return true;
}

/** Whether two segments cross (proper intersection). */
function segmentsCross(a: Segment, b: Segment): boolean {
  const cross = (ox: number, oy: number, px: number, py: number, qx: number, qy: number) =>
    (px - ox) * (qy - oy) - (py - oy) * (qx - ox);
  const d1 = cross(b.x1, b.y1, b.x2, b.y2, a.x1, a.y1);
  const d2 = cross(b.x1, b.y1, b.x2, b.y2, a.x2, a.y2);
  const d3 = cross(a.x1, a.y1, a.x2, a.y2, b.x1, b.y1);
  const d4 = cross(a.x1, a.y1, a.x2, a.y2, b.x2, b.y2);
  return d1 * d2 < 0 && d3 * d4 < 0;
}
