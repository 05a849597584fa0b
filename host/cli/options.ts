/**
 * Command-line flags from their declarations (`host/exporters/flags.ts`): the table Node's
 * parseArgs takes, the usage lines, and the check of flags that take only some values.
 */
import type { Flag, FlagValues } from '../exporters/flags.ts';
import { UsageError } from './command.ts';

const COLUMN = 24;

/** parseArgs' option table. */
export function parserOptions(flags: Readonly<Record<string, Flag>>): Record<string, { type: 'string' | 'boolean'; multiple: boolean }> {
  return Object.fromEntries(Object.entries(flags).map(([name, flag]) => [name, { type: flag.type, multiple: flag.multiple ?? false }]));
}

/** Usage lines: the flag and its value's name, then its help in a column (continuation lines indented). */
export function flagUsage(flags: Readonly<Record<string, Flag>>): string[] {
  return Object.entries(flags).flatMap(([name, flag]) => {
    const head = `  --${name}${flag.arg === undefined ? '' : ` ${flag.arg}`}`;
    return column(head, flag.help);
  });
}

/** `  name  help`, the help starting at the usage column. */
export function column(head: string, help: string): string[] {
  const [first, ...rest] = help.split('\n');
  const pad = head.length < COLUMN - 1 ? ' '.repeat(COLUMN - head.length) : ' ';
  return [`${head}${pad}${first}`, ...rest.map((line) => `${' '.repeat(COLUMN)}${line}`)];
}

/** A value outside a flag's `choices` is a usage error. */
export function checkChoices(values: FlagValues, flags: Readonly<Record<string, Flag>>): void {
  for (const [name, flag] of Object.entries(flags)) {
    const value = values[name];
    if (flag.choices === undefined || typeof value !== 'string' || flag.choices.includes(value)) continue;
    throw new UsageError(`--${name} takes ${flag.choices.join(', ')}, not '${value}'`);
  }
}
