/** A bad command-line argument: printed as one line, exit code 2. */
export class UsageError extends Error {}
