/**
 * `stdout`: the text tree (`TextTreeExporter`) written to the process's stderr by default, so it
 * never mixes with what the guest prints on stdout; coloured when stderr is a terminal.
 */
import { TextTreeExporter } from './text-tree.ts';

export interface StdoutOptions {
  /** Where the text goes. Default: the process's stderr. */
  write?: (text: string) => void;
  /** Items kept per trace for the tree; the rest are counted as not shown. Default 5000. */
  maxItems?: number;
  /** ANSI colours. Default: when writing to a terminal. */
  color?: boolean;
}

export class StdoutExporter extends TextTreeExporter {
  constructor(options: StdoutOptions = {}) {
    super({
      name: 'stdout',
      write: options.write ?? ((text) => process.stderr.write(text)),
      maxItems: options.maxItems,
      color: options.color ?? (options.write === undefined && process.stderr.isTTY === true),
    });
  }
}
