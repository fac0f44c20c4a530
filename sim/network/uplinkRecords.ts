/**
 * A node's uplink record seen through the Float64Array view: node n's record starts at
 * `n * UplinkF64.Stride`. A record is 64 bytes, one cache line. (Enums, because the bundler
 * inlines their values as literals.)
 */
export enum UplinkF64 {
  /** Float64 slots per record. */
  Stride = 8,
  /** Upload capacity, bits/s (a copy of the transport's input, fixed for the run). */
  Upload = 0,
  /** When the uplink has sent the message on its wire and the control booked after it, µs. */
  FreeAt = 1,
  /** When the wire message's current segment started (or resumes, after booked control), µs. */
  SegmentStart = 2,
  /** Bytes of the wire message already reported to observers (segments before control). */
  WireReportedBytes = 3,
  /** Serialization time of the data waiting in the uplink queue, µs. */
  QueueMicros = 4,
  /** Bytes of the data waiting in the uplink queue. */
  QueueBytes = 5,
}

/**
 * The same record through the Int32Array view, from `n * UplinkI32.Stride`: the integer fields
 * fill bytes 48-63, after the six Float64 slots.
 */
export enum UplinkI32 {
  /** Int32 slots per record. */
  Stride = 16,
  /** The data message on the wire, or -1. */
  WireHandle = 12,
  /** First and last message of the uplink queue, or -1. */
  QueueHead = 13,
  QueueTail = 14,
  /** 1 while the uplink has a wire-free event pending. */
  Pending = 15,
}

/** No message. */
const NONE = -1;

/**
 * Each node's uplink state in the `fifo` model (capacity, wire, queue) as one 64-byte record
 * in a single ArrayBuffer, seen through a Float64Array and an Int32Array view. Every message
 * reads and writes most of these fields of its sender's record, several times over its life;
 * with one array per field, a 100k-peer run paid a cache miss per field, with the record it
 * pays one per visit.
 */
export class UplinkRecords {
  /** The records as Float64s and as Int32s (see {@link UplinkF64} and {@link UplinkI32}). */
  readonly f64: Float64Array;
  readonly i32: Int32Array;

  /** @param upload each node's upload capacity, bits/s. */
  constructor(upload: Float64Array) {
    const nodes = upload.length;
    this.f64 = new Float64Array(nodes * UplinkF64.Stride);
    this.i32 = new Int32Array(this.f64.buffer);
    for (let node = 0; node < nodes; node++) {
      this.f64[node * UplinkF64.Stride + UplinkF64.Upload] = upload[node];
      const i = node * UplinkI32.Stride;
      this.i32[i + UplinkI32.WireHandle] = NONE;
      this.i32[i + UplinkI32.QueueHead] = NONE;
      this.i32[i + UplinkI32.QueueTail] = NONE;
    }
  }
}
