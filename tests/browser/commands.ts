/**
 * Node-side commands the browser tests call (vitest browser mode runs them in the test runner's
 * process): build the guests, bundle an entry as a user's bundler would, and run the loopback
 * server that serves both and receives OTLP.
 */
import type { BrowserCommand } from 'vitest/node';
import { buildGuests, bundle } from '../runtimes/prepare.ts';
import { Receiver } from '../runtimes/receiver.ts';

let receiver: Promise<Receiver> | undefined;

export interface Served {
  /** The loopback server: guests and bundles under it, OTLP/HTTP to it. */
  base: string;
  /** The bundle's file name under `base`. */
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** Bundles `entry` for the browser and serves it beside the guests. */
export const serveBundle: BrowserCommand<[entry: string, file: string]> = async (_context, entry, file): Promise<Served> => {
  const server = await (receiver ??= buildGuests().then(() => new Receiver().start()));
  const size = await bundle(entry, file);
  return { base: server.url, file, ...size };
};

/** What the loopback collector decoded so far. */
export const collected: BrowserCommand<[]> = async () => (await receiver)?.decoded();

/** Stops the server, so the test run can end. */
export const stopServer: BrowserCommand<[]> = async () => {
  const server = receiver;
  receiver = undefined;
  await (await server)?.stop();
};

declare module 'vitest/browser' {
  interface BrowserCommands {
    serveBundle(entry: string, file: string): Promise<Served>;
    collected(): Promise<ReturnType<Receiver['decoded']>>;
    stopServer(): Promise<void>;
  }
}
