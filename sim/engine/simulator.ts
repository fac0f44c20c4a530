import { EventQueue } from "./eventQueue.ts";

/**
 * A handler for one kind of event. It receives the two numeric payload words given when the
 * event was scheduled; their meaning belongs to whoever registered the kind.
 */
export type EventHandler = (a: number, b: number) => void;

/** Thrown for misuse of the engine: scheduling in the past, a non-integer time, a broken limit. */
export class SimulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SimulationError";
  }
}

/** Limits for one call of {@link Simulator.run}. */
export interface RunLimits {
  /** Simulated time (microseconds) at which the run stops; events after it stay pending. */
  untilMicros: number;
  /** Most events the run may process; exceeding it throws a {@link SimulationError}. */
  maxEvents?: number;
}

/** How a call of {@link Simulator.run} ended. */
export interface RunOutcome {
  /** Events processed by this call. */
  events: number;
  /** True when {@link Simulator.stop} ended the run early. */
  stopped: boolean;
}

/**
 * The discrete-event engine: a clock, a queue, schedule and run. It knows nothing about
 * streaming, peers or networks; models register event kinds with handlers and schedule events
 * carrying two numbers each.
 *
 * Time is an integer number of microseconds. Events at equal times run in the order they were
 * scheduled. No event object is allocated per event: the payloads live in typed-array pools
 * indexed by a handle that the queue orders.
 */
export class Simulator {
  /** Current simulated time in microseconds. */
  nowMicros = 0;
  /** Events processed since construction. */
  eventsProcessed = 0;
  /** Hard limit on events pending at once. */
  readonly maxPendingEvents: number;

  private readonly queue: EventQueue;
  private readonly handlers: EventHandler[] = [];
  private readonly kindNames: string[] = [];
  private kinds: Int32Array;
  private payloadA: Float64Array;
  private payloadB: Float64Array;
  /** Free handles, used as a stack. */
  private freeHandles: Int32Array;
  private freeCount: number;
  private stopRequested = false;

  /** @param maxPendingEvents hard limit on events pending at once (default 50 million). */
  constructor(maxPendingEvents = 50_000_000) {
    this.maxPendingEvents = maxPendingEvents;
    const capacity = 1024;
    this.queue = new EventQueue(capacity, maxPendingEvents);
    this.kinds = new Int32Array(capacity);
    this.payloadA = new Float64Array(capacity);
    this.payloadB = new Float64Array(capacity);
    this.freeHandles = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.freeHandles[i] = capacity - 1 - i;
    this.freeCount = capacity;
  }

  /**
   * Registers an event kind and returns its id for {@link at} and {@link after}.
   * @param name for error messages and traces only.
   */
  register(name: string, handler: EventHandler): number {
    this.handlers.push(handler);
    this.kindNames.push(name);
    return this.handlers.length - 1;
  }

  /** Number of events waiting to run. */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /** Schedules an event of `kind` at absolute time `timeMicros` (an integer, not in the past). */
  at(timeMicros: number, kind: number, a = 0, b = 0): void {
    if (!(timeMicros >= this.nowMicros)) {
      const name = this.kindNames[kind] ?? `#${kind}`;
      throw new SimulationError(
        `event '${name}' scheduled in the past: at ${timeMicros} us, now ${this.nowMicros} us`,
      );
    }
    if (!Number.isSafeInteger(timeMicros)) {
      throw new SimulationError(
        `event time must be a whole number of microseconds, got ${timeMicros}`,
      );
    }
    if (kind < 0 || kind >= this.handlers.length) {
      throw new SimulationError(`unknown event kind ${kind}`);
    }
    if (this.freeCount === 0) this.growPool();
    const handle = this.freeHandles[--this.freeCount];
    this.kinds[handle] = kind;
    this.payloadA[handle] = a;
    this.payloadB[handle] = b;
    this.queue.push(timeMicros, handle);
  }

  /** Schedules an event of `kind` `delayMicros` (a non-negative integer) from now. */
  after(delayMicros: number, kind: number, a = 0, b = 0): void {
    if (!(delayMicros >= 0)) {
      const name = this.kindNames[kind] ?? `#${kind}`;
      throw new SimulationError(`event '${name}' scheduled with negative delay ${delayMicros} us`);
    }
    this.at(this.nowMicros + delayMicros, kind, a, b);
  }

  /** Asks a running {@link run} to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Processes events in time order until the queue is empty, the next event lies after
   * `untilMicros`, or {@link stop} is called. The clock then stands at `untilMicros` (or at the
   * stopping event). Throws when more than `maxEvents` events would be processed.
   */
  run(limits: RunLimits): RunOutcome {
    const until = limits.untilMicros;
    const maxEvents = limits.maxEvents ?? Number.POSITIVE_INFINITY;
    if (!(until >= this.nowMicros)) {
      throw new SimulationError(
        `cannot run until ${until} us: the clock is at ${this.nowMicros} us`,
      );
    }
    if (!Number.isSafeInteger(until) && until !== Number.POSITIVE_INFINITY) {
      throw new SimulationError(`run limit must be a whole number of microseconds, got ${until}`);
    }
    this.stopRequested = false;
    const queue = this.queue;
    const handlers = this.handlers;
    let events = 0;
    while (queue.size > 0 && queue.peekTime() <= until) {
      if (events >= maxEvents) {
        throw new SimulationError(
          `event limit reached: ${maxEvents} events processed by ${this.nowMicros} us ` +
            `(raise limits.maxEvents if the scenario really needs more)`,
        );
      }
      const time = queue.peekTime();
      const handle = queue.pop();
      this.nowMicros = time;
      const kind = this.kinds[handle];
      const a = this.payloadA[handle];
      const b = this.payloadB[handle];
      this.freeHandles[this.freeCount++] = handle;
      events++;
      handlers[kind](a, b);
      if (this.stopRequested) {
        this.eventsProcessed += events;
        return { events, stopped: true };
      }
    }
    this.nowMicros = until;
    this.eventsProcessed += events;
    return { events, stopped: false };
  }

  private growPool(): void {
    const old = this.kinds.length;
    const capacity = old * 2;
    const kinds = new Int32Array(capacity);
    const a = new Float64Array(capacity);
    const b = new Float64Array(capacity);
    const free = new Int32Array(capacity);
    kinds.set(this.kinds);
    a.set(this.payloadA);
    b.set(this.payloadB);
    // The old handles are all in use; the new ones are free.
    for (let i = 0; i < capacity - old; i++) free[i] = capacity - 1 - i;
    this.kinds = kinds;
    this.payloadA = a;
    this.payloadB = b;
    this.freeHandles = free;
    this.freeCount = capacity - old;
  }
}
