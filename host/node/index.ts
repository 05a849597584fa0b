/** Node-specific parts of the host: the WASI runner, file exporters, the demangler. */
export { runWasi, loadModule, type RunOptions, type RunResult } from './wasi.ts';
export { loadDemangler } from './demangle.ts';
export { loadWasm, watToWasm } from './load.ts';
export { StdoutExporter, type StdoutOptions } from '../exporters/stdout.ts';
export { OtlpJsonlExporter, type OtlpJsonlOptions } from '../exporters/otlp-jsonl.ts';
export { createExporters, EXPORTERS, type ExporterConfig } from '../exporters/registry.ts';
