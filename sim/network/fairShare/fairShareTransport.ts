import { Downlinks, serializationMicros } from "../downlinks.ts";
import { MessageState } from "../messagePool.ts";
import type { NetworkModelInput } from "../transport.ts";
import { NO_HANDLE, TransportCore } from "../transportCore.ts";
import { CompletionHeap } from "./completionHeap.ts";
import { MaxMinShares } from "./maxMinShares.ts";

/**
 * The `fair-share` network model: each data message is a flow, and every uplink and downlink
 * is shared max-min fairly among the flows crossing it, as in SimGrid's flow-level model (TCP
 * flows at time scales above a round trip). Rates are recomputed by progressive filling (see
 * {@link MaxMinShares}) when a flow starts or ends: flows that start at the same instant are
 * settled by one recompute at that instant, and one engine event waits for the earliest
 * completion (a newer recompute supersedes it by its epoch). A flow's bytes cross both of its
 * links together at its rate; when the last byte has left it is delivered one latency later
 * (so a transfer alone on its links takes size / min(uplink, downlink share) + latency).
 *
 * Control has priority, so that its arrival is known when it is sent (as `sendUndelivered` and
 * `sendFanOut` promise): on the uplink it is serialized at the full rate, one message after the
 * other as in `fifo` (a node below `network.controlFloor` sends it at the floor), and the
 * uplink's flows pause meanwhile (their completions move later by the control's time; their
 * shares elsewhere are not handed to others for that moment, a flow-level approximation that
 * only leaves capacity idle). On the downlink, whose arrival time lies in the future where the
 * flows are not known yet, control is serialized in a kept share, `network.controlShare` (φ)
 * of the download, and data flows share the other 1 - φ; that share is idle when no control
 * arrives, the price of knowing arrivals at once.
 *
 * A flow whose sender leaves abruptly is cut at once, freeing its share: it never left the
 * uplink, so it counts as discarded (its bytes so far were reported to observers). After a
 * graceful departure the sender's flows and booked control still go out. A flow to a node that
 * has left still runs and is lost on arrival, as in `fifo`. Data is refused when the sender's
 * flows would take longer than `network.maxBacklog` to drain at its data share.
 *
 * Observers see each flow as segments at a constant rate (one per rate change), concurrent
 * with other flows; each segment is reported on the uplink and, with the same times, on each
 * receiver's downlink.
 */
export class FairShareTransport extends TransportCore {
  readonly concurrentData = true;
  private readonly nodes: number;
  /**
   * Data capacity of link l, bits/s: uplink of node n at n (its upload), downlink at nodes + n
   * (1 - φ of its download; 0: unlimited).
   */
  private readonly dataCapacity: Float64Array;
  private readonly controlUp: Float64Array;
  /** When each node's control share is free again, µs. */
  private readonly controlFreeAt: Float64Array;
  private readonly controlDownlinks: Downlinks;
  private readonly shares: MaxMinShares;
  private readonly completions: CompletionHeap;
  // Per flow: its message, the start of its current segment (µs), the bytes left then, and the
  // version of its completion entry.
  private flowMessage = new Int32Array(256);
  private segmentStart = new Float64Array(256);
  private remainingBytes = new Float64Array(256);
  private flowVersion = new Int32Array(256);
  private readonly updateKind: number;
  private readonly flowDoneKind: number;
  private updatePending = false;
  private completionEpoch = 0;
  /** Time of the pending completion event, µs, or -1. */
  private completionAt = -1;
  /** Bound once, so a recompute allocates nothing. */
  private readonly onRateChange = (f: number, old: number) => this.rateChanged(f, old);

  constructor(input: NetworkModelInput) {
    super(input);
    const { sim, upload, download, options } = input;
    const nodes = upload.length;
    const share = options.controlShare;
    this.nodes = nodes;
    this.dataCapacity = new Float64Array(2 * nodes);
    this.controlUp = new Float64Array(nodes);
    const controlDown = new Float64Array(nodes);
    for (let n = 0; n < nodes; n++) {
      this.dataCapacity[n] = upload[n];
      this.dataCapacity[nodes + n] = (1 - share) * download[n];
      this.controlUp[n] = Math.max(upload[n], this.controlFloor);
      controlDown[n] = share * download[n];
    }
    this.controlFreeAt = new Float64Array(nodes);
    this.controlDownlinks = new Downlinks(controlDown);
    this.shares = new MaxMinShares(this.dataCapacity, options.maxFlows);
    this.completions = new CompletionHeap((f) => this.flowVersion[f]);
    this.updateKind = sim.register("transport/fair-share-update", [], () => {
      this.updatePending = false;
      this.shares.solve(this.onRateChange);
      this.reschedule();
    });
    this.flowDoneKind = sim.register("transport/flows-done", ["epoch"], (epoch) =>
      this.flowsDone(epoch),
    );
  }

