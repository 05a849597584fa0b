import { JavyLinkError, linkJavy } from '../javy/link.ts';
import { loadWasm } from '../node/load.ts';
import { inputAndOutput, parseCommandLine, writeModule, type Command } from './command.ts';

const OPTIONS = { out: { type: 'string', short: 'o' } } as const;

const usage = `usage: wasm-observe javy-link <in.wasm|in.wat> -o <out.wasm>

Rewrites a Javy-compiled module, or a Javy plugin, that runs wasm-observe's Javy binding: the
records it writes to stderr become calls to the dylibso:observe/api imports, so any Observe
host (this one, Dylibso's Rust and Go hosts) sees its spans, logs and metrics. Other stderr
output is unchanged.

options:
  -o, --out <file>   where to write the linked module (required)

A module already linked is refused (exit 1). A dynamically linked Javy module keeps fd_write
in its plugin: link the plugin (javy emit-plugin -o plugin.wasm) instead, then run the app
with wasm-observe run app.wasm --javy-plugin plugin.observe.wasm.`;

const javyLink: Command = {
  summary: 'Turn a Javy module using the wasm-observe binding into an Observe API module.',
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    const { input, out } = inputAndOutput(positionals, values.out);
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
    await writeModule(out, linked);
    const ms = (performance.now() - started).toFixed(0);
    process.stderr.write(`javy-link: ${input} (${bytes.length} bytes) → ${out} (${linked.length} bytes) in ${ms} ms\n`);
    return 0;
  },
};

export default javyLink;
