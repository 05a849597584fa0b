/**
 * The CLI's guest thread: runs the WASI guest with the Observe imports and writes every decoded
 * event into the shared ring; the main thread builds and exports the traces (see
 * `guest-thread.ts`). Once the main thread asks it to stop, the ring writer throws
 * {@link Interrupted} at the next Observe call, and the imports let it through to unwind the guest.
 */
import { parentPort } from 'node:worker_threads';
import { runWasi, type RunOptions } from '../node/wasi.ts';
import { RingWriter, type RingBuffers } from './event-ring.ts';
import { Interrupted, now } from '../events.ts';
import { GuestBinding } from '../abi/guest.ts';
import type { GuestHost } from '../wasi.ts';
import type { ClockMode } from '../abi/imports.ts';
import { silenceWasiWarning } from './warnings.ts';

export interface GuestThreadData {
  module: WebAssembly.Module;
  ring: RingBuffers;
  run: Pick<RunOptions, 'args' | 'programName' | 'env' | 'preopens' | 'invoke' | 'javyPlugin'>;
  maxStringBytes?: number;
  clock?: ClockMode;
}

/** What the guest thread reports when the guest has ended. */
export interface GuestThreadReport {
  exitCode: number;
  interrupted: boolean;
  error?: { name: string; message: string; stack?: string };
  returnValue?: unknown;
}

/**
 * The guest's side of an Observer, without one: its imports decode guest calls into the ring.
 * Traces are the main thread's; this thread loads no OpenTelemetry code, so it starts quickly.
 */
class GuestThreadHost implements GuestHost {
  private readonly binding: GuestBinding;

  constructor(ring: RingWriter, maxStringBytes: number | undefined, clock: ClockMode | undefined) {
    this.binding = new GuestBinding(ring, { maxStringBytes, clock });
  }

  imports(): WebAssembly.Imports {
    return this.binding.imports;
  }

  instantiate(module: WebAssembly.Module, imports: WebAssembly.Imports = {}): Promise<WebAssembly.Instance> {
    return this.binding.instantiate(module, { ...this.binding.imports, ...imports });
  }

  startTrace(): void {
    this.binding.startAt(now());
  }

  finishTrace(): void {}
}

async function main(data: GuestThreadData): Promise<void> {
  silenceWasiWarning();
  const ring = new RingWriter(data.ring);
  const observer = new GuestThreadHost(ring, data.maxStringBytes, data.clock);
  const result = await runWasi(data.module, { ...data.run, observer });
  const report: GuestThreadReport = { exitCode: result.exitCode, interrupted: result.error instanceof Interrupted || ring.stopRequested };
  if (result.error !== undefined) {
    const error = result.error instanceof Error ? result.error : new Error(String(result.error));
    report.error = { name: error.name, message: error.message, stack: error.stack };
  }
  if (result.returnValue !== undefined) report.returnValue = result.returnValue;
  parentPort!.postMessage(report);
}

// The guest comes in the first message: the thread starts before the main thread has it.
parentPort!.once('message', (data: GuestThreadData) => void main(data));
