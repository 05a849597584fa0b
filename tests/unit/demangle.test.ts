import { describe, expect, it } from 'vitest';
import { loadDemangler } from '../../host/node/demangle.ts';

describe('demangling function names', () => {
  it('reads Rust legacy and v0 and C++ Itanium names, and leaves plain names alone', async () => {
    const demangle = await loadDemangler();
    expect(demangle('_ZN4core3fmt5write17h0123456789abcdefE')).toBe('core::fmt::write');
    expect(demangle('_RNvCs1234_7mycrate3foo')).toBe('mycrate::foo');
    expect(demangle('_Z3fooi')).toBe('foo(int)');
    for (const plain of ['__wasm_call_ctors', '__rust_alloc', '_start', 'main', 'Zebra', 'R2D2']) expect(demangle(plain)).toBe(plain);
  });
});
