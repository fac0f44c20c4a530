/**
 * Hold-model benchmark of the event engine, against a C++ `std::priority_queue` in the same run.
 *
 * N events are pending; each step pops the earliest and schedules one more at its time plus an
 * exponential increment (mean 1 s, whole microseconds). The queue size stays at N. Increments
 * are drawn once from a fixed-seed alea PRNG and reused, so RNG cost stays out of the loop and
 * every contender, the C++ one included (the increments are handed to it in a file), processes
 * exactly the same event sequence; a short agreement check runs first.
 *
 * Contenders, measured in the same run:
 * - `EventQueue`: the simulator's ladder queue, push/pop of handles only.
 * - `CalendarQueue`: the calendar queue it replaced (`bench/calendarQueue.ts`).
 * - `TypedHeap`: the typed-array 4-ary heap the calendar queue replaced (`bench/typedHeap.ts`).
 * - `Simulator`: the full engine; one registered kind whose handler reschedules itself with
 *   `after`, so this includes payload pools, dispatch and argument checks.
 * - `objectHeap`: a textbook binary heap of `{time, seq, handler}` objects.
 * - `objectHeap+dispatch`: that heap driven like a simulator (pop, call the handler, which
 *   pushes the next event), the fair comparison for `Simulator`.
 * - `C++ priority_queue`: `bench/holdModel.cpp`, a `std::priority_queue` of (time, sequence)
 *   pairs compiled with `g++ -O2` into a temporary directory; skipped with a note when g++ is
 *   missing.
 *
 * Every contender is timed by process CPU time (user + system), not wall time: the benchmark
 * machine is shared, and time spent descheduled says nothing about the code. Reports events per
 * second and the ratios to the C++ reference and to `objectHeap` from this run; absolute rates
 * depend on the machine and its load, the ratios are what to compare across runs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import seedrandom from "seedrandom";
import { Bench, type TimestampProvider } from "tinybench";
import { EventQueue, Simulator } from "../sim/engine/index.ts";
import { CalendarQueue } from "./calendarQueue.ts";
import { ObjectHeap } from "./objectHeap.ts";
import { TypedHeap } from "./typedHeap.ts";

const MEAN_INCREMENT_MICROS = 1_000_000;
const INCREMENT_COUNT = 1 << 20; // power of two: index with a mask
const INCREMENT_MASK = INCREMENT_COUNT - 1;
const CPP_SOURCE = resolve(import.meta.dirname, "holdModel.cpp");
const CPP_NAME = "C++ priority_queue";

/** Exponential increments in whole microseconds from a fixed seed. */
function makeIncrements(): Float64Array {
  const rng = seedrandom.alea("queue.bench/increments");
  const out = new Float64Array(INCREMENT_COUNT);
  for (let k = 0; k < INCREMENT_COUNT; k++) {
    out[k] = Math.round(-MEAN_INCREMENT_MICROS * Math.log(1 - rng()));
  }
  return out;
}

const increments = makeIncrements();

/** Process CPU time (user + system) in milliseconds, as a tinybench clock. */
const cpuClock: TimestampProvider = {
  name: "process-cpu",
  fn: () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  },
  toMs: (value) => Number(value),
  fromMs: (value) => value,
};

/** One contender: `prefill` builds the N-event queue once; `hold` runs `steps` hold steps. */
interface Contender {
  name: string;
  prefill(n: number): void;
  hold(steps: number): void;
  /** Time of the last processed event, to check that all contenders agree. */
  last(): number;
}

/** A contender over a queue of handles with `push(time, handle)`, `peekTime()` and `pop()`. */
function handleQueueContender(
  name: string,
  make: () => { push(t: number, h: number): void; peekTime(): number; pop(): number },
): () => Contender {
  return () => {
    let q = make();
    let k = 0;
    let last = 0;
    return {
      name,
      prefill(n) {
        q = make();
        k = 0;
        for (let i = 0; i < n; i++) q.push(increments[k++ & INCREMENT_MASK], i);
      },
      hold(steps) {
        const incs = increments;
        let now = last;
        for (let s = 0; s < steps; s++) {
          now = q.peekTime();
          const handle = q.pop();
          q.push(now + incs[k++ & INCREMENT_MASK], handle);
        }
        last = now;
      },
      last: () => last,
    };
  };
}

