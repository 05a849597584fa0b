/**
 * Lines to a file or a standard stream, written synchronously. A guest holds the thread while it
 * runs, so an asynchronous stream would only queue its writes in memory until the guest ends;
 * writing in place keeps memory bounded however long the run, and every line is complete on
 * disk as soon as it is written. The first failure (open or write) is kept as `path: reason`;
 * later lines are refused so the file never holds a torn or duplicated line after an error.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { errorText } from './retry.ts';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export class LineWriter {
  /** The path as given, or `standard output` / `standard error`. */
  readonly path: string;
  private fd: number | undefined;
  private readonly owned: boolean;
  private failure: string | undefined;

  /** `path` `-` means a standard stream: output (1) or error (2). */
  constructor(path: string, standard: 1 | 2 = 1) {
    this.owned = path !== '-';
    this.path = this.owned ? path : standard === 1 ? 'standard output' : 'standard error';
    try {
      this.fd = this.owned ? openSync(path, 'a') : standard;
    } catch (err) {
      this.fail(err);
    }
  }

  /** `path: reason` of the first failure, if any. */
  get error(): string | undefined {
    return this.failure;
  }

  /** Writes all of `data`; false when it could not (now or after an earlier failure). */
  write(data: string | Uint8Array): boolean {
    if (this.fd === undefined || this.failure !== undefined) return false;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(this.fd, bytes, offset);
      } catch (err) {
        // A non-blocking pipe whose reader is behind: wait for it, as a blocking write would.
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(sleeper, 0, 0, 1);
          continue;
        }
        this.fail(err);
        return false;
      }
    }
    return true;
  }

  close(): void {
    if (this.owned && this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch (err) {
        this.fail(err);
      }
    }
    this.fd = undefined;
  }

  private fail(err: unknown): void {
    this.failure ??= `${this.path}: ${errorText(err)}`;
  }
}
