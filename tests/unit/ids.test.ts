import { describe, expect, it } from 'vitest';
import { newTraceId, spanIdHex, spanIdWord } from '../../host/trace/ids.ts';

describe('ids', () => {
  it('never repeats a span id over a million spans', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000_000; i++) seen.add(spanIdHex(spanIdWord(), spanIdWord()));
    expect(seen.size).toBe(1_000_000);
  });

  it('makes valid W3C ids: lower-case hex, right length, never all zero', () => {
    for (let i = 0; i < 1000; i++) {
      expect(spanIdHex(spanIdWord(), spanIdWord())).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
      expect(newTraceId()).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    }
    expect(spanIdHex(0, 0)).toBe('0000000100000000');
  });
});
