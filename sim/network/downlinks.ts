/** Serialization time (µs) of `bytes` at `rate` bits/s, rounded up; 0 for an unlimited (0) rate. */
export function serializationMicros(bytes: number, rate: number): number {
  return rate > 0 ? Math.ceil((bytes * 8 * 1e6) / rate) : 0;
}

/**
 * Every node's downlink as a FIFO of reservations, made when a message's arrival time is known.
 * A reservation made out of arrival order leaves an idle gap before it; the last such gap is
 * remembered and a later, earlier-arriving message that fits is placed in it, so a message
 * booked far ahead does not block the link. Reservations never overlap, so a downlink carries
 * at most its capacity.
 */
export class Downlinks {
  /** Where the last {@link reserve} put its message on the downlink, µs. */
  lastStartMicros = 0;
  private readonly download: Float64Array;
  /** End of each downlink's last reservation, µs. */
  private readonly freeAt: Float64Array;
  /** The idle gap [gapStart, gapEnd) before each downlink's last reservation, µs. */
  private readonly gapStart: Float64Array;
  private readonly gapEnd: Float64Array;

  /** @param download each node's download capacity, bits/s (0: unlimited). */
  constructor(download: Float64Array) {
    this.download = download;
    this.freeAt = new Float64Array(download.length);
    this.gapStart = new Float64Array(download.length);
    this.gapEnd = new Float64Array(download.length);
  }

  /**
   * Reserves `to`'s downlink for `bytes` that reach it at `arriveMicros`: in the last idle gap
   * if they fit, otherwise after the last reservation. Returns when the message has come off the
   * downlink (µs); {@link lastStartMicros} says when it started.
   */
  reserve(to: number, bytes: number, arriveMicros: number): number {
    const serialization = serializationMicros(bytes, this.download[to]);
    const free = this.freeAt[to];
    let start: number;
    if (arriveMicros >= free) {
      start = arriveMicros;
      this.gapStart[to] = free;
      this.gapEnd[to] = arriveMicros;
      this.freeAt[to] = arriveMicros + serialization;
    } else {
      const inGap = Math.max(arriveMicros, this.gapStart[to]);
      if (inGap + serialization <= this.gapEnd[to]) {
        start = inGap;
        this.gapStart[to] = inGap + serialization;
      } else {
        start = free;
        this.freeAt[to] = free + serialization;
      }
    }
    this.lastStartMicros = start;
    return start + serialization;
  }
}
