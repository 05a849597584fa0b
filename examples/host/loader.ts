/**
 * An AssemblyScript module loaded with @assemblyscript/loader, traced by an Observer. The loader
 * adds its own `env` imports (abort, trace, seed) to the object it is given, so the Observe
 * imports go into that object; after instantiation the Observer is bound to the module's memory.
 * Strings go in with `__newString` and come back with `__getString`, which need the module built
 * with `--exportRuntime`:
 *
 *   (cd examples/assemblyscript && npx asc greeter.ts --exportRuntime -o ../../build/greeter.wasm)
 *   npx tsx examples/host/loader.ts build/greeter.wasm [trace.jsonl]
 *
 * In your project, import from 'wasm-observe' and 'wasm-observe/node' instead.
 */
import { instantiate } from '@assemblyscript/loader';
import { readFile } from 'node:fs/promises';
import { Observer } from '../../host/index.ts';
import { OtlpJsonlExporter, StdoutExporter } from '../../host/node/index.ts';

/** The module's own exports: managed strings are pointers into its memory. */
type Greeter = { greet(name: number): number };

const [wasm = 'build/greeter.wasm', out = 'trace.jsonl'] = process.argv.slice(2);
const observer = new Observer({
  serviceName: 'loader-example',
  exporters: [new StdoutExporter(), new OtlpJsonlExporter({ path: out })],
});

const module = await WebAssembly.compile(await readFile(wasm));
const { instance, exports } = await instantiate<Greeter>(module, { ...observer.imports(module) });
observer.bind(instance);

for (const name of ['Ada', 'Zoë', '']) {
  // No AssemblyScript code runs between __newString and greet, so the string cannot be collected.
  const greeting = await observer.trace(`greet '${name}'`, () => exports.__getString(exports.greet(exports.__newString(name))));
  console.log(greeting);
}

await observer.shutdown(); // flushes every exporter
console.log(`OTLP JSON lines written to ${out}`);
