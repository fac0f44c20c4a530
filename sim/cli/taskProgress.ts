/**
 * Progress of a batch of tasks on a terminal (stderr): done/total, a bar and an ETA from the
 * mean pace so far. Silent when stderr is not a TTY. The wall clock is read here, in the CLI,
 * never in the model.
 */
export class TaskProgress {
  private readonly enabled: boolean;
  private readonly label: string;
  private readonly startedMillis = Date.now();

  constructor(enabled: boolean, label: string) {
    this.enabled = enabled && process.stderr.isTTY === true;
    this.label = label;
  }

  /** Redraws after `done` of `total` tasks have finished. */
  update(done: number, total: number): void {
    if (!this.enabled || total === 0) return;
    const width = 30;
    const filled = Math.round((done / total) * width);
    const elapsed = (Date.now() - this.startedMillis) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
    const etaText = Number.isFinite(eta) ? `ETA ${formatSeconds(eta)}` : "ETA -";
    process.stderr.write(
      `\r${this.label.slice(0, 20).padEnd(20)} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ` +
        `${done}/${total} ${etaText}   `,
    );
  }

  /** Clears the line. */
  end(): void {
    if (this.enabled) process.stderr.write(`\r${" ".repeat(78)}\r`);
  }
}

/** 75 -> "1m15s", 4000 -> "1h06m". */
export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
