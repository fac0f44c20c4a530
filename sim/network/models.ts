import type { Simulator } from "../engine/simulator.ts";
import { FifoTransport } from "./fifoTransport.ts";
import type { LatencyModel } from "./latency.ts";
import type { NetworkModel } from "./transport.ts";
import type { NetworkModelName, TransportOptions } from "./transportOptions.ts";

/** What a network model is built from. */
export interface NetworkModelInput {
  sim: Simulator;
  latency: LatencyModel;
  /** Upload and download capacity of node n, bits/s (node 0 is the source; 0 download: unlimited). */
  upload: Float64Array;
  download: Float64Array;
  options: TransportOptions;
  /** End of the run, µs: a message whose transmission ends later counts as pending, not sent. */
  horizonMicros: number;
}

/** The registry entry of a network model: its factory, and its class for rehydration. */
export interface NetworkModelDefinition {
  /** One-line description. */
  description: string;
  create(input: NetworkModelInput): NetworkModel;
  /** The prototype a model detached to another thread gets back (its data fields are copied). */
  prototype: object;
}

/** The explicit index of network models by their `network.model` name. */
export const NETWORK_MODELS: Readonly<Record<NetworkModelName, NetworkModelDefinition>> = {
  fifo: {
    description:
      "each uplink sends one message after the other (data FIFO, control between its packets)",
    create: (i) =>
      new FifoTransport(i.sim, i.latency, i.upload, i.download, i.options, i.horizonMicros),
    prototype: FifoTransport.prototype,
  },
};

/** Builds the network model `input.options.model` names. */
export function createNetworkModel(input: NetworkModelInput): NetworkModel {
  return NETWORK_MODELS[input.options.model].create(input);
}
