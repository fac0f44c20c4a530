/** Serialization time (µs) of `bytes` at `rate` bits/s, rounded up; 0 for an unlimited (0) rate. */
export function serializationMicros(bytes: number, rate: number): number {
  return rate > 0 ? Math.ceil((bytes * 8 * 1e6) / rate) : 0;
}

// Slots of a node's downlink record (four Float64s, 32 bytes: two records per cache line).
/** Download capacity, bits/s (0: unlimited). */
const DOWNLOAD = 0;
/** End of the downlink's last reservation, µs. */
const FREE_AT = 1;
/** The idle gap [gapStart, gapEnd) before the downlink's last reservation, µs. */
const GAP_START = 2;
const GAP_END = 3;
/** Float64 slots per record. */
const STRIDE = 4;

/**
 * Every node's downlink as a FIFO of reservations, made when a message's arrival time is known.
 * A reservation made out of arrival order leaves an idle gap before it; the last such gap is
 * remembered and a later, earlier-arriving message that fits is placed in it, so a message
 * booked far ahead does not block the link. Reservations never overlap, so a downlink carries
 * at most its capacity. A node's capacity, last reservation and gap are one record of
 * adjacent Float64s, so a reservation touches one cache line of a large run's state, not four.
 */
export class Downlinks {
  /** Where the last {@link reserve} put its message on the downlink, µs. */
  lastStartMicros = 0;
  /** Each node's record: DOWNLOAD, FREE_AT, GAP_START, GAP_END. */
  private readonly records: Float64Array;

  /** @param download each node's download capacity, bits/s (0: unlimited). */
  constructor(download: Float64Array) {
    this.records = new Float64Array(download.length * STRIDE);
    for (let node = 0; node < download.length; node++) {
      this.records[node * STRIDE + DOWNLOAD] = download[node];
    }
  }

  /**
   * Reserves `to`'s downlink for `bytes` that reach it at `arriveMicros`: in the last idle gap
   * if they fit, otherwise after the last reservation. Returns when the message has come off the
   * downlink (µs); {@link lastStartMicros} says when it started.
   */
  reserve(to: number, bytes: number, arriveMicros: number): number {
    const r = this.records;
    const at = to * STRIDE;
    const serialization = serializationMicros(bytes, r[at + DOWNLOAD]);
    const free = r[at + FREE_AT];
    let start: number;
    if (arriveMicros >= free) {
      start = arriveMicros;
      r[at + GAP_START] = free;
      r[at + GAP_END] = arriveMicros;
      r[at + FREE_AT] = arriveMicros + serialization;
    } else {
      const inGap = Math.max(arriveMicros, r[at + GAP_START]);
      if (inGap + serialization <= r[at + GAP_END]) {
        start = inGap;
        r[at + GAP_START] = inGap + serialization;
      } else {
        start = free;
        r[at + FREE_AT] = free + serialization;
      }
    }
    this.lastStartMicros = start;
    return start + serialization;
  }
}
