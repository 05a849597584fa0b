import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One `wasm-observe` subcommand. `run` resolves to the process exit code. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

/** Thrown for a bad command line: main prints the message and the usage, exits 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; allowNegative: boolean; options: O }>
>;

/**
 * Node's parseArgs with positionals allowed (and `--no-<flag>` with `allowNegative`); a bad flag
 * becomes a {@link UsageError}.
 */
export function parseCommandLine<const O extends Options>(argv: string[], options: O, allowNegative = false): Parsed<O> {
  try {
    return parseArgs({ args: argv, allowPositionals: true, allowNegative, options });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The `<in.wasm> -o <out.wasm>` of a command that rewrites one module. */
export function inputAndOutput(positionals: string[], out: string | undefined): { input: string; out: string } {
  const [input, ...extra] = positionals;
  if (input === undefined) throw new UsageError('missing <in.wasm>');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (out === undefined) throw new UsageError('missing -o <out.wasm>');
  return { input, out };
}
