import { marker, type Series, seriesAttrs } from "./chart.ts";
import { el } from "./svg.ts";

/*
 * Markers along a line in the shape of its strategy, so that lines can be told apart without
 * colour. Markers sit at fixed x spacings, each strategy shifted by a fraction of the spacing:
 * two strategies whose lines coincide still show both their markers side by side.
 */

/** Horizontal distance between two markers of one line, px. */
export const MARKER_SPACING_PX = 46;

/**
 * Points at x = phase, phase + spacing, ... on a polyline given by its vertices in pixels
 * (x ascending; a step is two vertices at the same x), up to the last vertex. Where the line
 * jumps at an x (a step), the marker takes the value after the jump.
 */
export function pointsAlong(
  vertices: readonly [number, number][],
  spacing: number,
  phase: number,
): [number, number][] {
  const out: [number, number][] = [];
  if (vertices.length === 0 || !(spacing > 0)) return out;
  const first = vertices[0][0];
  const last = vertices[vertices.length - 1][0];
  let i = 0;
  for (let x = first + phase; x <= last + 1e-9; x += spacing) {
    while (i + 1 < vertices.length && vertices[i + 1][0] <= x) i++;
    const [x0, y0] = vertices[i];
    const next = vertices[i + 1];
    if (!next || next[0] === x0) {
      out.push([x, y0]);
      continue;
    }
    const t = (x - x0) / (next[0] - x0);
    out.push([x, y0 + t * (next[1] - y0)]);
  }
  return out;
}

/** The phase of a series' markers: strategies (and runs) spread over one spacing. */
export function markerPhase(s: Series, strategies: number, runs: number): number {
  const slots = Math.max(1, strategies * runs);
  const slot = s.styleIndex * runs + s.runIndex;
  return (MARKER_SPACING_PX * (slot + 0.5)) / slots;
}

/** A group of a series' markers along its line (vertices in panel pixels). */
export function lineMarkers(
  s: Series,
  vertices: readonly [number, number][],
  strategies: number,
  runs: number,
): string {
  const at = pointsAlong(vertices, MARKER_SPACING_PX, markerPhase(s, strategies, runs));
  return el(
    "g",
    { ...seriesAttrs(s, "line-markers"), "pointer-events": "none" },
    at.map(([x, y]) => marker(s.symbol, x, y, s.color)),
  );
}