function simulatorContender(): Contender {
  let sim = new Simulator();
  let k = 0;
  let remaining = 0;
  let kind = 0;
  return {
    name: "Simulator",
    prefill(n) {
      sim = new Simulator();
      k = 0;
      const s = sim;
      const incs = increments;
      kind = s.register("hold", ["a"], (a) => {
        s.after(incs[k++ & INCREMENT_MASK], kind, a);
        if (--remaining === 0) s.stop();
      });
      for (let i = 0; i < n; i++) s.at(incs[k++ & INCREMENT_MASK], kind, i);
    },
    hold(steps) {
      remaining = steps;
      sim.run({ untilMicros: Number.MAX_SAFE_INTEGER });
    },
    last: () => sim.nowMicros,
  };
}

function objectHeapContender(): Contender {
  let heap = new ObjectHeap();
  let k = 0;
  let last = 0;
  const handler = () => {};
  return {
    name: "objectHeap",
    prefill(n) {
      heap = new ObjectHeap();
      k = 0;
      for (let i = 0; i < n; i++) heap.push(increments[k++ & INCREMENT_MASK], handler);
    },
    hold(steps) {
      const incs = increments;
      let now = last;
      for (let s = 0; s < steps; s++) {
        const e = heap.pop()!;
        now = e.time;
        heap.push(now + incs[k++ & INCREMENT_MASK], e.handler);
      }
      last = now;
    },
    last: () => last,
  };
}

function objectHeapDispatchContender(): Contender {
  let heap = new ObjectHeap();
  let k = 0;
  let now = 0;
  const handler = () => {
    heap.push(now + increments[k++ & INCREMENT_MASK], handler);
  };
  return {
    name: "objectHeap+dispatch",
    prefill(n) {
      heap = new ObjectHeap();
      k = 0;
      now = 0;
      for (let i = 0; i < n; i++) heap.push(increments[k++ & INCREMENT_MASK], handler);
    },
    hold(steps) {
      for (let s = 0; s < steps; s++) {
        const e = heap.pop()!;
        now = e.time;
        e.handler();
      }
    },
    last: () => now,
  };
}

const contenders = [
  handleQueueContender("EventQueue", () => new EventQueue()),
  handleQueueContender("CalendarQueue", () => new CalendarQueue()),
  handleQueueContender("TypedHeap", () => new TypedHeap()),
  simulatorContender,
  objectHeapContender,
  objectHeapDispatchContender,
];

/** The compiled C++ reference, or why there is none. */
type Reference = { binary: string; incrementsFile: string } | { missing: string };

/** Compiles `holdModel.cpp` with g++ -O2 into `dir` and writes the increments beside it. */
function buildReference(dir: string): Reference {
  const binary = join(dir, "holdModel");
  const compiled = spawnSync("g++", ["-O2", "-std=c++17", "-o", binary, CPP_SOURCE], {
    encoding: "utf8",
  });
  if (compiled.error) return { missing: `g++ not available (${compiled.error.message})` };
  if (compiled.status !== 0) return { missing: `g++ failed: ${compiled.stderr.trim()}` };
  const incrementsFile = join(dir, "increments.bin");
  const whole = BigInt64Array.from(increments, (x) => BigInt(x));
  writeFileSync(incrementsFile, new Uint8Array(whole.buffer));
  return { binary, incrementsFile };
}

/** Runs the C++ reference; returns its output fields. */
function runReference(ref: { binary: string; incrementsFile: string }, args: number[]): number[] {
  const result = spawnSync(ref.binary, [ref.incrementsFile, ...args.map(String)], {
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`${CPP_NAME} failed: ${result.stderr || result.error?.message}`);
  }
  return result.stdout.trim().split(/\s+/).map(Number);
}

