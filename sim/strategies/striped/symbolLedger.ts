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
 *
 * Layout: the fields of one entry sit side by side in one record of {@link recordBytes} bytes
 * (the block as a 32-bit integer, then the count, the decoded flag and the stripe bits), read
 * through two views of one buffer. A symbol's arrival reads and writes all of them, and with
 * thousands of peers the rings no longer fit in the processor's cache: one record is one cache
 * miss where four parallel arrays were four.
 *
 * Records are grouped by block before peer: the ring is cut into groups of {@link GROUP_BLOCKS}
 * consecutive entries (64 bytes for up to 16 stripes), and group g of every slot comes before
 * group g + 1 of any. Peers stream the same few blocks at about the same time, so the records
 * in use at any moment fill one stretch of memory, a few hundred pages at 10,000 peers instead
 * of one page per eight peers: fewer address translations miss (a peer-major ring spread them
 * over the whole ledger, several megabytes).
 */
export class SymbolLedger {
  /** Ring length W in blocks. */
  readonly windowBlocks: number;
  /** Stripes per block (n). */
  readonly stripes: number;
  /** Bytes per entry record: 4 for the block, 1 count, 1 decoded flag, the stripe bits, padded to 4. */
  readonly recordBytes: number;
  private readonly mask: number;
  /** Record length in 32-bit words (the block of entry e is words[e * stride]). */
  private readonly stride: number;
  /** Entries per group: {@link GROUP_BLOCKS}, or the whole window when it is shorter. */
  private readonly groupEntries: number;
  /** Slots the arrays hold (doubles as peers join). */
  private capacity: number;
  private readonly slotOf: Int32Array;
  /** The records as 32-bit words: word 0 of each is the block it describes (-1 none). */
  private words: Int32Array;
  /** The records as bytes: count at byte 4, decoded flag at 5, stripe bits from 6. */
  private bytes: Uint8Array;
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
    this.stride = Math.ceil((BITS_AT + Math.ceil(stripes / 8)) / 4);
    this.recordBytes = this.stride * 4;
    this.slotOf = new Int32Array(nodes).fill(-1);
    this.groupEntries = Math.min(GROUP_BLOCKS, windowBlocks);
    this.capacity = 16;
    this.words = new Int32Array(this.capacity * windowBlocks * this.stride);
    this.bytes = new Uint8Array(this.words.buffer);
  }

  /** A peer comes online with an empty ring. */
  join(peer: number): void {
    let s = this.freeSlots.pop();
    if (s === undefined) {
      s = this.slotCount++;
      if (s >= this.capacity) this.grow();
    }
    const g = this.groupEntries;
    for (let block = 0; block < this.windowBlocks; block += g) {
      const from = this.entry(s, block);
      this.bytes.fill(0, from * this.recordBytes, (from + g) * this.recordBytes);
      for (let e = from; e < from + g; e++) this.words[e * this.stride] = -1;
    }
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
    const entry = this.entry(s, block);
    const current = this.words[entry * this.stride];
    if (current > block) return SymbolReceipt.TooOld;
    if (current < block) this.reset(entry, block);
    const at = entry * this.recordBytes;
    const byte = at + BITS_AT + (stripe >> 3);
    const bit = 1 << (stripe & 7);
    const bytes = this.bytes;
    if (bytes[byte] & bit) return SymbolReceipt.Duplicate;
    bytes[byte] |= bit;
    bytes[at + COUNT_AT]++;
    return SymbolReceipt.New;
  }

  /** True when the peer holds stripe `stripe`'s symbol of `block` (within its window). */
  has(peer: number, stripe: number, block: number): boolean {
    const entry = this.entryOf(peer, block);
    if (entry < 0) return false;
    const byte = entry * this.recordBytes + BITS_AT + (stripe >> 3);
    return (this.bytes[byte] & (1 << (stripe & 7))) !== 0;
  }

  /** Distinct symbols of `block` the peer holds (0 when outside its window). */
  count(peer: number, block: number): number {
    const entry = this.entryOf(peer, block);
    return entry < 0 ? 0 : this.bytes[entry * this.recordBytes + COUNT_AT];
  }

  /** True when the peer decoded `block`. */
  isDecoded(peer: number, block: number): boolean {
    const entry = this.entryOf(peer, block);
    return entry >= 0 && this.bytes[entry * this.recordBytes + DECODED_AT] === 1;
  }

  /** Marks `block` decoded at the peer (it must hold a symbol of it). */
  markDecoded(peer: number, block: number): void {
    const entry = this.entryOf(peer, block);
    if (entry >= 0) this.bytes[entry * this.recordBytes + DECODED_AT] = 1;
  }

  private entryOf(peer: number, block: number): number {
    const s = this.slotOf[peer];
    if (s < 0 || block < 0) return -1;
    const entry = this.entry(s, block);
    return this.words[entry * this.stride] === block ? entry : -1;
  }

  /** The entry of slot `s` that `block` maps to: its group of every slot, then the slot, then the block within. */
  private entry(s: number, block: number): number {
    const g = this.groupEntries;
    const i = block & this.mask;
    return (i - (i & (g - 1))) * this.capacity + s * g + (i & (g - 1));
  }

  /** Entry `entry` now describes `block`: nothing of it held, not decoded. */
  private reset(entry: number, block: number): void {
    // Word by word: the count, the flag and the stripe bits fill the record's words after the
    // block (COUNT_AT is 4), and a typed array's fill() costs a call into the runtime, which on
    // the first symbol of every block at every peer was more than the few stores it makes.
    const words = this.words;
    const at = entry * this.stride;
    words[at] = block;
    for (let w = at + 1; w < at + this.stride; w++) words[w] = 0;
  }

  /** Doubles the slots; each group of the old layout moves to the start of its group in the new. */
  private grow(): void {
    const old = this.words;
    const capacity = 2 * this.capacity;
    const words = new Int32Array(old.length * 2);
    // Records of slots beyond the old capacity are set up by the join that claims their slot.
    const groupWords = this.capacity * this.groupEntries * this.stride;
    for (let g = 0; g < this.windowBlocks / this.groupEntries; g++) {
      words.set(old.subarray(g * groupWords, (g + 1) * groupWords), 2 * g * groupWords);
    }
    this.capacity = capacity;
    this.words = words;
    this.bytes = new Uint8Array(words.buffer);
  }
}

/** Consecutive blocks of one slot whose entries sit side by side (see {@link SymbolLedger}). */
const GROUP_BLOCKS = 8;
/** Byte offset of an entry's symbol count in its record (after the 4-byte block). */
const COUNT_AT = 4;
/** Byte offset of an entry's decoded flag. */
const DECODED_AT = 5;
/** Byte offset of an entry's stripe bits (one bit per stripe, stripe 0 in the lowest bit). */
const BITS_AT = 6;
