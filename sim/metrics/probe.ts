/** Playback states a peer's player reports. */
export const PlayerState = {
  /** Joined, waiting for the startup buffer to fill. */
  Starting: 1,
  /** Playing content. */
  Playing: 2,
  /** Stalled: the next chunk was missing at its deadline; rebuffering. */
  Stalled: 3,
  /** Left the session. */
  Left: 4,
} as const;

/** One of {@link PlayerState}'s values. */
export type PlayerStateValue = (typeof PlayerState)[keyof typeof PlayerState];

/** Overlay events strategies report; metrics count them, nothing reacts to them. */
export const OverlayEvent = {
  /** The peer lost its upstream (a parent or a stripe parent left). */
  Orphaned: 1,
  /** The peer receives stream data again after being orphaned. */
  Recovered: 2,
  /** The peer asked the directory for a new upstream after losing one. */
  Rejoin: 3,
} as const;

/** One of {@link OverlayEvent}'s values. */
export type OverlayEventValue = (typeof OverlayEvent)[keyof typeof OverlayEvent];

/**
 * What observers of a run can subscribe to. Every method is optional; times are microseconds.
 * Observers must not change the model's state: they watch and count.
 */
export interface RunListener {
  /** A peer session joined. */
  onJoin?(peer: number, timeMicros: number): void;
  /**
   * A peer's player changed state. `lagMicros` is the playback lag (live edge minus playout
   * point) at that moment; it is meaningful in Playing and Stalled.
   */
  onPlayerState?(
    peer: number,
    timeMicros: number,
    state: PlayerStateValue,
    lagMicros: number,
  ): void;
  /** Chunks reached their playout deadline: present in time, played late, or skipped. */
  onChunksDue?(peer: number, onTime: number, late: number, missed: number): void;
  /** Overlay maintenance events. */
  onOverlay?(peer: number, timeMicros: number, event: OverlayEventValue): void;
  /** Stream bytes a peer received that it already had (wasted upload somewhere). */
  onDuplicate?(peer: number, bytes: number): void;
  /**
   * Coded stream bytes a peer received beyond the source symbols a block's content fills
   * (forward-error-correction redundancy: the n - k extra stripes of a k-of-n code). Counted
   * apart from duplicates and control.
   */
  onRedundant?(peer: number, bytes: number): void;
  /**
   * A strategy-specific observation for the results (tree depth, stripes held, swarm size):
   * `name` is a metric name, `value` a number.
   */
  onGauge?(name: string, peer: number, timeMicros: number, value: number): void;
  /** A peer's player got chunk `chunk` it did not hold (invariant checks: never too early). */
  onChunkReceived?(peer: number, chunk: number, timeMicros: number): void;
}

/**
 * A fan-out of run events to listeners. Models call its `emit...` methods; metrics and tests
 * subscribe with {@link add}. Dispatch is a loop over a small array, cheap enough for per-chunk
 * use.
 */
export class Probe {
  private readonly listeners: RunListener[] = [];
  private joinListeners: RunListener[] = [];
  private stateListeners: RunListener[] = [];
  private chunkListeners: RunListener[] = [];
  private overlayListeners: RunListener[] = [];
  private duplicateListeners: RunListener[] = [];
  private redundantListeners: RunListener[] = [];
  private gaugeListeners: RunListener[] = [];
  private receiveListeners: RunListener[] = [];

  /** Subscribes a listener to the events it implements. */
  add(listener: RunListener): void {
    this.listeners.push(listener);
    this.joinListeners = this.listeners.filter((l) => l.onJoin);
    this.stateListeners = this.listeners.filter((l) => l.onPlayerState);
    this.chunkListeners = this.listeners.filter((l) => l.onChunksDue);
    this.overlayListeners = this.listeners.filter((l) => l.onOverlay);
    this.duplicateListeners = this.listeners.filter((l) => l.onDuplicate);
    this.redundantListeners = this.listeners.filter((l) => l.onRedundant);
    this.gaugeListeners = this.listeners.filter((l) => l.onGauge);
    this.receiveListeners = this.listeners.filter((l) => l.onChunkReceived);
  }

  emitJoin(peer: number, timeMicros: number): void {
    for (const l of this.joinListeners) l.onJoin!(peer, timeMicros);
  }

  emitPlayerState(
    peer: number,
    timeMicros: number,
    state: PlayerStateValue,
    lagMicros: number,
  ): void {
    for (const l of this.stateListeners) l.onPlayerState!(peer, timeMicros, state, lagMicros);
  }

  emitChunksDue(peer: number, onTime: number, late: number, missed: number): void {
    if (onTime === 0 && late === 0 && missed === 0) return;
    for (const l of this.chunkListeners) l.onChunksDue!(peer, onTime, late, missed);
  }

  emitOverlay(peer: number, timeMicros: number, event: OverlayEventValue): void {
    for (const l of this.overlayListeners) l.onOverlay!(peer, timeMicros, event);
  }

  emitDuplicate(peer: number, bytes: number): void {
    for (const l of this.duplicateListeners) l.onDuplicate!(peer, bytes);
  }

  emitRedundant(peer: number, bytes: number): void {
    for (const l of this.redundantListeners) l.onRedundant!(peer, bytes);
  }

  emitGauge(name: string, peer: number, timeMicros: number, value: number): void {
    for (const l of this.gaugeListeners) l.onGauge!(name, peer, timeMicros, value);
  }

  emitChunkReceived(peer: number, chunk: number, timeMicros: number): void {
    for (const l of this.receiveListeners) l.onChunkReceived!(peer, chunk, timeMicros);
  }
}
