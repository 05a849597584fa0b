/**
 * The bench guest's loops, one per call kind and @span, allocate nothing: under the stub
 * runtime, which never frees, the heap top stays put and memory does not grow.
 */
import { describe, expect, it } from 'vitest';
import { API_MODULE } from '../../host/abi/spec.ts';
import { compile, ENV } from './asc.ts';

const ITERATIONS = 100_000;

describe('AssemblyScript library heap use', () => {
  it('is zero for every benchmarked call, @span included', async () => {
    const binary = await compile(['tests/assembly/guests/bench.ts', '--runtime', 'stub', '-O3']);
    const module = new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>);
    const { exports } = new WebAssembly.Instance(module, { ...ENV, [API_MODULE]: new Proxy({}, { get: () => () => {} }) });
    const memory = exports.memory as WebAssembly.Memory;
    const heapTop = exports.heapTop as () => number;
    const loops = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function' && e.name !== 'heapTop').map((e) => e.name);
    expect(loops).toContain('decoratedCall');
    for (const name of loops) {
      const bytes = memory.buffer.byteLength;
      const before = heapTop();
      (exports[name] as (n: number) => unknown)(ITERATIONS);
      const after = heapTop();
      // Two probes with nothing in between differ by one empty block.
      expect({ name, growth: after - before - (heapTop() - after), grew: memory.buffer.byteLength - bytes }).toEqual({ name, growth: 0, grew: 0 });
    }
  });
});
