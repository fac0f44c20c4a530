import { clientServer, idealMulticast } from "./clientServer.ts";
import { liveSwarm } from "./liveSwarm/liveSwarm.ts";
import { meshPull } from "./meshPull/meshPull.ts";
import { striped } from "./striped.ts";
import { minuteSwarming } from "./swarm/minuteSwarming.ts";
import { treeRelay } from "./treeRelay.ts";
import type { StrategyDefinition } from "./types.ts";
import { vodMesh } from "./vodMesh.ts";

/**
 * Every strategy type a scenario can name, mapped to its definition (options and factory).
 * Adding a strategy means adding one file and one line here.
 */
export const STRATEGIES: ReadonlyMap<string, StrategyDefinition<unknown>> = new Map(
  [
    clientServer,
    idealMulticast,
    treeRelay,
    striped,
    minuteSwarming,
    vodMesh,
    meshPull,
    liveSwarm,
  ].map((entry) => [entry.type, entry]),
);
