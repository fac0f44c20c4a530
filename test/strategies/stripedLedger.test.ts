import { describe, expect, it } from "vitest";
import { SymbolLedger, SymbolReceipt } from "../../sim/strategies/striped/symbolLedger.ts";

describe("symbol ledger", () => {
  it("counts distinct symbols per block; duplicates and other blocks do not count", () => {
    const ledger = new SymbolLedger(4, 12, 64);
    ledger.join(1);
    for (const stripe of [0, 3, 11]) expect(ledger.add(1, stripe, 7)).toBe(SymbolReceipt.New);
    expect(ledger.add(1, 3, 7)).toBe(SymbolReceipt.Duplicate);
    expect(ledger.add(1, 3, 8)).toBe(SymbolReceipt.New);
    expect(ledger.count(1, 7)).toBe(3);
    expect(ledger.count(1, 8)).toBe(1);
    expect(ledger.has(1, 11, 7)).toBe(true);
    expect(ledger.has(1, 10, 7)).toBe(false);
    expect(ledger.has(1, 11, 8)).toBe(false);
    expect(ledger.isDecoded(1, 7)).toBe(false);
    ledger.markDecoded(1, 7);
    expect(ledger.isDecoded(1, 7)).toBe(true);
    expect(ledger.isDecoded(1, 8)).toBe(false);
  });

  it("forgets a block when a newer one reuses its entry, and drops older ones", () => {
    const ledger = new SymbolLedger(4, 5, 64);
    ledger.join(2);
    ledger.add(2, 0, 10);
    ledger.markDecoded(2, 10);
    // Block 74 maps to block 10's entry (W = 64): block 10 is forgotten, 74 starts empty.
    expect(ledger.add(2, 1, 74)).toBe(SymbolReceipt.New);
    expect(ledger.count(2, 74)).toBe(1);
    expect(ledger.isDecoded(2, 74)).toBe(false);
    expect(ledger.count(2, 10)).toBe(0);
    expect(ledger.has(2, 0, 10)).toBe(false);
    expect(ledger.add(2, 0, 10)).toBe(SymbolReceipt.TooOld);
  });

  it("gives a returning slot an empty ring, and grows past its initial slots", () => {
    const ledger = new SymbolLedger(100, 255, 64);
    for (let peer = 1; peer < 100; peer++) {
      ledger.join(peer);
      expect(ledger.add(peer, 254, peer)).toBe(SymbolReceipt.New);
    }
    for (let peer = 1; peer < 100; peer++) expect(ledger.has(peer, 254, peer)).toBe(true);
    ledger.leave(5);
    expect(ledger.add(5, 0, 1)).toBe(SymbolReceipt.Offline);
    expect(ledger.count(5, 5)).toBe(0);
    // Node 5's slot is reused by... node 5 again, empty.
    ledger.join(5);
    expect(ledger.count(5, 5)).toBe(0);
    expect(ledger.has(5, 254, 5)).toBe(false);
  });

  it("keeps every peer's whole window through growth, whatever group a block falls in", () => {
    const ledger = new SymbolLedger(60, 5, 64);
    // Each peer holds one symbol of each of the 64 blocks of its window, stripe (peer + block)
    // mod 5, and the ledger grows from 16 to 64 slots while they join.
    for (let peer = 1; peer < 60; peer++) {
      ledger.join(peer);
      for (let block = 100; block < 164; block++) ledger.add(peer, (peer + block) % 5, block);
    }
    for (let peer = 1; peer < 60; peer++) {
      for (let block = 100; block < 164; block++) {
        expect(ledger.count(peer, block)).toBe(1);
        expect(ledger.has(peer, (peer + block) % 5, block)).toBe(true);
        expect(ledger.has(peer, (peer + block + 1) % 5, block)).toBe(false);
      }
    }
  });

  it("keeps each entry in one record: 4 bytes of block, count, flag and stripe bits, padded to 4", () => {
    // 5 stripes: 4 + 1 + 1 + 1 = 7 bytes, padded to 8; 255 stripes: 4 + 1 + 1 + 32 = 38, to 40.
    expect(new SymbolLedger(4, 5, 64).recordBytes).toBe(8);
    expect(new SymbolLedger(4, 255, 64).recordBytes).toBe(40);
    expect(new SymbolLedger(4, 8, 64).recordBytes).toBe(8);
    expect(new SymbolLedger(4, 17, 64).recordBytes).toBe(12);
  });

  it("rejects more stripes than a byte counts and windows that are not powers of two", () => {
    expect(() => new SymbolLedger(4, 256, 64)).toThrow(RangeError);
    expect(() => new SymbolLedger(4, 5, 100)).toThrow(RangeError);
  });
});
