/** One `wasm-observe` subcommand. `run` resolves to the process exit code. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

/** Thrown for a bad command line: main prints the message and the usage, exits 2. */
export class UsageError extends Error {}
