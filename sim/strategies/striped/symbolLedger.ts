/** What {@link SymbolLedger.add} found. */
export const SymbolReceipt = {
  /** A coded symbol the peer did not hold. */
  New: 0,
  /** The peer already held this stripe's symbol of that block. */
  Duplicate: 1,
  /** The block is older than the peer's window remembers; dropped. */
  TooOld: 2,
  /** The peer has no ledger (not online). */
  Offline: 3,
} as const;

/** Most stripes a ledger tracks (the per-block symbol count is a byte). */
export const MAX_LEDGER_STRIPES = 255;

/**
 * Which coded symbols (stripe i of block b) each online peer holds, for the last W blocks: a
 * per-peer ring of W entries (W a power of two, the player's window), each with the block it
 * currently describes, a bit per stripe, the count of distinct symbols and a decoded flag.
 * Entries are reused lazily: a symbol of a newer block that maps to an entry resets it. Rings
 * live in slots reused after peers leave, so memory follows the online population, not the
 * number of sessions. Typed arrays only; no object per peer or block.
 */
export class SymbolLedger {
  /** Ring length W in blocks. */
  readonly windowBlocks: number;
  /** Stripes per block (n). */
  readonly stripes: number;
  private readonly mask: number;
  private readonly maskBytes: number;
  private readonly slotOf: Int32Array;
  private tag: Int32Array;
  private counts: Uint8Array;
  private decodedFlags: Uint8Array;
  private bits: Uint8Array;
  private freeSlots: number[] = [];
  private slotCount = 0;

  /**
   * @param nodes number of node ids.
   * @param stripes coded symbols per block, 1..255.
   * @param windowBlocks ring length, a power of two.
   */
  constructor(nodes: number, stripes: number, windowBlocks: number) {
    if (!(stripes >= 1 && stripes <= MAX_LEDGER_STRIPES)) {
      throw new RangeError(`a ledger tracks 1..${MAX_LEDGER_STRIPES} stripes, got ${stripes}`);
    }
    if (!(windowBlocks > 0 && (windowBlocks & (windowBlocks - 1)) === 0)) {
      throw new RangeError(`ledger window must be a power of two, got ${windowBlocks}`);
    }
    this.stripes = stripes;
    this.windowBlocks = windowBlocks;
    this.mask = windowBlocks - 1;
    this.maskBytes = Math.ceil(stripes / 8);
    this.slotOf = new Int32Array(nodes).fill(-1);
    const initialSlots = 16;
    this.tag = new Int32Array(initialSlots * windowBlocks).fill(-1);
    this.counts = new Uint8Array(initialSlots * windowBlocks);
    this.decodedFlags = new Uint8Array(initialSlots * windowBlocks);
    this.bits = new Uint8Array(initialSlots * windowBlocks * this.maskBytes);
  }

  /** A peer comes online with an empty ring. */
  join(peer: number): void {
    let s = this.freeSlots.pop();
    if (s === undefined) {
      s = this.slotCount++;
      if ((s + 1) * this.windowBlocks > this.tag.length) this.grow();
    }
    const from = s * this.windowBlocks;
    this.tag.fill(-1, from, from + this.windowBlocks);
    this.counts.fill(0, from, from + this.windowBlocks);
    this.decodedFlags.fill(0, from, from + this.windowBlocks);
    this.bits.fill(0, from * this.maskBytes, (from + this.windowBlocks) * this.maskBytes);
    this.slotOf[peer] = s;
  }

  /** A peer goes offline; its ring is freed. */
  leave(peer: number): void {
    const s = this.slotOf[peer];
    if (s < 0) return;
    this.freeSlots.push(s);
    this.slotOf[peer] = -1;
  }

  /** Records that `peer` received stripe `stripe`'s symbol of `block`; returns a {@link SymbolReceipt}. */
  add(peer: number, stripe: number, block: number): number {
    const s = this.slotOf[peer];
    if (s < 0) return SymbolReceipt.Offline;
    const entry = s * this.windowBlocks + (block & this.mask);
    const current = this.tag[entry];
    if (current > block) return SymbolReceipt.TooOld;
    if (current < block) this.reset(entry, block);
    const byte = entry * this.maskBytes + (stripe >> 3);
    const bit = 1 << (stripe & 7);
    if (this.bits[byte] & bit) return SymbolReceipt.Duplicate;
    this.bits[byte] |= bit;
    this.counts[entry]++;
    return SymbolReceipt.New;
  }

  /** True when the peer holds stripe `stripe`'s symbol of `block` (within its window). */
  has(peer: number, stripe: number, block: number): boolean {
    const entry = this.entryOf(peer, block);
    if (entry < 0) return false;
    return (this.bits[entry * this.maskBytes + (stripe >> 3)] & (1 << (stripe & 7))) !== 0;
  }

  /** Distinct symbols of `block` the peer holds (0 when outside its window). */
  count(peer: number, block: number): number {
    const entry = this.entryOf(peer, block);
    return entry < 0 ? 0 : this.counts[entry];
  }

  /** True when the peer decoded `block`. */
  isDecoded(peer: number, block: number): boolean {
    const entry = this.entryOf(peer, block);
    return entry >= 0 && this.decodedFlags[entry] === 1;
  }

  /** Marks `block` decoded at the peer (it must hold a symbol of it). */
  markDecoded(peer: number, block: number): void {
    const entry = this.entryOf(peer, block);
    if (entry >= 0) this.decodedFlags[entry] = 1;
  }

  private entryOf(peer: number, block: number): number {
    const s = this.slotOf[peer];
    if (s < 0 || block < 0) return -1;
    const entry = s * this.windowBlocks + (block & this.mask);
    return this.tag[entry] === block ? entry : -1;
  }

  private reset(entry: number, block: number): void {
    this.tag[entry] = block;
    this.counts[entry] = 0;
    this.decodedFlags[entry] = 0;
    this.bits.fill(0, entry * this.maskBytes, (entry + 1) * this.maskBytes);
  }

  private grow(): void {
    const size = this.tag.length * 2;
    const tag = new Int32Array(size).fill(-1);
    tag.set(this.tag);
    const counts = new Uint8Array(size);
    counts.set(this.counts);
    const decoded = new Uint8Array(size);
    decoded.set(this.decodedFlags);
    const bits = new Uint8Array(size * this.maskBytes);
    bits.set(this.bits);
    this.tag = tag;
    this.counts = counts;
    this.decodedFlags = decoded;
    this.bits = bits;
  }
}