  /** The rate control from `node` is serialized at, bits/s (its upload, or the floor above it). */
  controlBitsPerSecond(node: number): number {
    return this.controlUp[node];
  }

  /** How long `node`'s booked control and data flows would take to leave its uplink alone, µs. */
  uplinkBacklogMicros(node: number): number {
    const control = Math.max(0, this.controlFreeAt[node] - this.sim.nowMicros);
    const capacity = this.dataCapacity[node];
    if (!(capacity > 0)) return control;
    const shares = this.shares;
    let bytes = 0;
    for (let m = shares.firstOnLink(node); m !== NO_HANDLE; m = shares.nextOnLink(m)) {
      bytes += this.remainingNow(shares.flowOf(m));
    }
    return control + Math.ceil((bytes * 8e6) / capacity);
  }

  /**
   * Marks a node as gone. After an abrupt departure its flows are cut at once (discarded,
   * their shares freed); after a graceful one they and its booked control still go out.
   */
  nodeDown(node: number, abrupt: boolean): void {
    this.markDown(node, abrupt);
    if (!abrupt) return;
    const shares = this.shares;
    const now = this.sim.nowMicros;
    for (let m = shares.firstOnLink(node); m !== NO_HANDLE; ) {
      // Each flow has one membership per link: the next one belongs to another flow.
      const next = shares.nextOnLink(m);
      const f = shares.flowOf(m);
      const sent = Math.min(
        this.remainingBytes[f],
        (shares.rate[f] * Math.max(0, now - this.segmentStart[f])) / 8e6,
      );
      if (sent > 0) this.reportSegment(f, sent, this.segmentStart[f], now);
      const h = this.flowMessage[f];
      shares.removeFlow(f);
      this.flowVersion[f]++;
      this.discard(h);
      m = next;
    }
    this.requestUpdate();
  }

  /** Data still flowing at the end has not left: pending. Call once, after the last event. */
  finish(): void {
    const pool = this.pool;
    for (let h = 0; h < pool.extent; h++) {
      if (pool.state(h) === MessageState.OnWire) this.counters.pendingBytes += pool.bytes(h);
    }
  }

  protected dispatch(h: number, from: number, control: boolean): void {
    const pool = this.pool;
    if (control) {
      this.dispatchControl(h, from);
      return;
    }
    // A data message becomes a flow on its sender's uplink and its receivers' downlinks.
    const shares = this.shares;
    const f = shares.addFlow(this.sim.nowMicros);
    if (f >= this.flowMessage.length) this.growFlows();
    this.flowMessage[f] = h;
    // Behind the control booked on the uplink.
    this.segmentStart[f] = Math.max(this.sim.nowMicros, this.controlFreeAt[from]);
    this.remainingBytes[f] = pool.bytes(h);
    this.flowVersion[f]++;
    pool.setState(h, MessageState.OnWire);
    shares.addLink(f, from);
    const to = pool.to(h);
    if (to !== NO_HANDLE) {
      if (this.dataCapacity[this.nodes + to] > 0) shares.addLink(f, this.nodes + to);
    } else {
      const list = this.waitingRecipients.get(h)!;
      for (let i = 0; i < list.length; i++) {
        if (this.dataCapacity[this.nodes + list[i]] > 0) shares.addLink(f, this.nodes + list[i]);
      }
    }
    this.requestUpdate();
  }

  /**
   * Serializes one control message (or burst) on `from`'s uplink at the full rate, after the
   * control booked before it, and pauses the uplink's flows until it has left.
   */
  protected bookControl(from: number, to: number, type: number, bytes: number): number {
    const start = Math.max(this.sim.nowMicros, this.controlFreeAt[from]);
    const done = start + serializationMicros(bytes, this.controlUp[from]);
    this.controlFreeAt[from] = done;
    this.pauseFlows(from, start, done);
    return this.controlSent(from, to, type, bytes, start, done);
  }

  /** Serializes a control message in `to`'s control share of its downlink, after the latency. */
  protected controlArrival(
    from: number,
    to: number,
    type: number,
    bytes: number,
    done: number,
  ): number {
    const downlinks = this.controlDownlinks;
    const at = downlinks.reserve(to, bytes, done + this.latency.micros(from, to));
    this.reportReceive(from, to, type, bytes, downlinks.lastStartMicros, at);
    return at;
  }

