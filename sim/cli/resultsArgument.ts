import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { readResults } from "../../analysis/readResults.ts";
import type { Results } from "../../analysis/types.ts";
import { UsageError } from "./usageError.ts";

/**
 * Reads the results directory `dir` named by the command line argument `argument` (e.g.
 * `dirs[1]`), turning every problem into a one-line {@link UsageError} (exit 2) that names the
 * directory and the argument.
 */
export async function readResultsArgument(dir: string, argument: string): Promise<Results> {
  if (dir.trim() === "") throw new UsageError(`${argument}: the results directory is empty`);
  if (!existsSync(dir)) {
    throw new UsageError(
      `${dir}: ${argument}: no such directory (write one with 'sim run SCENARIO --out ${dir}')`,
    );
  }
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir}: ${argument}: not a directory`);
  if (!existsSync(join(dir, "summary.json"))) {
    throw new UsageError(`${dir}: ${argument}: not a results directory (no summary.json)`);
  }
  try {
    return await readResults(dir);
  } catch (error) {
    throw new UsageError(`${argument}: ${(error as Error).message.split("\n")[0]}`);
  }
}
