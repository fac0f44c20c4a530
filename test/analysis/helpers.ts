import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { labelRuns } from "../../analysis/labels.ts";
import { readResults } from "../../analysis/readResults.ts";
import type { Results } from "../../analysis/types.ts";

export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
export const RUN_A = join(FIXTURES, "run-a");
export const RUN_B = join(FIXTURES, "run-b");

/** The two fixture runs, labelled as a comparison would label them. */
export async function loadFixtures(): Promise<{ a: Results; b: Results; both: Results[] }> {
  const a = await readResults(RUN_A);
  const b = await readResults(RUN_B);
  return { a, b, both: labelRuns([a, b]) };
}

/** A fresh temporary copy of a fixture directory (tests write plots into it). */
export function copyFixture(dir: string, name = "run"): string {
  const root = mkdtempSync(join(tmpdir(), "peercast-analysis-"));
  const target = join(root, name);
  cpSync(dir, target, { recursive: true });
  return target;
}

/**
 * Checks that markup is well-formed XML as far as figures go: balanced tags, quoted
 * attributes, escaped ampersands. Throws with the offending spot.
 */
export function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(xml); m !== null; m = tag.exec(xml)) {
    const between = xml.slice(last, m.index);
    if (between.includes("<")) throw new Error(`malformed markup near: ${between.slice(0, 80)}`);
    if (/&(?!(amp|lt|gt|quot|#\d+);)/.test(between)) throw new Error(`unescaped & in: ${between}`);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (selfClosing) continue;
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else stack.push(name);
  }
  if (xml.slice(last).includes("<")) throw new Error("trailing malformed markup");
  if (stack.length > 0) throw new Error(`unclosed <${stack.join("> <")}>`);
}

/** The `data-domain` of every x and y axis, panel by panel, as numbers. */
export function axisDomains(
  svg: string,
): { x: [number, number] | null; y: [number, number] | null }[] {
  return svg
    .split('<g class="panel"')
    .slice(1)
    .map((panel) => {
      const get = (axis: string): [number, number] | null => {
        const m = panel.match(new RegExp(`class="axis ${axis}" data-domain="([^"]*)"`));
        if (!m) return null;
        const [lo, hi] = m[1].split(",").map(Number);
        return [lo, hi];
      };
      return { x: get("x"), y: get("y") };
    });
}

/** Opening tags of marks (class "mark ...") with their attributes. */
export function marks(svg: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of svg.matchAll(/<[a-z]+ ((?:[\w:-]+="[^"]*"\s*)*)\/?>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    if ((attrs.class ?? "").split(" ").includes("mark")) out.push(attrs);
  }
  return out;
}

/** Asserts a closed interval covers values (with the rounding of SVG output). */
export function covers(domain: [number, number] | null, values: number[]): boolean {
  if (!domain) return false;
  const eps = 0.006;
  return values.every((v) => v >= domain[0] - eps && v <= domain[1] + eps);
}
