import yargs from "yargs";
import { ResultFileError } from "../results/validate.ts";
import { adoptLauncher } from "../run/launcher.ts";
import { OutputDirectoryError } from "../run/outputDirectory.ts";
import { ScenarioError } from "../scenario/reader.ts";
import type { SimCommand } from "./command.ts";
import { experimentCommands } from "./commands/index.ts";
import { compareCommand } from "./compareCommand.ts";
import { plotCommand } from "./plotCommand.ts";
import { runCommand } from "./runCommand.ts";
import { strategiesCommand } from "./strategiesCommand.ts";
import { UsageError } from "./usageError.ts";

/** The subcommands of `sim`, in the order `sim --help` lists them. One line per command. */
export const COMMANDS: readonly SimCommand[] = [
  runCommand,
  plotCommand,
  compareCommand,
  strategiesCommand,
];

/** Errors that are the user's input (scenario, arguments, directories): exit 2. */
function isInputError(error: unknown): boolean {
  return (
    error instanceof ScenarioError ||
    error instanceof UsageError ||
    error instanceof OutputDirectoryError ||
    error instanceof ResultFileError
  );
}

/**
 * Runs the `sim` command line with `argv` (without node and script) and returns the exit code:
 * 0 on success, 2 for a bad scenario, bad arguments or an unusable directory, 1 for any other
 * failure.
 */
export async function main(argv: string[]): Promise<number> {
  adoptLauncher();
  let exitCode = 0;
  let parser = yargs(argv).scriptName("sim").strict();
  for (const command of COMMANDS) {
    parser = parser.command(command.command, command.describe, command.builder, async (args) => {
      exitCode = await command.run(args);
    });
  }
  // sweep, merge and check register themselves.
  parser = experimentCommands(parser, (code) => {
    exitCode = code;
  });
  parser = parser
    .demandCommand(1, "name a command, e.g. sim run scenarios/high-churn.yaml")
    .fail((message, error) => {
      // yargs's own complaints (a missing value, an unknown flag) are usage errors; anything
      // else was thrown by a command and keeps its kind.
      throw error === undefined || error?.name === "YError" ? new UsageError(message) : error;
    })
    .help();
  try {
    await parser.parseAsync();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`sim: ${message.split("\n")[0]}\n`);
    return isInputError(error) ? 2 : 1;
  }
  return exitCode;
}
