/**
 * The CLI's guest thread: runs the WASI guest with the Observe imports and writes every decoded
 * event into the shared ring; the main thread builds and exports the traces (see
 * `guest-thread.ts`). Once the main thread asks it to stop, the next Observe call throws
 * {@link Interrupted} into the guest, which unwinds it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Observer } from '../observer.ts';
import { runWasi, type RunOptions } from '../node/wasi.ts';
import { Interrupted, RingWriter, type RingBuffers } from './event-ring.ts';
import { eventRecords } from '../events.ts';
import type { ClockMode } from '../abi/imports.ts';
import { silenceWasiWarning } from './warnings.ts';

export interface GuestThreadData {
  module: WebAssembly.Module;
  ring: RingBuffers;
  run: Pick<RunOptions, 'args' | 'programName' | 'env' | 'preopens' | 'invoke' | 'traceName' | 'javyPlugin'>;
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

type HostFunction = (a?: unknown, b?: unknown, c?: unknown) => void;

/** An Observer whose guest calls go to the ring, each first checking for a stop request. */
class GuestThreadObserver extends Observer {
  private wrapped: WebAssembly.Imports | undefined;
  constructor(
    private readonly ring: RingWriter,
    maxStringBytes: number | undefined,
    clock: ClockMode | undefined,
  ) {
    super({ eventSink: eventRecords((event) => ring.handle(event)), maxStringBytes, clock });
  }

  override imports(module?: WebAssembly.Module): WebAssembly.Imports {
    const imports = super.imports(module);
    return (this.wrapped ??= stoppable(imports, this.ring));
  }
}

function stoppable(imports: WebAssembly.Imports, ring: RingWriter): WebAssembly.Imports {
  const out: WebAssembly.Imports = {};
  for (const [namespace, functions] of Object.entries(imports)) {
    const wrapped: Record<string, HostFunction> = {};
    for (const [name, fn] of Object.entries(functions)) {
      const call = fn as HostFunction;
      // Every Observe import takes at most three arguments.
      wrapped[name] = (a, b, c) => {
        if (ring.stopRequested) throw new Interrupted();
        call(a, b, c);
      };
    }
    out[namespace] = wrapped;
  }
  return out;
}

async function main(): Promise<void> {
  silenceWasiWarning();
  const data = workerData as GuestThreadData;
  const ring = new RingWriter(data.ring);
  const observer = new GuestThreadObserver(ring, data.maxStringBytes, data.clock);
  const result = await runWasi(data.module, { ...data.run, observer });
  const report: GuestThreadReport = { exitCode: result.exitCode, interrupted: result.error instanceof Interrupted || ring.stopRequested };
  if (result.error !== undefined) {
    const error = result.error instanceof Error ? result.error : new Error(String(result.error));
    report.error = { name: error.name, message: error.message, stack: error.stack };
  }
  if (result.returnValue !== undefined) report.returnValue = result.returnValue;
  parentPort!.postMessage(report);
}

await main();
