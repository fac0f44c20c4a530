/**
 * A one-line progress bar on a terminal (stderr). Silent when stderr is not a TTY, so logs and
 * CI output stay clean.
 */
export class ProgressBar {
  private readonly enabled: boolean;
  private label = "";
  private lastDrawn = -1;

  constructor(enabled: boolean) {
    this.enabled = enabled && process.stderr.isTTY === true;
  }

  /** Starts a new labelled bar. */
  begin(label: string): void {
    this.label = label;
    this.lastDrawn = -1;
    this.update(0);
  }

  /** Draws the bar at `fraction` (0..1), at most once per percent. */
  update(fraction: number): void {
    if (!this.enabled) return;
    const percent = Math.max(0, Math.min(100, Math.floor(fraction * 100)));
    if (percent === this.lastDrawn) return;
    this.lastDrawn = percent;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
    process.stderr.write(
      `\r${this.label.padEnd(24).slice(0, 24)} [${bar}] ${String(percent).padStart(3)}%`,
    );
  }

  /** Clears the line. */
  end(): void {
    if (this.enabled) process.stderr.write(`\r${" ".repeat(64)}\r`);
  }
}
