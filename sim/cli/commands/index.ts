import type { Argv } from "yargs";
import { checkCommand } from "./check.ts";
import { sweepCommands } from "./sweep.ts";

/** Registers the experiment commands (`sweep`, `merge`, `check`) on the `sim` parser. */
export function experimentCommands(y: Argv, setExitCode: (code: number) => void): Argv {
  return checkCommand(sweepCommands(y, setExitCode), setExitCode);
}
