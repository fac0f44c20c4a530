import { formatBitrate, formatSeconds } from "../scenario/checks.ts";
import type { ScenarioWarning } from "../scenario/reader.ts";
import type { Scenario } from "../scenario/scenario.ts";
import type { Workload } from "../workload/workload.ts";

/** Strategy types whose viewers all pull from the source: it alone sustains u_s / bitrate viewers. */
const UNICAST_TYPES = new Set(["client-server"]);
/** Strategy types where the network replicates the stream: the source needs only the bitrate. */
const MULTICAST_TYPES = new Set(["ideal-multicast"]);

/** The instants of the workload that bound what any strategy can deliver. */
export interface DemandPeaks {
  /** Most viewers online at once, and when (seconds) it is first reached. */
  peakViewers: number;
  peakSeconds: number;
  /**
   * The instant where demand exceeds supply the most for a peer-to-peer overlay: viewers
   * online x bitrate minus (source upload + the online viewers' upload), bits per second, with
   * its viewers, their total upload and the time.
   */
  worstShortfallBitsPerSecond: number;
  worstViewers: number;
  worstPeerUploadBitsPerSecond: number;
  worstSeconds: number;
}

/**
 * Sweeps the generated workload's joins and leaves (within the run; a leave at the same instant
 * as a join counts first) for the peak number of viewers online and for the instant where the
 * Kumar-Liu-Ross demand N x bitrate most exceeds the source's upload plus the online peers'.
 */
export function demandPeaks(scenario: Scenario, workload: Workload): DemandPeaks {
  const end = scenario.durationSeconds * 1e6;
  const bitrate = scenario.stream.bitrateBitsPerSecond;
  const sourceUpload = scenario.source.uploadBitsPerSecond;
  const leaves: number[] = [];
  for (let i = 0; i < workload.size; i++) if (workload.joinMicros[i] < end) leaves.push(i);
  leaves.sort((a, b) => workload.leaveMicros[a] - workload.leaveMicros[b] || a - b);
  const peaks: DemandPeaks = {
    peakViewers: 0,
    peakSeconds: 0,
    worstShortfallBitsPerSecond: Number.NEGATIVE_INFINITY,
    worstViewers: 0,
    worstPeerUploadBitsPerSecond: 0,
    worstSeconds: 0,
  };
  let online = 0;
  let upload = 0;
  let next = 0;
  for (let i = 0; i < workload.size && workload.joinMicros[i] < end; i++) {
    const join = workload.joinMicros[i];
    while (next < leaves.length && workload.leaveMicros[leaves[next]] <= join) {
      online -= 1;
      upload -= workload.uploadBitsPerSecond[leaves[next] + 1];
      next += 1;
    }
    online += 1;
    upload += workload.uploadBitsPerSecond[i + 1];
    if (online > peaks.peakViewers) {
      peaks.peakViewers = online;
      peaks.peakSeconds = join / 1e6;
    }
    const shortfall = online * bitrate - sourceUpload - upload;
    if (shortfall > peaks.worstShortfallBitsPerSecond) {
      peaks.worstShortfallBitsPerSecond = shortfall;
      peaks.worstViewers = online;
      peaks.worstPeerUploadBitsPerSecond = upload;
      peaks.worstSeconds = join / 1e6;
    }
  }
  return peaks;
}

/**
 * Warnings for strategies the workload's peak demand puts beyond what any design can deliver
 * (Kumar, Liu and Ross, INFOCOM 2007: with N viewers online the highest rate every one of them
 * can receive is min(u_s, (u_s + sum of their uploads) / N)). Client-server sustains only
 * u_s / bitrate viewers, ideal multicast needs only u_s >= bitrate, and every other strategy
 * (an overlay of peers) is held to the bound. N comes from the generated workload (an exact
 * sweep of its joins and leaves), not from a closed form.
 */
export function capacityWarnings(scenario: Scenario, workload: Workload): ScenarioWarning[] {
  const bitrate = scenario.stream.bitrateBitsPerSecond;
  const sourceUpload = scenario.source.uploadBitsPerSecond;
  const warnings: ScenarioWarning[] = [];
  const warn = (field: string, problem: string) =>
    warnings.push({ file: undefined, line: undefined, field, problem });
  const peaks = demandPeaks(scenario, workload);
  if (peaks.peakViewers === 0) return warnings;
  const names = (keep: (type: string) => boolean) =>
    scenario.strategies.filter((s) => keep(s.type)).map((s) => s.name);
  if (sourceUpload < bitrate) {
    warn(
      "source.upload",
      `${formatBitrate(sourceUpload)} is below the ${formatBitrate(bitrate)} stream: no ` +
        `strategy can deliver it (${names(() => true).join(", ")})`,
    );
    return warnings;
  }
  const unicast = names((type) => UNICAST_TYPES.has(type));
  const servable = Math.floor(sourceUpload / bitrate);
  if (unicast.length > 0 && peaks.peakViewers > servable) {
    warn(
      "source.upload",
      `${formatBitrate(sourceUpload)} serves at most ${servable} viewers at ` +
        `${formatBitrate(bitrate)} from the source alone, but up to ${peaks.peakViewers} are ` +
        `online at once (at ${formatSeconds(peaks.peakSeconds)} in the generated workload): ` +
        `${unicast.join(", ")} cannot sustain the stream`,
    );
  }
  const overlays = names((type) => !UNICAST_TYPES.has(type) && !MULTICAST_TYPES.has(type));
  if (overlays.length > 0 && peaks.worstShortfallBitsPerSecond > 0) {
    warn(
      "source.upload",
      `at ${formatSeconds(peaks.worstSeconds)} in the generated workload ${peaks.worstViewers} ` +
        `viewers online demand ${formatBitrate(peaks.worstViewers * bitrate)}, above the ` +
        `${formatBitrate(sourceUpload)} source plus their ` +
        `${formatBitrate(peaks.worstPeerUploadBitsPerSecond)} upload (Kumar-Liu-Ross bound): ` +
        `${overlays.join(", ")} cannot sustain the stream for everyone`,
    );
  }
  return warnings;
}
