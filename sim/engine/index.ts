export { EventQueue } from "./eventQueue.ts";
export { createStream, hashUnit, type RandomStream, RandomStreams } from "./random.ts";
export {
  type EventHandler,
  type RunLimits,
  type RunOutcome,
  SimulationError,
  Simulator,
} from "./simulator.ts";
