import type { Argv } from "yargs";

/**
 * One `sim` subcommand: its yargs syntax and what it does. Each lives in a file of its own and
 * is listed in `main.ts`'s {@link COMMANDS}.
 */
export interface SimCommand {
  /** yargs command syntax, e.g. `run <scenario>`. */
  command: string;
  /** One line for `sim --help`. */
  describe: string;
  /** Declares the positionals and options. */
  builder: (yargs: Argv) => Argv;
  /** Runs the command with the parsed arguments and returns the exit code. */
  run: (args: Record<string, unknown>) => Promise<number>;
}
