/**
 * How an exporter declares its command-line options, once: each flag with its usage text, the
 * values it takes, and how the parsed flags become the exporter's typed options. The CLI's usage
 * and parsing are generated from these declarations (`catalog/`), which load without the
 * exporters' own modules, so `wasm-observe run` loads only the exporters it is asked for.
 */
import type { TelemetryExporter } from './exporter.ts';

export interface Flag {
  /** `string` takes a value (`--flag <arg>`); `boolean` is a switch, with a `--no-` form. */
  type: 'string' | 'boolean';
  /** The flag may be given more than once. */
  multiple?: boolean;
  /** The value as the usage shows it: `<url>` shows as `--flag <url>`. */
  arg?: string;
  /** Usage text, including its default and the environment variable it overrides. */
  help: string;
  /** The only values it takes; any other is a usage error. */
  choices?: readonly string[];
  /** Its value is for one exporter only (a file two exporters would both write). */
  exclusive?: boolean;
}

export type FlagValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
export type Env = Record<string, string | undefined>;

export interface ExporterDeclaration<Options = unknown> {
  /** One line for the `--exporter` list: where telemetry goes and what environment it reads. */
  summary: string;
  flags?: Readonly<Record<string, Flag>>;
  /** The exporter's typed options from the parsed flags; defaults from `env` stay the exporter's. */
  options(flags: FlagValues, env: Env): Options;
  /** Loads the exporter's module and makes it; `undefined` for none. */
  create(options: Options): Promise<TelemetryExporter | undefined>;
}

/** Declares an exporter, keeping its options typed from `options` to `create`. */
export function declare<Options>(declaration: ExporterDeclaration<Options>): ExporterDeclaration<Options> {
  return declaration;
}

export function text(flags: FlagValues, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

export function texts(flags: FlagValues, name: string): string[] | undefined {
  const value = flags[name];
  return Array.isArray(value) ? value.map(String) : undefined;
}

export function bool(flags: FlagValues, name: string): boolean | undefined {
  const value = flags[name];
  return typeof value === 'boolean' ? value : undefined;
}

/** A flag with `choices`, already checked by the parser. */
export function choice<T extends string>(flags: FlagValues, name: string, _choices: readonly T[]): T | undefined {
  return text(flags, name) as T | undefined;
}

/** `A<sep>B` values as a record; a value without the separator is an {@link OptionError}. */
export function pairs(flags: FlagValues, name: string, sep: string): Record<string, string> | undefined {
  const values = texts(flags, name);
  return values && Object.fromEntries(values.map((value) => splitPair(value, sep, `--${name}`)));
}

export function splitPair(value: string, sep: string, flag: string): [string, string] {
  const i = value.indexOf(sep);
  if (i <= 0) throw new OptionError(`${flag} takes A${sep}B, not '${value}'`);
  return [value.slice(0, i), value.slice(i + 1)];
}

/** A flag value an exporter cannot use; the CLI reports it as a usage error. */
export class OptionError extends Error {}
