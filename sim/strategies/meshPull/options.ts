import type { OptionReader } from "../../scenario/reader.ts";

/** How a peer orders the chunks it requests from its partners. */
export const MESH_SCHEDULERS = ["rarest-first", "deadline"] as const;

/** Most partners one peer may keep (a limit on the per-peer partner tables). */
export const MAX_PEER_PARTNERS = 32;
/** Most partners the source may keep. */
export const MAX_SOURCE_PARTNERS = 4096;

/** Options of the `mesh-pull` strategy. Times in seconds, sizes in bytes. */
export interface MeshPullOptions {
  /** Partners a peer seeks: below this it asks the tracker for more. Default 5 (DONet's M). */
  partners: number;
  /**
   * Most partners a peer keeps, those it sought and those that sought it together; requests
   * beyond it are refused. Default twice `partners`.
   */
  maxPartners: number;
  /**
   * Most partners the source keeps; 0 (default) sizes it as source upload / bit rate, the
   * number of full streams its uplink carries.
   */
  sourcePartners: number;
  /** Peers the tracker returns per query, chosen at random among those online. Default 10. */
  candidates: number;
  /** Period of the buffer-map exchange and of the request scheduling, seconds. Default 1 s. */
  exchangeSeconds: number;
  /**
   * Chunks a buffer map describes (`window`, seconds of stream): a peer keeps and advertises
   * the newest chunks of this span, rounded up to a power of two chunks. Default 60 s.
   */
  windowSeconds: number;
  /**
   * `rarest-first` (default; DONet: chunks with the fewest suppliers first, each from the
   * supplier with the most spare bandwidth) or `deadline` (earliest playout deadline first).
   */
  scheduler: (typeof MESH_SCHEDULERS)[number];
  /**
   * Seconds of work a peer queues at one partner: it keeps at most measured throughput x this
   * many bytes of requests outstanding there (at least one chunk), and a request that has not
   * been served after the longer of this and twice its expected service time is given up and
   * may go to another partner. A supplier whose uplink already holds more than this refuses.
   * Default 3 s.
   */
  requestHorizonSeconds: number;
  /**
   * Period of the slow-partner check, seconds (`replaceInterval`): a peer with its full partner
   * set drops the partner with the lowest measured throughput if that is below `slowShare` of
   * the stream rate, and seeks another. 0 turns it off. Default 10 s.
   */
  replaceSeconds: number;
  /** Throughput below which a partner counts as slow, as a share of the stream rate. Default 0.25. */
  slowShare: number;
  /** Wait before asking the tracker again when a query left the peer short, seconds. Default 1 s. */
  retrySeconds: number;
  /** Size of a membership message or request, and the header of a buffer map, bytes. Default 100. */
  controlBytes: number;
}

/** Resolves the options of a `mesh-pull` entry. */
export function resolveMeshPullOptions(reader: OptionReader): MeshPullOptions {
  const partners = reader.integer("partners", 5, { min: 1, max: MAX_PEER_PARTNERS });
  const maxPartners = reader.integer("maxPartners", Math.min(2 * partners, MAX_PEER_PARTNERS), {
    min: partners,
    max: MAX_PEER_PARTNERS,
  });
  return {
    partners,
    maxPartners,
    sourcePartners: reader.integer("sourcePartners", 0, { min: 0, max: MAX_SOURCE_PARTNERS }),
    candidates: reader.integer("candidates", 2 * partners, { min: 1, max: 256 }),
    exchangeSeconds: reader.durationSeconds("exchangePeriod", 1, { above: 0 }),
    windowSeconds: reader.durationSeconds("window", 60, { above: 0, max: 3600 }),
    scheduler: reader.choice("scheduler", MESH_SCHEDULERS, "rarest-first"),
    requestHorizonSeconds: reader.durationSeconds("requestHorizon", 3, { above: 0 }),
    replaceSeconds: reader.durationSeconds("replaceInterval", 10),
    slowShare: reader.number("slowShare", 0.25, { min: 0, max: 1 }),
    retrySeconds: reader.durationSeconds("retry", 1, { above: 0 }),
    controlBytes: reader.bytes("controlBytes", 100, { min: 1 }),
  };
}
