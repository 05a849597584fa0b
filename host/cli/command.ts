import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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

/** The one `<module.wasm>` a command reads. */
export function singleInput(positionals: string[], name = '<in.wasm>'): string {
  const [input, ...extra] = positionals;
  if (input === undefined) throw new UsageError(`missing ${name}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  return input;
}

/** The `<in.wasm> -o <out.wasm>` of a command that rewrites one module. */
export function inputAndOutput(positionals: string[], out: string | undefined): { input: string; out: string } {
  const input = singleInput(positionals);
  if (out === undefined) throw new UsageError('missing -o <out.wasm>');
  return { input, out };
}

/** Writes beside the target and renames: a failed write never leaves half a module behind. */
export async function writeModule(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}
