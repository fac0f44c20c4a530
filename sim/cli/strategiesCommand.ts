import { STRATEGIES } from "../strategies/index.ts";
import type { SimCommand } from "./command.ts";

/** `sim strategies`: lists the strategy types a scenario can name. */
export const strategiesCommand: SimCommand = {
  command: "strategies",
  describe: "list the strategy types a scenario can use",
  builder: (y) => y,
  run: async () => {
    for (const [type, definition] of STRATEGIES)
      process.stdout.write(`${type.padEnd(16)} ${definition.description}\n`);
    return 0;
  },
};
