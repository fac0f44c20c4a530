import { hashUnit } from "../engine/random.ts";
import type { OptionReader } from "../scenario/reader.ts";
import { secondsToMicros } from "../scenario/units.ts";

/** Names of the supported latency models. */
export const LATENCY_MODELS = ["constant", "uniform", "plane"] as const;

/**
 * One-way latency between two nodes.
 * - `constant`: every pair `oneWaySeconds` apart.
 * - `uniform`: each pair gets a latency uniform in [minSeconds, maxSeconds], fixed for the run
 *   (drawn from a hash of the pair, so it does not depend on who asks first).
 * - `plane`: nodes sit at uniform random points of a unit square (the source at the centre);
 *   latency = accessSeconds at each end + propagationSeconds times the distance. The unit
 *   square's diagonal is sqrt(2), so the largest propagation term is about 1.41x propagation.
 */
export type LatencyOptions =
  | { model: "constant"; oneWaySeconds: number }
  | { model: "uniform"; minSeconds: number; maxSeconds: number }
  | { model: "plane"; accessSeconds: number; propagationSeconds: number };

/** Default: peers on a plane, 5 ms access delay each end, up to about 70 ms of propagation. */
export const DEFAULT_LATENCY: LatencyOptions = {
  model: "plane",
  accessSeconds: 0.005,
  propagationSeconds: 0.05,
};

/** Resolves `peers.latency`. */
export function resolveLatency(reader: OptionReader): LatencyOptions {
  const model = reader.choice("model", LATENCY_MODELS, DEFAULT_LATENCY.model);
  switch (model) {
    case "constant":
      return { model, oneWaySeconds: reader.durationSeconds("oneWay", 0.05) };
    case "uniform": {
      const minSeconds = reader.durationSeconds("min", 0.01);
      const maxSeconds = reader.durationSeconds("max", 0.1);
      if (maxSeconds < minSeconds)
        throw reader.error("max", `must not be below min (${minSeconds}s)`);
      return { model, minSeconds, maxSeconds };
    }
    case "plane":
      return {
        model,
        accessSeconds: reader.durationSeconds("access", 0.005),
        propagationSeconds: reader.durationSeconds("propagation", 0.05),
      };
  }
}

/**
 * Latency lookup for a run. Node 0 is the source; node i + 1 is workload session i. The
 * latencies depend only on the scenario, the seed and the two node ids, so every strategy sees
 * the same network.
 */
export class LatencyModel {
  private readonly options: LatencyOptions;
  private readonly salt: number;
  private readonly identity: Uint32Array | undefined;
  /** Node n's plane coordinates at 2n (x) and 2n + 1 (y): one cache line per node, not two. */
  private readonly xy: Float64Array;
  private readonly constantMicros: number;

  /**
   * @param x, y node coordinates in the unit square (node 0 first), used by the plane model.
   * @param salt a 32-bit value from the `network/latency` stream.
   * @param identity a stable 32-bit identity per node for the `uniform` model (default: the
   *   node id). The workload passes one derived from each session's arrival process and rank,
   *   so adding sessions does not change the latency between existing ones.
   */
  constructor(
    options: LatencyOptions,
    x: Float64Array,
    y: Float64Array,
    salt: number,
    identity?: Uint32Array,
  ) {
    this.options = options;
    this.xy = new Float64Array(2 * x.length);
    for (let node = 0; node < x.length; node++) {
      this.xy[2 * node] = x[node];
      this.xy[2 * node + 1] = y[node];
    }
    this.salt = salt;
    this.identity = identity;
    this.constantMicros = options.model === "constant" ? secondsToMicros(options.oneWaySeconds) : 0;
  }

  /** One-way latency in whole microseconds between nodes `a` and `b` (symmetric; 0 for a = b). */
  micros(a: number, b: number): number {
    if (a === b) return 0;
    const o = this.options;
    switch (o.model) {
      case "constant":
        return this.constantMicros;
      case "uniform": {
        const ia = this.identity ? this.identity[a] : a;
        const ib = this.identity ? this.identity[b] : b;
        const u = ia < ib ? hashUnit(this.salt, ia, ib) : hashUnit(this.salt, ib, ia);
        return secondsToMicros(o.minSeconds + u * (o.maxSeconds - o.minSeconds));
      }
      case "plane": {
        const xy = this.xy;
        const dx = xy[2 * a] - xy[2 * b];
        const dy = xy[2 * a + 1] - xy[2 * b + 1];
        return secondsToMicros(
          2 * o.accessSeconds + o.propagationSeconds * Math.sqrt(dx * dx + dy * dy),
        );
      }
    }
  }
}

/**
 * A lower bound on any one-way latency the model gives between two distinct nodes, µs (so also
 * on any multi-hop path): the constant, the uniform minimum, or twice the plane's access delay.
 */
export function minimumLatencyMicros(options: LatencyOptions): number {
  switch (options.model) {
    case "constant":
      return secondsToMicros(options.oneWaySeconds);
    case "uniform":
      return Math.max(0, secondsToMicros(options.minSeconds) - 1);
    case "plane":
      return Math.max(0, secondsToMicros(2 * options.accessSeconds) - 1);
  }
}
