/**
 * Hold-model benchmark of the event queue.
 *
 * N events are pending; each step pops the earliest and schedules one more at its time plus an
 * exponential increment (mean 1 s, whole microseconds). The queue size stays at N. Increments
 * are drawn once from a fixed-seed alea PRNG and reused, so RNG cost stays out of the loop and
 * every contender processes exactly the same event sequence.
 *
 * Contenders, measured in the same run:
 * - `EventQueue`: the typed-array 4-ary heap, push/pop of handles only.
 * - `Simulator`: the full engine; one registered kind whose handler reschedules itself with
 *   `after`, so this includes payload pools, dispatch and argument checks.
 * - `objectHeap`: a textbook binary heap of `{time, seq, handler}` objects (the baseline).
 * - `objectHeap+dispatch`: the baseline driven like a simulator (pop, call the handler, which
 *   pushes the next event), the fair comparison for `Simulator`.
 *
 * Reports events per second and the ratio to the `objectHeap` baseline. Absolute rates depend on
 * the machine and its load; the ratios are what to compare across runs.
 */
import seedrandom from "seedrandom";
import { Bench } from "tinybench";
import { EventQueue, Simulator } from "../sim/engine/index.ts";
import { ObjectHeap } from "./objectHeap.ts";

const MEAN_INCREMENT_MICROS = 1_000_000;
const INCREMENT_COUNT = 1 << 20; // power of two: index with a mask
const INCREMENT_MASK = INCREMENT_COUNT - 1;

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

/** One contender: `prefill` builds the N-event queue once; `hold` runs `steps` hold steps. */
interface Contender {
  name: string;
  prefill(n: number): void;
  hold(steps: number): void;
  /** Time of the last processed event, to check that all contenders agree. */
  last(): number;
}

function eventQueueContender(): Contender {
  let q = new EventQueue();
  let k = 0;
  let last = 0;
  return {
    name: "EventQueue",
    prefill(n) {
      q = new EventQueue();
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
  eventQueueContender,
  simulatorContender,
  objectHeapContender,
  objectHeapDispatchContender,
];

/** Runs the same short hold on every contender and checks they process the same events. */
function checkAgreement(): void {
  const lasts = contenders.map((make) => {
    const c = make();
    c.prefill(1_000);
    c.hold(10_000);
    return `${c.name}: ${c.last()}`;
  });
  const times = new Set(lasts.map((x) => x.split(": ")[1]));
  if (times.size !== 1) throw new Error(`contenders disagree: ${lasts.join(", ")}`);
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
  { n: 1_000, steps: 100_000, iterations: 20, timeMs: 1_500 },
  { n: 100_000, steps: 100_000, iterations: 10, timeMs: 1_500 },
  { n: 1_000_000, steps: 200_000, iterations: 12, timeMs: 0 },
];

interface Row {
  n: number;
  name: string;
  eventsPerSecond: number;
  rme: number;
  samples: number;
}

function format(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

export async function run(): Promise<void> {
  checkAgreement();
  const rows: Row[] = [];
  for (const size of SIZES) {
    const bench = new Bench({
      name: `hold model N=${size.n}`,
      iterations: size.iterations,
      time: size.timeMs,
      warmupIterations: 2,
      warmupTime: 0,
      throws: true,
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
    const started = performance.now();
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
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`hold model N=${size.n}: ${size.steps} steps per iteration, ${seconds} s`);
  }

  console.log("");
  console.log("| N | queue | events/s | ±% | samples | ratio vs objectHeap |");
  console.log("|---:|:---|---:|---:|---:|---:|");
  for (const row of rows) {
    const baseline = rows.find((r) => r.n === row.n && r.name === "objectHeap")!;
    const ratio = row.eventsPerSecond / baseline.eventsPerSecond;
    console.log(
      `| ${row.n.toLocaleString("en-US")} | ${row.name} | ${format(row.eventsPerSecond)} | ` +
        `${row.rme.toFixed(1)} | ${row.samples} | ${ratio.toFixed(2)}x |`,
    );
  }
}
