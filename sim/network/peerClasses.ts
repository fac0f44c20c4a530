import type { OptionReader } from "../scenario/reader.ts";

/** One class of peers in the capacity mix. */
export interface PeerClass {
  /** Name used in results (`peers.csv`, per-class QoS). */
  name: string;
  /** Share of arriving peers in this class, in [0, 1]; the shares of a mix sum to 1. */
  share: number;
  /** Upload capacity in bits per second. */
  uploadBitsPerSecond: number;
  /** Download capacity in bits per second. */
  downloadBitsPerSecond: number;
}

/**
 * Default mix: the upload capacities Bharambe et al. (INFOCOM 2006) derived from Gnutella
 * measurements (128 kbps 20%, 384 kbps 40%, 1 Mbps 25%, 5 Mbps 15%; mean about 1.18 Mbps),
 * with downloads an order of magnitude above.
 */
export const DEFAULT_PEER_CLASSES: readonly PeerClass[] = [
  { name: "128k", share: 0.2, uploadBitsPerSecond: 128e3, downloadBitsPerSecond: 1.5e6 },
  { name: "384k", share: 0.4, uploadBitsPerSecond: 384e3, downloadBitsPerSecond: 3e6 },
  { name: "1M", share: 0.25, uploadBitsPerSecond: 1e6, downloadBitsPerSecond: 10e6 },
  { name: "5M", share: 0.15, uploadBitsPerSecond: 5e6, downloadBitsPerSecond: 50e6 },
];

/** Resolves `peers.classes`: a non-empty weighted mix whose shares sum to 1. */
export function resolvePeerClasses(reader: OptionReader): PeerClass[] {
  if (!reader.has("classes")) {
    return DEFAULT_PEER_CLASSES.map((c) => ({ ...c }));
  }
  const classes = reader.list(
    "classes",
    (item, path, index) => {
      const r = reader.child(item, path);
      const upload = r.bitsPerSecond("upload");
      const peerClass: PeerClass = {
        name: r.string("name", `class${index}`),
        share: r.probability("share"),
        uploadBitsPerSecond: upload,
        downloadBitsPerSecond: r.bitsPerSecond("download", Math.max(10 * upload, 1e6), {
          above: 0,
        }),
      };
      r.done();
      return peerClass;
    },
    { minLength: 1 },
  );
  const total = classes.reduce((sum, c) => sum + c.share, 0);
  if (Math.abs(total - 1) > 1e-6) {
    throw reader.error("classes", `shares must sum to 1, got ${Number(total.toFixed(6))}`);
  }
  const names = new Set<string>();
  classes.forEach((c, index) => {
    if (names.has(c.name)) {
      throw reader.errorAt(
        [...reader.path, "classes", index, "name"],
        `duplicate class '${c.name}'`,
      );
    }
    names.add(c.name);
  });
  return classes;
}
