import { InstrumentError, instrument } from '../tools/instrument.ts';
import { SMALL_LEAF } from '../tools/instrument-record.ts';
import { loadWasm } from '../node/load.ts';
import { inputAndOutput, parseCommandLine, writeModule, type Command } from './command.ts';

const OPTIONS = {
  out: { type: 'string', short: 'o' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'exported-only': { type: 'boolean' },
  legacy: { type: 'boolean' },
  'no-memory-grow': { type: 'boolean' },
  'no-imports': { type: 'boolean' },
  'all-functions': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

const usage = `usage: wasm-observe instrument <in.wasm|in.wat> -o <out.wasm> [options]

Adds automatic instrumentation: every selected function calls
dylibso:observe/instrument enter(index) on entry and exit(index) on every return, calls to
imported functions are reported the same way, and each
memory.grow reports its delta through memory-grow. Run the result with 'wasm-observe run' or
any Observe host; spans are named from the module's name section.

options:
  -o, --out <file>        where to write the instrumented module (required)
  --include <glob>        instrument only functions whose name matches (repeatable; * and ?)
  --exclude <glob>        never instrument functions whose name matches (repeatable)
  --exported-only         instrument only exported functions
  --legacy                import dylibso_observe.instrument_* (old Go hosts; Dylibso's Rust
                          host refuses these)
  --no-memory-grow        leave memory.grow alone
  --all-functions         also instrument small leaf functions (no calls, no loops, no
                          memory.grow, at most ${SMALL_LEAF} instructions), left out by default:
                          they finish far below the host's 20 µs span filter
  --no-imports            leave calls to imported functions alone (by default each call to an
                          import other than the Observe API, such as WASI fd_write, is a span
                          named module.name, so time spent in the host shows)
  -q, --quiet             print nothing on success

A module that is already instrumented, does not validate, or uses features binaryen cannot
read is refused (exit 1) and nothing is written.`;

const command: Command = {
  summary: 'Instrument a module so every function call becomes a span (binaryen).',
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS);
    const { input, out } = inputAndOutput(positionals, values.out);
    const bytes = await loadWasm(input);
    const started = performance.now();
    let result;
    try {
      result = await instrument(bytes, {
        include: values.include,
        exclude: values.exclude,
        exportedOnly: values['exported-only'],
        legacy: values.legacy,
        memoryGrow: !values['no-memory-grow'],
        imports: !values['no-imports'],
        allFunctions: values['all-functions'],
      });
    } catch (err) {
      if (!(err instanceof InstrumentError)) throw err;
      process.stderr.write(`wasm-observe instrument: ${input}: ${err.message}\n`);
      return 1;
    }
    await writeModule(out, result.bytes);
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    if (!values.quiet) {
      const ms = (performance.now() - started).toFixed(0);
      process.stderr.write(
        `instrumented ${result.instrumented.size} functions, ${result.wrappedImports.size} imports and ${result.memoryGrowSites} memory.grow sites ` +
          `(${result.smallLeaves} small leaf functions left out): ` +
          `${input} (${bytes.length} bytes) → ${out} (${result.bytes.length} bytes) in ${ms} ms\n`,
      );
    }
    return 0;
  },
};

export default command;
