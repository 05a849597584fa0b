import { describe, expect, it } from 'vitest';
import { GuestMemory } from '../../host/abi/memory.ts';

const encoder = new TextEncoder();

describe('reading guest strings', () => {
  it('notices when the bytes at a cached address change, at any alignment and length', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const guest = new GuestMemory(65536);
    guest.bind(memory);
    const write = (ptr: number, text: string) => new Uint8Array(memory.buffer).set(encoder.encode(text), ptr);
    for (const ptr of [16, 17, 18, 19]) {
      write(ptr, 'request handled in 3 ms');
      expect(guest.read(ptr, 23).text).toBe('request handled in 3 ms');
      write(ptr + 22, 'x'); // the tail byte
      expect(guest.read(ptr, 23).text).toBe('request handled in 3 mx');
      write(ptr, 'R'); // the first word
      expect(guest.read(ptr, 23).text).toBe('Request handled in 3 mx');
      expect(guest.read(ptr, 7).text).toBe('Request');
    }
  });

  it('reads through a grown memory and refuses what lies beyond it', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const guest = new GuestMemory(65536);
    guest.bind(memory);
    expect(guest.read(70000, 3).problem).toBe('out-of-bounds');
    memory.grow(1);
    new Uint8Array(memory.buffer).set(encoder.encode('far'), 70000);
    expect(guest.read(70000, 3)).toEqual({ text: 'far', problem: undefined });
    expect(guest.read(131070, 4).problem).toBe('out-of-bounds');
  });

  it('decodes invalid UTF-8 with replacement characters and says so', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const guest = new GuestMemory(65536);
    guest.bind(memory);
    new Uint8Array(memory.buffer).set([0x61, 0xff, 0x62], 0);
    expect(guest.read(0, 3)).toEqual({ text: 'a\uFFFDb', problem: 'invalid-utf8' });
  });
});
