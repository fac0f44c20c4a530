import { runDash } from "./colors.ts";
import type { Attrs } from "./svg.ts";

/** Fill and stroke of a bar in the colour of its strategy and the style of its run (group). */
export function barStyle(color: string, style: number): Attrs {
  return {
    fill: color,
    "fill-opacity": style === 0 ? 1 : 0.35,
    stroke: color,
    "stroke-width": 1,
    "stroke-dasharray": runDash(style),
  };
}
