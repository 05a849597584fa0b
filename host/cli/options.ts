/**
 * The command line from flag declarations (`host/exporters/catalog.ts`): Node's parseArgs, each
 * flag's text turned into the value its declaration says, and the usage lines.
 */
import type { Flag, FlagTypes, FlagValue } from '../exporters/catalog.ts';
import { UsageError, parseCommandLine } from './command.ts';

const COLUMN = 24;

type Flags = Readonly<Record<string, Flag>>;
/** Each flag's value, typed by its declaration (a flag with `choices` as one of them). */
type Values<F extends Flags> = { [K in keyof F]?: F[K] extends { choices: readonly (infer C)[] } ? C : FlagTypes[F[K]['type']] };

/** The flags given and the other arguments; a flag's text it does not take is a usage error. */
export function parseFlags<const F extends Flags>(argv: string[], flags: F): { values: Values<F>; positionals: string[] } {
  // parseArgs knows strings and switches; the other types are strings, some given more than once.
  const table: Record<string, { type: 'string' | 'boolean'; multiple: boolean }> = {};
  for (const [name, { type }] of Object.entries(flags)) {
    table[name] = { type: type === 'boolean' ? 'boolean' : 'string', multiple: type === 'strings' || type === 'pairs' };
  }
  const { values, positionals } = parseCommandLine(argv, table, true);
  return { values: Object.fromEntries(Object.entries(values).map(([name, text]) => [name, value(name, flags[name]!, text!)])) as Values<F>, positionals };
}

/** A flag's text as the value its type gives. */
function value(name: string, { type, choices, sep = '', same }: Flag, text: string | boolean | (string | boolean)[]): FlagValue {
  if (typeof text === 'boolean') return text;
  if (Array.isArray(text)) return type === 'pairs' ? Object.fromEntries(text.map((t) => pair(name, String(t), sep, same))) : text.map(String);
  if (choices !== undefined && !choices.includes(text)) throw new UsageError(`--${name} takes ${choices.join(', ')}, not '${text}'`);
  if (type !== 'number') return text;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} takes a non-negative number, not '${text}'`);
  return n;
}

function pair(name: string, text: string, sep: string, same?: boolean): [string, string] {
  const i = text.indexOf(sep);
  if (i < 0 && same) return [text, text];
  if (i <= 0) throw new UsageError(`--${name} takes A${sep}B, not '${text}'`);
  return [text.slice(0, i), text.slice(i + 1)];
}

/** Usage lines: the flag and its value's name, then its help in a column (continuation lines indented). */
export function flagUsage(flags: Flags): string[] {
  return Object.entries(flags).flatMap(([name, flag]) => column(`  --${name}${flag.arg === undefined ? '' : ` ${flag.arg}`}`, flag.help));
}

/** `  name  help`, the help starting at the usage column. */
export function column(head: string, help: string): string[] {
  const [first, ...rest] = help.split('\n');
  const pad = head.length < COLUMN - 1 ? ' '.repeat(COLUMN - head.length) : ' ';
  return [`${head}${pad}${first}`, ...rest.map((line) => `${' '.repeat(COLUMN)}${line}`)];
}
