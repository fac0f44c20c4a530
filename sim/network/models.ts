import { FairShareTransport } from "./fairShare/fairShareTransport.ts";
import { FifoTransport } from "./fifoTransport.ts";
import type { NetworkModel, NetworkModelInput } from "./transport.ts";
import type { NetworkModelName } from "./transportOptions.ts";

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
    create: (input) => new FifoTransport(input),
    prototype: FifoTransport.prototype,
  },
  "fair-share": {
    description: "max-min fair sharing of each uplink and downlink among the flows crossing it",
    create: (input) => new FairShareTransport(input),
    prototype: FairShareTransport.prototype,
  },
};

/** Builds the network model `input.options.model` names. */
export function createNetworkModel(input: NetworkModelInput): NetworkModel {
  return NETWORK_MODELS[input.options.model].create(input);
}
