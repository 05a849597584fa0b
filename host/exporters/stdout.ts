/**
 * `stdout`: the text tree (`TextTreeExporter`) written to the process's stderr by default, so it
 * never mixes with what the guest prints on stdout; coloured when stderr is a terminal. Written
 * synchronously as each trace ends; a failed write is reported like a file exporter's.
 */
import { TextTreeExporter } from './text-tree.ts';
import { WriteError, type ExportStats } from './exporter.ts';
import { LineWriter } from './line-writer.ts';

export interface StdoutOptions {
  /** Where the text goes. Default: the process's stderr. */
  write?: (text: string) => void;
  /** Items kept per trace for the tree; the rest are counted as not shown. Default 5000. */
  maxItems?: number;
  /** ANSI colours. Default: when writing to a terminal. */
  color?: boolean;
}

export class StdoutExporter extends TextTreeExporter {
  private readonly stderr: LineWriter | undefined;

  constructor(options: StdoutOptions = {}) {
    const stderr = options.write === undefined ? new LineWriter('-', 2) : undefined;
    super({
      name: 'stdout',
      write: options.write ?? ((text) => stderr!.write(text)),
      maxItems: options.maxItems,
      color: options.color ?? (options.write === undefined && process.stderr.isTTY === true),
    });
    this.stderr = stderr;
  }

  override async shutdown(): Promise<void> {
    await super.shutdown();
    if (this.stderr?.error !== undefined) throw new WriteError(`stdout: cannot write ${this.stderr.error}`);
  }

  override stats(): ExportStats {
    const stats = super.stats();
    return this.stderr?.error === undefined ? stats : { ...stats, writeError: this.stderr.error };
  }
}
