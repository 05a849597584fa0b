import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { JavyLinkError, linkJavy } from '../../bindings/javy/link.ts';
import { loadWasm } from '../node/load.ts';
import { UsageError, type Command } from './command.ts';

const usage = `usage: wasm-observe javy-link <in.wasm|in.wat> -o <out.wasm>

Rewrites a Javy-compiled module that uses wasm-observe's Javy binding: the records it writes
to stderr become calls to the dylibso:observe/api imports, so any Observe host (this one,
Dylibso's Rust and Go hosts) sees its spans, logs and metrics. Other stderr output is unchanged.

options:
  -o, --out <file>   where to write the linked module (required)

A module already linked is refused (exit 1). A dynamically linked Javy module keeps fd_write
in its plugin: link the plugin (javy emit-plugin -o plugin.wasm) instead.`;

const javyLink: Command = {
  summary: 'Turn a Javy module using the wasm-observe binding into an Observe API module.',
  usage,
  async run(argv) {
    const { values, positionals } = parse(argv);
    const [input, ...extra] = positionals;
    if (input === undefined) throw new UsageError('missing <in.wasm>');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    if (values.out === undefined) throw new UsageError('missing -o <out.wasm>');
    const bytes = await loadWasm(input);
    const started = performance.now();
    let linked: Uint8Array;
    try {
      linked = await linkJavy(bytes);
    } catch (err) {
      if (!(err instanceof JavyLinkError)) throw err;
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    await writeFile(values.out, linked);
    const ms = (performance.now() - started).toFixed(0);
    process.stderr.write(`javy-link: ${input} (${bytes.length} bytes) → ${values.out} (${linked.length} bytes) in ${ms} ms\n`);
    return 0;
  },
};

export default javyLink;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string', short: 'o' } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
