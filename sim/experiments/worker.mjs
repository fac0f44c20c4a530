// Worker-thread entry of the task pool. Worker threads do not inherit the main thread's module
// hooks, so each registers tsx itself (as bin/sim.js does) before loading the TypeScript task
// code; a fresh clone still needs no build step.
import { register } from "tsx/esm/api";

register();
const { runTask } = await import("./task.ts");

export default runTask;
