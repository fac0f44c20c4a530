import type { StrategyContext } from "./types.ts";

/**
 * Schedules the source's chunk production: chunk c is complete (exists) at time (c + 1) d.
 * Only one production event is pending at a time; each schedules the next. Returns nothing;
 * `onChunk(c)` runs at the moment chunk c exists.
 */
export function startSourceClock(
  context: StrategyContext,
  name: string,
  onChunk: (chunk: number) => void,
): void {
  const { sim, stream } = context;
  const kind = sim.register(`${name}/chunk-produced`, ["chunk"], (chunk) => {
    onChunk(chunk);
    const next = chunk + 1;
    if (next < stream.chunkCount) sim.at((next + 1) * stream.chunkMicros, kind, next);
  });
  if (stream.chunkCount > 0) sim.at(stream.chunkMicros, kind, 0);
}

/** The newest chunk that exists at `nowMicros`, or -1 before the first. */
export function liveEdgeChunk(context: StrategyContext, nowMicros: number): number {
  const c = Math.floor(nowMicros / context.stream.chunkMicros) - 1;
  return Math.min(c, context.stream.chunkCount - 1);
}
