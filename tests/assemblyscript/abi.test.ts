/**
 * The guest library and the host agree on the ABI: the library's enum numbers and the imports
 * it emits are checked against host/abi/spec.ts, the host's single definition.
 */
import { describe, expect, it } from 'vitest';
import { IMPORTS, LogLevel, MetricFormat, API_MODULE } from '../../host/abi/spec.ts';
import wabt from 'wabt';
import { compile, ENV } from './asc.ts';

async function toWat(binary: Uint8Array): Promise<string> {
  const module = (await wabt()).readWasm(binary, { readDebugNames: false });
  return module.toText({});
}

const imports = (binary: Uint8Array) => WebAssembly.Module.imports(new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>));

describe('AssemblyScript library vs host/abi/spec.ts', () => {
  it('numbers log levels and metric formats as the host does', async () => {
    const binary = await compile(['tests/assembly/guests/abi.ts', '--runtime', 'stub']);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>), { ...ENV, [API_MODULE]: new Proxy({}, { get: () => () => {} }) });
    const value = (name: string) => (instance.exports[name] as WebAssembly.Global).value;
    expect({ Error: value('ERROR'), Warn: value('WARN'), Info: value('INFO'), Debug: value('DEBUG'), Trace: value('TRACE') }).toEqual({
      Error: LogLevel.Error,
      Warn: LogLevel.Warn,
      Info: LogLevel.Info,
      Debug: LogLevel.Debug,
      Trace: LogLevel.Trace,
    });
    expect(value('STATSD')).toBe(MetricFormat.Statsd);
    // README: text is encoded into a static 1 KiB buffer.
    expect(value('SCRATCH')).toBe(1024);
  });

  it('imports each API function under the name and signature the host expects', async () => {
    const binary = await compile(['tests/assembly/guests/abi.ts', '--runtime', 'stub', '-O']);
    const observe = imports(binary).filter((i) => i.module === API_MODULE);
    expect(observe.map((i) => i.name).sort()).toEqual(IMPORTS.filter((i) => i.module === API_MODULE).map((i) => i.name).sort());
    // The signatures, read from the binary's text form.
    const lines = (await toWat(binary)).split('\n');
    const types = new Map(lines.flatMap((l) => {
      const m = /\(type \(;(\d+);\) \(func(.*)\)\)/.exec(l);
      return m ? [[m[1], m[2] ?? '']] : [];
    }));
    for (const spec of IMPORTS.filter((i) => i.module === API_MODULE)) {
      const line = lines.find((l) => l.includes(`(import "${API_MODULE}" "${spec.name}"`)) ?? '';
      const type = types.get(/\(type (\d+)\)/.exec(line)?.[1] ?? '') ?? '';
      const params = /\(param ([^)]*)\)/.exec(type)?.[1]?.split(' ') ?? [];
      expect({ name: spec.name, params, returns: type.includes('(result') }).toEqual({ name: spec.name, params: [...spec.params], returns: false });
    }
  });

  it('a module that only logs imports only log', async () => {
    const binary = await compile(['tests/assembly/guests/only-log.ts', '--runtime', 'stub', '-O']);
    expect(imports(binary).filter((i) => i.module === API_MODULE).map((i) => i.name)).toEqual(['log']);
  });
});