/** Runs the same short hold on every contender and checks they process the same events. */
function checkAgreement(ref: Reference): void {
  const pending = 1_000;
  const steps = 10_000;
  const lasts = contenders.map((make) => {
    const c = make();
    c.prefill(pending);
    c.hold(steps);
    return { name: c.name, last: c.last() };
  });
  if ("binary" in ref) {
    lasts.push({ name: CPP_NAME, last: runReference(ref, [pending, 0, steps, 0])[0] });
  }
  if (new Set(lasts.map((x) => x.last)).size !== 1) {
    throw new Error(`contenders disagree: ${lasts.map((x) => `${x.name}: ${x.last}`).join(", ")}`);
  }
}

interface Size {
  n: number;
  /** Hold steps per benchmark iteration. */
  steps: number;
  /** Minimum iterations and time budget (ms) per contender. */
  iterations: number;
  timeMs: number;
}

const SIZES: Size[] = [
  { n: 1_000, steps: 100_000, iterations: 20, timeMs: 500 },
  { n: 100_000, steps: 100_000, iterations: 10, timeMs: 1_000 },
  { n: 1_000_000, steps: 200_000, iterations: 6, timeMs: 0 },
];

interface Row {
  n: number;
  name: string;
  eventsPerSecond: number;
  /** Relative margin of error (%) from tinybench; NaN for the C++ reference. */
  rme: number;
  samples: number;
}

function format(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "peercast-engine-bench-"));
  try {
    const ref = buildReference(dir);
    if ("missing" in ref) console.log(`note: ${CPP_NAME} skipped: ${ref.missing}`);
    checkAgreement(ref);
    const rows: Row[] = [];
    for (const size of SIZES) {
      const started = performance.now();
      const bench = new Bench({
        name: `hold model N=${size.n}`,
        iterations: size.iterations,
        time: size.timeMs,
        warmupIterations: 2,
        warmupTime: 0,
        throws: true,
        timestampProvider: cpuClock,
      });
      for (const make of contenders) {
        const c = make();
        let filled = false;
        bench.add(c.name, () => c.hold(size.steps), {
          // Prefill once, outside the timed region; warmup and measured runs continue the hold.
          beforeAll() {
            if (!filled) {
              c.prefill(size.n);
              filled = true;
            }
          },
        });
      }
      await bench.run();
      for (const task of bench.tasks) {
        const result = task.result;
        if (result.state !== "completed") throw new Error(`${task.name}: ${result.state}`);
        rows.push({
          n: size.n,
          name: task.name,
          eventsPerSecond: (size.steps * 1000) / result.period,
          rme: result.latency.rme,
          samples: task.runs,
        });
      }
      if ("binary" in ref) {
        const [nanoseconds, iterations] = runReference(ref, [
          size.n,
          size.steps,
          size.iterations,
          size.timeMs,
        ]);
        rows.push({
          n: size.n,
          name: CPP_NAME,
          eventsPerSecond: (size.steps * 1e9) / nanoseconds,
          rme: Number.NaN,
          samples: iterations,
        });
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`hold model N=${size.n}: ${size.steps} steps per iteration, ${seconds} s`);
    }

    console.log("");
    console.log("Events per second of process CPU time, one run:");
    console.log("| N | queue | events/s | ±% | samples | vs C++ | vs objectHeap |");
    console.log("|---:|:---|---:|---:|---:|---:|---:|");
    for (const row of rows) {
      const cpp = rows.find((r) => r.n === row.n && r.name === CPP_NAME);
      const heap = rows.find((r) => r.n === row.n && r.name === "objectHeap")!;
      const vsCpp = cpp ? `${(row.eventsPerSecond / cpp.eventsPerSecond).toFixed(2)}x` : "-";
      const vsHeap = `${(row.eventsPerSecond / heap.eventsPerSecond).toFixed(2)}x`;
      const rme = Number.isNaN(row.rme) ? "-" : row.rme.toFixed(1);
      console.log(
        `| ${row.n.toLocaleString("en-US")} | ${row.name} | ${format(row.eventsPerSecond)} | ` +
          `${rme} | ${row.samples} | ${vsCpp} | ${vsHeap} |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
