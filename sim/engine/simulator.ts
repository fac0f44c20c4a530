import { EventQueue } from "./eventQueue.ts";

/**
 * A handler for one kind of event. It receives the numeric payload fields given when the event
 * was scheduled (up to {@link MAX_EVENT_FIELDS}); their meaning belongs to whoever registered the
 * kind, and their names are declared with it.
 */
export type EventHandler = (a: number, b: number, c: number) => void;

/** Most payload fields an event carries. */
export const MAX_EVENT_FIELDS = 3;

/** The names of an event kind's payload fields, in order (at most {@link MAX_EVENT_FIELDS}). */
export type EventFields =
  | readonly []
  | readonly [string]
  | readonly [string, string]
  | readonly [string, string, string];

/** One number per field of `F`: the payload of an event of that kind. */
export type EventValues<F extends EventFields> = { [K in keyof F]: number };

/**
 * The id of a registered event kind, typed with its fields so that scheduling it takes exactly
 * one number per field (a plain number is accepted too, unchecked).
 */
export type EventKind<F extends EventFields = EventFields> = number & { readonly fields?: F };

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
 * The discrete-event engine: a clock, a queue, schedule, and {@link peek}/{@link step} with
 * {@link run} as a loop over them (SimPy's shape, so a model can be stepped in tests). It knows
 * nothing about streaming, peers or networks; models register event kinds, each with a unique
 * name, the names of its payload fields (up to three numbers) and a handler, and schedule
 * events carrying one number per field. Nothing has to be packed into a number.
 *
 * Time is an integer number of microseconds. Events at equal times run in the order they were
 * scheduled. No event object is allocated per event: the kind and payload fields travel in the
 * queue's entry beside the time (see {@link EventQueue}), so running an event reads nothing
 * but the queue's sorted front.
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
  private readonly kindFields: EventFields[] = [];
  private readonly kindByName = new Map<string, number>();
  private stopRequested = false;

  /** @param maxPendingEvents hard limit on events pending at once (default 50 million). */
  constructor(maxPendingEvents = 50_000_000) {
    this.maxPendingEvents = maxPendingEvents;
    this.queue = new EventQueue(1024, maxPendingEvents, 4);
  }

  /**
   * Registers an event kind and returns its id for {@link at} and {@link after}.
   * @param name unique among the kinds of this simulator (`<owner>/<what happens>`); for errors
   *   and traces.
   * @param fields names of the payload fields, in order; the handler gets one number per field.
   */
  register<const F extends EventFields>(
    name: string,
    fields: F,
    handler: (...values: EventValues<F>) => void,
  ): EventKind<F> {
    if (this.kindByName.has(name)) {
      throw new SimulationError(`event kind '${name}' is already registered`);
    }
    this.kindByName.set(name, this.handlers.length);
    this.handlers.push(handler as unknown as EventHandler);
    this.kindNames.push(name);
    this.kindFields.push(fields);
    return this.handlers.length - 1;
  }

  /** The name and field names of a registered kind (for traces and tests). */
  describe(kind: number): { name: string; fields: EventFields } {
    if (kind < 0 || kind >= this.handlers.length) {
      throw new SimulationError(`unknown event kind ${kind}`);
    }
    return { name: this.kindNames[kind], fields: this.kindFields[kind] };
  }

  /** Number of events waiting to run. */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /** Schedules an event of `kind` at absolute time `timeMicros` (an integer, not in the past). */
  at<F extends EventFields>(
    timeMicros: number,
    kind: EventKind<F>,
    ...values: EventValues<F>
  ): void;
  at(timeMicros: number, kind: number, a = 0, b = 0, c = 0): void {
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
    this.queue.push(timeMicros, kind, a, b, c);
  }

  /** Schedules an event of `kind` `delayMicros` (a non-negative integer) from now. */
  after<F extends EventFields>(
    delayMicros: number,
    kind: EventKind<F>,
    ...values: EventValues<F>
  ): void;
  after(delayMicros: number, kind: number, a = 0, b = 0, c = 0): void {
    if (!(delayMicros >= 0)) {
      const name = this.kindNames[kind] ?? `#${kind}`;
      throw new SimulationError(`event '${name}' scheduled with negative delay ${delayMicros} us`);
    }
    this.at(this.nowMicros + delayMicros, kind, a, b, c);
  }

  /** Asks a running {@link run} to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Time of the next pending event, microseconds; Infinity when none is pending. */
  peek(): number {
    return this.queue.peekTime();
  }

  /**
   * Processes the next pending event: the clock moves to its time and its handler runs. Returns
   * false (and does nothing) when no event is pending.
   */
  step(): boolean {
    const queue = this.queue;
    if (queue.size === 0) return false;
    this.nowMicros = queue.peekTime();
    const kind = queue.pop();
    this.eventsProcessed++;
    this.handlers[kind](queue.poppedB, queue.poppedC, queue.poppedD);
    return true;
  }

  /**
   * Processes events in time order ({@link step} while {@link peek} is within the limit) until
   * the queue is empty, the next event lies after `untilMicros`, or {@link stop} is called. The
   * clock then stands at `untilMicros` (or at the stopping event). Throws when more than
   * `maxEvents` events would be processed.
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
    let events = 0;
    while (this.peek() <= until) {
      if (events >= maxEvents) {
        throw new SimulationError(
          `event limit reached: ${maxEvents} events processed by ${this.nowMicros} us ` +
            `(raise limits.maxEvents if the scenario really needs more)`,
        );
      }
      this.step();
      events++;
      if (this.stopRequested) return { events, stopped: true };
    }
    this.nowMicros = until;
    return { events, stopped: false };
  }
}