  /**
   * Pauses the flows on `node`'s uplink while control holds it, [start, done): a flow running
   * until now (then `start` is now) reports that segment, and every flow resumes at `done`, its
   * completion that much later. Flows are never running past the control already booked, so
   * none resumes before `start`.
   */
  private pauseFlows(node: number, start: number, done: number): void {
    const shares = this.shares;
    const live = shares.live;
    for (let m = shares.firstOnLink(node); m !== NO_HANDLE; m = shares.nextOnLink(m)) {
      const f = shares.flowOf(m);
      const rate = shares.rate[f];
      const from = this.segmentStart[f];
      if (rate > 0 && from < start) {
        const sent = Math.min(this.remainingBytes[f], (rate * (start - from)) / 8e6);
        this.reportSegment(f, sent, from, start);
        this.remainingBytes[f] -= sent;
      }
      this.segmentStart[f] = done;
      // A flow not yet given a rate gets its completion from the recompute.
      if (rate > 0) {
        const at = done + Math.ceil((this.remainingBytes[f] * 8e6) / rate);
        this.completions.push(at, f, ++this.flowVersion[f], live);
      }
    }
    this.reschedule();
  }

  /** Bytes flow f still has to send now. */
  private remainingNow(f: number): number {
    const running = Math.max(0, this.sim.nowMicros - this.segmentStart[f]);
    const sent = (this.shares.rate[f] * running) / 8e6;
    return Math.max(0, this.remainingBytes[f] - sent);
  }

  /** Settles the rates at the end of this instant (one recompute for all its changes). */
  private requestUpdate(): void {
    if (this.updatePending) return;
    this.updatePending = true;
    this.sim.at(this.sim.nowMicros, this.updateKind);
  }

  /**
   * Flow f's rate changed from `old` to `shares.rate[f]` now: its segment at the old rate ends
   * (reported), and its completion is due when its remaining bytes have gone at the new rate
   * (from now, or from the end of the control pausing it).
   */
  private rateChanged(f: number, old: number): void {
    const now = this.sim.nowMicros;
    const start = this.segmentStart[f];
    if (old > 0 && now > start) {
      const sent = Math.min(this.remainingBytes[f], (old * (now - start)) / 8e6);
      this.reportSegment(f, sent, start, now);
      this.remainingBytes[f] -= sent;
    }
    const resume = Math.max(now, start);
    this.segmentStart[f] = resume;
    const rate = this.shares.rate[f];
    const version = ++this.flowVersion[f];
    const done = resume + Math.ceil((this.remainingBytes[f] * 8e6) / rate);
    this.completions.push(done, f, version, this.shares.live);
  }

  /** Waits for the earliest completion with one engine event (older ones lapse by epoch). */
  private reschedule(): void {
    if (this.completions.top() < 0) return;
    const at = this.completions.topTime();
    if (at === this.completionAt) return;
    this.completionAt = at;
    this.sim.at(at, this.flowDoneKind, ++this.completionEpoch);
  }

  /** Completes every flow due by now, then recomputes the shares once. */
  private flowsDone(epoch: number): void {
    if (epoch !== this.completionEpoch) return;
    this.completionAt = -1;
    const now = this.sim.nowMicros;
    const completions = this.completions;
    for (let f = completions.top(); f >= 0 && completions.topTime() <= now; f = completions.top()) {
      completions.removeTop();
      this.complete(f);
    }
    this.shares.solve(this.onRateChange);
    this.reschedule();
  }

  /**
   * Flow f's last byte has left: report its last segment, free its share, count it as sent and
   * schedule its delivery (each multicast recipient's copy) one latency later.
   */
  private complete(f: number): void {
    const now = this.sim.nowMicros;
    const h = this.flowMessage[f];
    const rest = this.remainingBytes[f];
    if (rest > 0) this.reportSegment(f, rest, this.segmentStart[f], now);
    this.shares.removeFlow(f);
    this.flowVersion[f]++;
    const from = this.pool.from(h);
    const counted = this.countSent(from, this.pool.bytes(h), now);
    this.scheduleDelivery(h, from, this.pool.to(h), now, counted);
  }

  /** A flow crossed both links at once: delivered one latency after its last byte left. */
  protected dataArrival(
    from: number,
    to: number,
    _type: number,
    _bytes: number,
    done: number,
  ): number {
    return done + this.latency.micros(from, to);
  }

  /** Reports `bytes` of flow f over [start, end) on its uplink and its receivers' downlinks. */
  private reportSegment(f: number, bytes: number, start: number, end: number): void {
    const pool = this.pool;
    const h = this.flowMessage[f];
    const from = pool.from(h);
    const to = pool.to(h);
    const type = pool.type(h);
    this.reportSend(from, to, type, bytes, start, end);
    if (to !== NO_HANDLE) {
      this.reportReceive(from, to, type, bytes, start, end);
      return;
    }
    const list = this.waitingRecipients.get(h)!;
    for (let i = 0; i < list.length; i++)
      this.reportReceive(from, list[i], type, bytes, start, end);
  }

  private growFlows(): void {
    const n = this.flowMessage.length * 2;
    const grow = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (length: number) => T)(n);
      b.set(a);
      return b;
    };
    this.flowMessage = grow(this.flowMessage);
    this.segmentStart = grow(this.segmentStart);
    this.remainingBytes = grow(this.remainingBytes);
    this.flowVersion = grow(this.flowVersion);
  }
}
