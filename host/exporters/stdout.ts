/**
 * `stdout`: the text tree (`textTree`) written to the process's stderr by default, so it
 * never mixes with what the guest prints on stdout; coloured when stderr is a terminal. Written
 * synchronously as each trace ends; a failed write is reported like a file exporter's.
 */
import { textTree } from './text-tree.ts';
import { Delivery } from './delivery.ts';
import { LineWriter } from './line-writer.ts';

export interface StdoutOptions {
  /** Where the text goes. Default: the process's stderr. */
  write?: (text: string) => void;
  /** Items kept per trace for the tree; the rest are counted as not shown. Default 5000. */
  maxItems?: number;
  /** ANSI colours. Default: when writing to a terminal. */
  color?: boolean;
}

export class StdoutExporter extends Delivery {
  constructor(options: StdoutOptions = {}) {
    const stderr = options.write === undefined ? new LineWriter('-', 2) : undefined;
    const write = options.write ?? ((text: string) => stderr!.write(text));
    const color = options.color ?? (stderr !== undefined && process.stderr.isTTY === true);
    super({ ...textTree({ ...options, name: 'stdout', write, color }), out: stderr });
  }
}
