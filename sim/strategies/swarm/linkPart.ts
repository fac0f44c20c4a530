import type { StrategyContext } from "../types.ts";
import type { Choker } from "./choker.ts";
import type { PieceKnowledge } from "./knowledge.ts";
import type { MinuteSwarmingOptions } from "./options.ts";
import type { SwarmRecords } from "./records.ts";
import type { SwarmStats } from "./stats.ts";
import type { SwarmWire } from "./wire.ts";

/** The parts every part that acts on the swarm's links works with. */
export interface SwarmCommonParts {
  records: SwarmRecords;
  knowledge: PieceKnowledge;
  choker: Choker;
  stats: SwarmStats;
  wire: SwarmWire;
  /** 1 per online node; read in place. */
  online: Uint8Array;
}

/**
 * A part of the swarm that acts on its links (the connections, the piece exchange): it holds
 * the context, the options and the {@link SwarmCommonParts}, plus the sizes of the records
 * (K halves per membership, P pieces per slice), so each such part wires them the same way.
 */
export abstract class SwarmLinkPart {
  protected readonly c: StrategyContext;
  protected readonly o: MinuteSwarmingOptions;
  protected readonly records: SwarmRecords;
  protected readonly knowledge: PieceKnowledge;
  protected readonly choker: Choker;
  protected readonly stats: SwarmStats;
  protected readonly wire: SwarmWire;
  protected readonly online: Uint8Array;
  /** Neighbour table size per membership (K). */
  protected readonly k: number;
  /** Pieces per slice (P). */
  protected readonly pieces: number;

  constructor(context: StrategyContext, options: MinuteSwarmingOptions, parts: SwarmCommonParts) {
    this.c = context;
    this.o = options;
    this.records = parts.records;
    this.knowledge = parts.knowledge;
    this.choker = parts.choker;
    this.stats = parts.stats;
    this.wire = parts.wire;
    this.online = parts.online;
    this.k = parts.records.k;
    this.pieces = parts.records.pieces;
  }
}
