import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

let counter = 0;

/**
 * Writes a file through a temporary file in the same directory and a rename, so readers never
 * see a half-written figure or report.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  counter += 1;
  const temp = join(dirname(path), `.tmp-${basename(path)}-${process.pid}-${counter}`);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
