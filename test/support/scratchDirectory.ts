import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll } from "vitest";

/** The repository's root directory (where `bin/sim.js` and `scenarios/` are). */
export const REPO_ROOT = resolve(import.meta.dirname, "../..");

/**
 * A temporary directory for the tests of one file, holding `files` (name -> text); made when
 * the file is collected and removed after its tests. Returns its path.
 */
export function scratchDirectory(prefix: string, files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/**
 * The temporary and set-aside directories (`.tmp-*`, `.old-*`) a results write left in
 * `parent`: none once a run has ended, however it ended.
 */
export function leftovers(parent: string): string[] {
  return existsSync(parent) ? readdirSync(parent).filter((name) => /^\.(tmp|old)-/.test(name)) : [];
}
