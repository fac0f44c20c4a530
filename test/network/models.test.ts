import { describe, expect, it } from "vitest";
import { Simulator } from "../../sim/engine/simulator.ts";
import { LatencyModel } from "../../sim/network/latency.ts";
import { createNetworkModel, NETWORK_MODELS } from "../../sim/network/models.ts";
import { NETWORK_MODEL_NAMES } from "../../sim/network/transportOptions.ts";
import { parseScenario } from "../../sim/scenario/load.ts";
import { ScenarioError } from "../../sim/scenario/reader.ts";

const STRATEGY = "strategies:\n  - type: client-server\n";

describe("network models", () => {
  it("defaults to fifo when a scenario names no model", () => {
    expect(parseScenario(STRATEGY, "s.yaml").network.model).toBe("fifo");
  });

  it("reads network.model and refuses an unknown one, naming the field and listing the models", () => {
    for (const name of NETWORK_MODEL_NAMES) {
      const scenario = parseScenario(`network: { model: ${name} }\n${STRATEGY}`, "s.yaml");
      expect(scenario.network.model).toBe(name);
    }
    let message = "";
    try {
      parseScenario(`network: { model: tcp }\n${STRATEGY}`, "bad.yaml");
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      message = (error as Error).message;
    }
    expect(message).toBe(
      `bad.yaml:1: network.model: must be one of ${NETWORK_MODEL_NAMES.join(", ")}; got 'tcp'`,
    );
  });

  it("indexes every model name and builds the class the name maps to", () => {
    expect(Object.keys(NETWORK_MODELS).sort()).toEqual([...NETWORK_MODEL_NAMES].sort());
    const scenario = parseScenario(STRATEGY, "s.yaml");
    for (const name of NETWORK_MODEL_NAMES) {
      const capacity = new Float64Array([1e6, 1e6]);
      const model = createNetworkModel({
        sim: new Simulator(),
        latency: new LatencyModel(
          { model: "constant", oneWaySeconds: 0.01 },
          new Float64Array(2),
          new Float64Array(2),
          0,
        ),
        upload: capacity,
        download: capacity,
        options: { ...scenario.network, model: name },
        horizonMicros: 1e6,
      });
      expect(Object.getPrototypeOf(model)).toBe(NETWORK_MODELS[name].prototype);
    }
  });
});
