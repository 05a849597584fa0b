/**
 * The runtime scenario in workerd, Cloudflare's Workers runtime: bundled with the root entry and
 * `@bjorn3/browser_wasi_shim`; the guests are `.wasm` modules of the Worker, because workerd
 * compiles no Wasm from bytes at run time. `GET /?collector=<url>` answers with the report.
 */
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim';
import * as core from '../../host/index.ts';
import handler from './handler.wasm';
import trap from './trap.wasm';
import example from './example.wasm';
import { runScenario } from './scenario.ts';

export default {
  async fetch(request: Request): Promise<Response> {
    const collector = new URL(request.url).searchParams.get('collector') ?? '';
    const report = await runScenario({
      core,
      guests: { handler, trap, example },
      wasi: (args, print) =>
        new WASI(args, [], [new OpenFile(new File([])), ConsoleStdout.lineBuffered(print), ConsoleStdout.lineBuffered(print)], { debug: false }),
      collector,
      protocol: 'http/json',
    });
    return Response.json(report);
  },
};
