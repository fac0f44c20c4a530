import type { StripedOptions } from "../strategies/striped/options.ts";
import type { MinuteSwarmingOptions } from "../strategies/swarm/options.ts";
import type { TreeRelayOptions } from "../strategies/treeRelay.ts";
import type { OptionReader, ScenarioWarning, YamlPath } from "./reader.ts";
import type { Scenario } from "./scenario.ts";

/**
 * Most samples one strategy's time series may hold (duration / metrics.interval): a limit, so
 * that `interval: 1us` fails at load time instead of filling memory.
 */
export const MAX_SAMPLES = 100_000;

/** A time in seconds as the messages show it: `120s`, `0.5s`. */
export function formatSeconds(seconds: number): string {
  return `${Number(seconds.toPrecision(6))}s`;
}

/** A bit rate as the messages show it: `400 kbps`, `20 Mbps`. */
export function formatBitrate(bitsPerSecond: number): string {
  const [scale, unit] =
    bitsPerSecond >= 1e9
      ? [1e9, "Gbps"]
      : bitsPerSecond >= 1e6
        ? [1e6, "Mbps"]
        : bitsPerSecond >= 1e3
          ? [1e3, "kbps"]
          : [1, "bps"];
  return `${Number((bitsPerSecond / scale).toPrecision(4))} ${unit}`;
}

/** The raw (unresolved) value at `path` of the document, to tell an explicit key from a default. */
function rawAt(root: unknown, path: YamlPath): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/**
 * Cross-field checks of a resolved scenario: what no single field's reader can see. Nonsense
 * that leaves nothing to measure (no viewer can ever join, play or decode; a unit of work the
 * run cannot hold) is thrown as an error naming the field; what runs but cannot work as
 * written (part of an arrival process after the end of the run, a class that cannot download
 * the stream) is returned as warnings. `root` is the parsed document, to tell keys that were
 * written from defaults.
 */
export function checkScenario(
  scenario: Scenario,
  reader: OptionReader,
  root: unknown,
): ScenarioWarning[] {
  const warnings: ScenarioWarning[] = [];
  const end = scenario.durationSeconds;
  const bitrate = scenario.stream.bitrateBitsPerSecond;

  // The time series: bounded in length, and not empty.
  const samples = Math.floor(end / scenario.metrics.intervalSeconds + 1e-9);
  if (samples > MAX_SAMPLES) {
    throw reader.errorAt(
      ["metrics", "interval"],
      `gives ${samples} samples over the ${formatSeconds(end)} run; at most ${MAX_SAMPLES} are ` +
        `allowed (use at least ${formatSeconds(end / MAX_SAMPLES)})`,
    );
  }
  if (samples === 0) {
    warnings.push(
      reader.warningAt(
        ["metrics", "interval"],
        `is longer than the ${formatSeconds(end)} run: timeseries.csv will have no rows`,
      ),
    );
  }

  // Arrivals: what falls after the end of the run never happens.
  let arrivalsInRun = false;
  scenario.churn.arrivals.forEach((arrival, index) => {
    const at = (key: string): YamlPath => ["churn", "arrivals", index, key];
    switch (arrival.type) {
      case "poisson": {
        if (arrival.fromSeconds >= end) {
          warnings.push(
            reader.warningAt(
              at("from"),
              `starts at ${formatSeconds(arrival.fromSeconds)}, not before the end of the run ` +
                `(${formatSeconds(end)}): these arrivals never happen`,
            ),
          );
        } else {
          if (arrival.ratePerSecond > 0) arrivalsInRun = true;
          if (arrival.untilSeconds > end) {
            warnings.push(
              reader.warningAt(
                at("until"),
                `is after the end of the run (${formatSeconds(end)}): arrivals stop at ` +
                  `${formatSeconds(end)}`,
              ),
            );
          }
        }
        break;
      }
      case "flash-crowd": {
        if (arrival.atSeconds >= end) {
          warnings.push(
            reader.warningAt(
              at("at"),
              `is at ${formatSeconds(arrival.atSeconds)}, not before the end of the run ` +
                `(${formatSeconds(end)}): its ${arrival.count} viewers never join`,
            ),
          );
        } else {
          arrivalsInRun = true;
          if (arrival.atSeconds + arrival.overSeconds > end) {
            const share = (arrival.atSeconds + arrival.overSeconds - end) / arrival.overSeconds;
            warnings.push(
              reader.warningAt(
                at("over"),
                `spreads the crowd until ${formatSeconds(arrival.atSeconds + arrival.overSeconds)}, ` +
                  `past the end of the run (${formatSeconds(end)}): about ` +
                  `${Math.round(share * arrival.count)} of its ${arrival.count} viewers never join`,
              ),
            );
          }
        }
        break;
      }
      case "trace": {
        const known = scenario.peers.classes.map((c) => c.name);
        // CSV rows are numbered as the trace reader numbers them (the header is row 1); the
        // rows of other formats are sessions picked from the file, so only counted.
        const csv = arrival.format === "csv";
        let late = 0;
        let firstLate = -1;
        const rows = arrival.rows;
        for (let i = 0; i < rows.size; i++) {
          const className = rows.classCode[i] >= 0 ? rows.classNames[rows.classCode[i]] : undefined;
          if (className !== undefined && !known.includes(className)) {
            throw reader.errorAt(
              at("file"),
              `${csv ? `trace row ${i + 2}` : `trace session ${i + 1}`}: unknown peer class ` +
                `'${className}' (known: ${known.join(", ")})`,
            );
          }
          if (rows.join[i] < end) {
            arrivalsInRun = true;
          } else if (late++ === 0) {
            firstLate = i;
          }
        }
        if (late > 0) {
          warnings.push(
            reader.warningAt(
              at("file"),
              `${late} of ${arrival.rows.size} trace ${csv ? "rows" : "sessions"} join at or ` +
                `after the end of the run (${formatSeconds(end)}) and are left out` +
                (csv ? ` (first: row ${firstLate + 2})` : ""),
            ),
          );
        }
        break;
      }
    }
  });
  if (!arrivalsInRun) {
    throw reader.errorAt(
      ["churn", "arrivals"],
      `no arrival process adds a viewer before the end of the run (${formatSeconds(end)})`,
    );
  }

  // Peer classes that cannot download the stream in real time.
  const classes = scenario.peers.classes;
  const slow = classes.filter((c) => c.downloadBitsPerSecond < bitrate);
  if (slow.length === classes.length) {
    throw reader.errorAt(
      ["peers", "classes"],
      `every class downloads below the ${formatBitrate(bitrate)} stream (fastest: ` +
        `${formatBitrate(Math.max(...classes.map((c) => c.downloadBitsPerSecond)))}): no viewer ` +
        "can play it in real time",
    );
  }
  classes.forEach((c, index) => {
    if (c.downloadBitsPerSecond >= bitrate) return;
    warnings.push(
      reader.warningAt(
        ["peers", "classes", index, "download"],
        `class '${c.name}' downloads ${formatBitrate(c.downloadBitsPerSecond)}, below the ` +
          `${formatBitrate(bitrate)} stream: its viewers cannot play in real time`,
      ),
    );
  });

  scenario.strategies.forEach((entry, index) => {
    const path: YamlPath = ["strategies", index];
    warnings.push(...checkStrategy(scenario, reader, root, entry.type, entry.options, path));
  });
  return warnings;
}

