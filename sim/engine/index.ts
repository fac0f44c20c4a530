export { EventQueue } from "./eventQueue.ts";
export { createStream, hashUnit, type RandomStream, RandomStreams } from "./random.ts";
export {
  type EventFields,
  type EventHandler,
  type EventKind,
  type EventValues,
  MAX_EVENT_FIELDS,
  type RunLimits,
  type RunOutcome,
  SimulationError,
  Simulator,
} from "./simulator.ts";
