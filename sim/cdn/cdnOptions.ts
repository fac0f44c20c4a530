import type { OptionReader } from "../scenario/reader.ts";

/**
 * A CDN tier beside the peers (`cdn:` in a scenario), used by any strategy as a fallback source:
 * when a viewer still lacks a chunk `marginSeconds` before its playout deadline, it fetches it
 * from an edge server over plain HTTP-like request and response, the pattern of HLS
 * peer-to-peer loaders (and of Akamai's and Red Swoosh's peer-assisted clients).
 */
export interface CdnOptions {
  /** Number of edge servers. Default 1. */
  edges: number;
  /** Upload capacity of each edge server, bits/s. Default 100 Mbps. */
  uploadBitsPerSecond: number;
  /** One-way latency between any peer and any edge server, seconds. Default 20 ms. */
  latencySeconds: number;
  /**
   * How long before a chunk's playout deadline a viewer gives up on the peers and asks the CDN
   * for it, seconds. Default 2 s. A chunk that does not exist yet is asked for when it appears.
   */
  marginSeconds: number;
  /**
   * How long a starting viewer waits for the peers to fill its startup buffer before it fetches
   * the missing startup chunks from the CDN, seconds. Default 1 s.
   */
  startupWaitSeconds: number;
  /** Size of a request to an edge, bytes. Default 300 (an HTTP GET with headers). */
  requestBytes: number;
}

/** Resolves `cdn` (absent: no CDN). */
export function resolveCdnOptions(reader: OptionReader): CdnOptions {
  return {
    edges: reader.integer("edges", 1, { min: 1, max: 1000 }),
    uploadBitsPerSecond: reader.bitsPerSecond("upload", 100e6, { above: 0 }),
    latencySeconds: reader.durationSeconds("latency", 0.02),
    marginSeconds: reader.durationSeconds("margin", 2),
    startupWaitSeconds: reader.durationSeconds("startupWait", 1),
    requestBytes: reader.bytes("requestBytes", 300, { min: 1 }),
  };
}