/**
 * Strategy entries that cannot work at all with this stream, source and run (thrown), and
 * options they ignore (returned as warnings).
 */
function checkStrategy(
  scenario: Scenario,
  reader: OptionReader,
  root: unknown,
  type: string,
  options: unknown,
  path: YamlPath,
): ScenarioWarning[] {
  const warnings: ScenarioWarning[] = [];
  const bitrate = scenario.stream.bitrateBitsPerSecond;
  const sourceUpload = scenario.source.uploadBitsPerSecond;
  const name = `${type} '${(rawAt(root, [...path, "name"]) as string | undefined) ?? type}'`;
  if (type === "tree-relay" || type === "striped") {
    const o = options as TreeRelayOptions | StripedOptions;
    // A back buffer only serves orphans that resume from it.
    if (o.resume === "jump-to-live" && rawAt(root, [...path, "backBuffer"]) !== undefined) {
      // A warning, not an error: a sweep or --set that toggles resume keeps the back buffer.
      warnings.push(
        reader.warningAt(
          [...path, "backBuffer"],
          "is ignored with resume: jump-to-live (set resume: back-buffer, or remove it)",
        ),
      );
    }
  }
  // With CDN edges to fall back on, a source without a slot still has viewers served.
  if (type === "tree-relay" && scenario.cdn === undefined) {
    const o = options as TreeRelayOptions;
    const slots = Math.min(
      o.sourceMaxChildren,
      Math.floor((o.slotUtilization * sourceUpload) / bitrate),
    );
    if (slots === 0) {
      throw reader.errorAt(
        ["source", "upload"],
        `${formatBitrate(sourceUpload)} gives ${name} no relay slot at the source ` +
          `(floor(${o.slotUtilization} x upload / ${formatBitrate(bitrate)}) = 0): no viewer can ` +
          `join; it needs at least ${formatBitrate(bitrate / o.slotUtilization)}`,
      );
    }
  }
  if (type === "striped" && scenario.cdn === undefined) {
    const o = options as StripedOptions;
    const k = o.codeParameters.k;
    const stripe = bitrate / k;
    const slots = Math.min(
      o.sourceMaxChildren,
      Math.floor((o.slotUtilization * sourceUpload) / stripe),
    );
    if (slots < k) {
      throw reader.errorAt(
        ["source", "upload"],
        `${formatBitrate(sourceUpload)} gives ${name} ${slots} stripe slot(s) at the source, ` +
          `fewer than the k = ${k} stripes a block needs: no viewer can decode; it needs at ` +
          `least ${formatBitrate((k * stripe) / o.slotUtilization)}`,
      );
    }
  }
  if (type === "minute-swarming") {
    const o = options as MinuteSwarmingOptions;
    if (o.sliceSeconds >= scenario.durationSeconds) {
      throw reader.errorAt(
        [...path, "sliceDuration"],
        `a ${formatSeconds(o.sliceSeconds)} slice leaves nothing to play in a ` +
          `${formatSeconds(scenario.durationSeconds)} run (viewers play at least one slice ` +
          "behind live)",
      );
    }
  }
  return warnings;
}
