/**
 * How the CLI runs a guest: on a worker thread, while the main thread builds and exports its
 * telemetry. A guest holds the thread it runs on until it returns, so on the main thread no
 * signal handler could run and an interrupted run would flush nothing. Here the main thread stays
 * free: it reads the guest's events from a shared ring as they happen (`event-ring.ts`), and on
 * SIGINT or SIGTERM asks the guest thread to stop at its next Observe call, or, if the guest makes
 * none within a second, terminates it. Either way every event already reported is in the trace,
 * open spans are closed with status ERROR `interrupted`, and the exporters flush.
 */
import { Worker } from 'node:worker_threads';
import type { SpanContext } from '@opentelemetry/api';
import type { Observer } from '../observer.ts';
import type { ClockMode } from '../abi/imports.ts';
import type { RunResult } from '../node/wasi.ts';
import { traceNameOf } from '../wasi.ts';
import { createRing, RingReader } from './event-ring.ts';
import { Interrupted } from '../events.ts';
import type { GuestThreadData, GuestThreadReport } from './worker.ts';

/** Exit codes for a run ended by a signal, as shells report them (128 + signal number). */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/** How long a guest that makes no Observe call may run on after a signal. */
const STOP_GRACE_MS = 1000;
/** How often the main thread reads the ring while the guest runs. */
const POLL_MS = 2;

/** What the guest runs with (posted to its thread as it is), and what the trace needs. */
export type GuestThreadOptions = GuestThreadData['run'] & {
  observer: Observer;
  parent?: SpanContext;
  maxStringBytes?: number;
  /** The clock mode of the guest thread's imports (see the Observer's `clock` option). */
  clock?: ClockMode;
};

export interface GuestThreadResult extends RunResult {
  /** The signal that stopped the guest, if one did. */
  signal?: StopSignal;
}

/**
 * Watches SIGINT and SIGTERM from now until the process exits. The first one calls `onStop`;
 * a second one exits at once with that signal's code (a user pressing Ctrl-C twice).
 */
export class SignalWatch {
  received: StopSignal | undefined;
  private onStop: (() => void) | undefined;

  constructor() {
    for (const signal of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) {
      process.on(signal, () => {
        if (this.received !== undefined) process.exit(SIGNAL_EXIT_CODES[signal]);
        this.received = signal;
        this.onStop?.();
      });
    }
  }

  /** Calls `fn` on the first signal (now, if one already came). */
  whenStopped(fn: (() => void) | undefined): void {
    this.onStop = fn;
    if (fn && this.received !== undefined) fn();
  }
}

/**
 * Starts the guest thread, which then waits for its guest: started first thing, it loads its code
 * while the main thread loads its own and compiles the guest. It keeps the process alive only once
 * it has a guest to run.
 *
 * Its code is the built `worker.js`, or, when the CLI runs from its TypeScript sources (tests,
 * `tsx host/cli/main.ts`), `worker.ts` behind tsx's loader, which Node 20 does not pass on to
 * worker threads by itself.
 */
export function startGuestThread(): Worker {
  let worker: Worker;
  if (!import.meta.url.endsWith('.ts')) worker = new Worker(new URL('./worker.js', import.meta.url));
  else {
    const source = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
    worker = new Worker(`import('tsx/esm/api').then((tsx) => tsx.register()).then(() => import(${source}))`, { eval: true });
  }
  worker.unref();
  return worker;
}

export async function runInGuestThread(
  worker: Worker,
  module: WebAssembly.Module,
  options: GuestThreadOptions,
  signals: SignalWatch,
): Promise<GuestThreadResult> {
  const { observer, parent, maxStringBytes, clock, ...run } = options;
  // Every string a guest may send fits whole, with room for many more behind it.
  const ring = createRing(Math.max(8 << 20, 16 * (maxStringBytes ?? 64 * 1024)));
  const reader = new RingReader(ring);
  observer.useModule(module);
  // Started here, before the guest thread exists, so every guest event falls inside the trace.
  observer.startTrace(traceNameOf(run), parent);
  const data: GuestThreadData = { module, ring, maxStringBytes, clock, run };
  worker.ref();
  worker.postMessage(data);
  const poll = setInterval(() => reader.drain(observer.events), POLL_MS);
  let kill: ReturnType<typeof setTimeout> | undefined;
  signals.whenStopped(() => {
    reader.requestStop();
    kill ??= setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
  });
  let report: GuestThreadReport | undefined;
  let failure: Error | undefined;
  try {
    await new Promise<void>((resolve) => {
      worker.on('message', (message: GuestThreadReport) => (report = message));
      worker.on('error', (err) => (failure = err));
      worker.on('exit', () => resolve());
    });
  } finally {
    clearInterval(poll);
    clearTimeout(kill);
    signals.whenStopped(undefined);
  }
  reader.drain(observer.events);
  const signal = signals.received;
  if (signal !== undefined && (report === undefined || report.interrupted)) {
    observer.finishTrace(new Interrupted());
    return { exitCode: SIGNAL_EXIT_CODES[signal], error: new Interrupted(), signal };
  }
  if (report === undefined) {
    const error = failure ?? new Error('the guest thread ended without a result');
    observer.finishTrace(error);
    return { exitCode: 1, error };
  }
  if (report.error !== undefined) {
    const error = Object.assign(new Error(report.error.message), { name: report.error.name, stack: report.error.stack });
    observer.finishTrace(error);
    return { exitCode: report.exitCode, error };
  }
  observer.finishTrace();
  return { exitCode: report.exitCode, returnValue: report.returnValue };
}
