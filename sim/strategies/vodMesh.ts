import { VodDelivery } from "../ondemand/vodDelivery.ts";
import type { OptionReader } from "../scenario/reader.ts";
import { defineStrategy } from "./types.ts";

/** Options of the `vod-mesh` strategy. */
export interface VodMeshOptions {
  /** Neighbours each viewer keeps, from the tracker. Default 20. */
  neighbours: number;
  /** Size of a request, miss or tracker message, bytes. Default 100. */
  controlBytes: number;
}

/**
 * Registry entry of `vod-mesh`: a swarm in on-demand mode. Each viewer keeps neighbours that
 * cache the part of the video it is watching and pulls the chunks nearest its playhead from the
 * least busy neighbour that has them, from the server otherwise (see {@link VodDelivery}).
 */
export const vodMesh = defineStrategy<VodMeshOptions>({
  type: "vod-mesh",
  description: "on demand only: viewers pull chunks near the playhead from neighbours' caches",
  resolveOptions: (reader: OptionReader) => ({
    neighbours: reader.integer("neighbours", 20, { min: 1, max: 1000 }),
    controlBytes: reader.bytes("controlBytes", 100, { min: 1 }),
  }),
  onDemandOnly: true,
  create: () => {
    throw new Error("vod-mesh works only with stream.mode: on-demand");
  },
  createOnDemand: (context, options) =>
    new VodDelivery(context, {
      policy: "mesh",
      controlBytes: options.controlBytes,
      neighbours: options.neighbours,
      maxChildren: 0,
      slotUtilization: 1,
    }),
});
