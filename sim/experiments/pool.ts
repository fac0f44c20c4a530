import { availableParallelism } from "node:os";
import { Tinypool } from "tinypool";
import { QosCollector } from "../metrics/qos.ts";
import { NETWORK_MODELS } from "../network/models.ts";
import { attach, runTask, type StrategyTask, type TaskResult } from "./task.ts";

/**
 * Defined as `true` by the esbuild bundle (scripts/build.mjs) and absent when the TypeScript
 * sources run through tsx or vitest.
 */
declare const PEERCAST_COMPILED: boolean | undefined;

/**
 * The worker-thread entry: in the compiled bundle, dist/worker.js next to the chunk holding this
 * code; from the sources, worker.mjs, which loads the TypeScript task code through tsx.
 */
const WORKER_ENTRY =
  typeof PEERCAST_COMPILED !== "undefined" && PEERCAST_COMPILED
    ? new URL("./worker.js", import.meta.url).href
    : new URL("./worker.mjs", import.meta.url).href;

/** Most worker threads a pool may start (a limit; each holds a whole simulation in memory). */
export const MAX_WORKERS = 256;

/** Runs strategy tasks, on worker threads or in this thread. */
export interface TaskPool {
  /** Worker threads in use; 0 means tasks run in this thread, one after another. */
  readonly workers: number;
  run(task: StrategyTask): Promise<TaskResult>;
  close(): Promise<void>;
}

/** The default worker count: the cores this process may use. */
export function defaultWorkers(): number {
  return availableParallelism();
}

function rehydrate(result: TaskResult, task: StrategyTask): TaskResult {
  if (result.run) {
    const transport = NETWORK_MODELS[task.scenario.network.model].prototype;
    attach(result.run, { qos: QosCollector.prototype, transport });
  }
  return result;
}

/**
 * A pool of `workers` threads (tinypool), or an in-thread runner when `workers` is 0. Results
 * never depend on which thread ran a task: every task carries its whole scenario and seed.
 */
export function createPool(workers: number): TaskPool {
  if (!Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS)
    throw new RangeError(`--workers must be an integer from 0 to ${MAX_WORKERS}, not ${workers}`);
  if (workers === 0) {
    return {
      workers,
      run: async (task) => runTask(task),
      close: async () => {},
    };
  }
  const pool = new Tinypool({
    filename: WORKER_ENTRY,
    minThreads: 1,
    maxThreads: workers,
    // Workers are reused across tasks: a task holds no state beyond its own run.
    isolateWorkers: false,
    idleTimeout: 1000,
    // Workers would inherit the parent's Node flags, some of which (`--input-type`, `-e` of a
    // script driving the library) are refused for a file entry; the worker needs none of them.
    execArgv: [],
  });
  return {
    workers,
    run: async (task) => rehydrate((await pool.run(task)) as TaskResult, task),
    close: () => pool.destroy(),
  };
}
